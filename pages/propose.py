"""Propose a practice: the Integration Lab's public submission form.

Anyone can propose a practice; nothing is published until the index team's staff approve it
on the staff page (section "Proposals"). Logic: ``data/proposals.py``; widgets:
``ui/proposals.py``.
"""

import streamlit as st

from ui import frame
from ui import proposals as ui
from ui.i18n import t

frame.require()

st.title(t("Propose a practice for the Integration Lab"))
st.markdown(t("Has your region, municipality or organisation done something for the integration of migrants "
              "that others could learn from? Describe it here: what was done, what you learnt, and what another "
              "region would need to do the same. You can write in English, French, German, Italian, Spanish, "
              "Portuguese or Swedish."))
st.caption(t("The index team reviews every proposal before it appears in the Integration Lab; they may contact "
             "you with questions. Your e-mail address is never shown publicly."))
st.page_link("pages/practices.py", label=t("Back to the Integration Lab"), icon=":material/arrow_back:")
ui.public_form()
