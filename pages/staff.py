"""Staff data management: upload review and publish, templates, history and rollback.

Reachable by URL (/staff) by anyone, but renders only a "staff only" notice unless the
session belongs to signed-in staff (see ui.auth).
"""

import streamlit as st

from ui import auth, frame, proposals, staff
from ui.i18n import t

frame.require()

st.title(t("Data management"))
who = auth.current_staff()
if who is None:
    staff.visitor_notice()
    st.stop()

staff.show_flash()
section = staff.section_choice()
{"upload": staff.upload_section, "catalogue": staff.catalogue_section,
 "templates": staff.templates_section,
 "history": staff.history_section, "proposals": proposals.moderation_section}[section](who)
