"""MIPEX-R dashboard: the frame around every page.

Page config, navigation over ``pages/``, and the shared sidebar: the data version (with an
"illustrative data" badge when it applies), the edition and target group in view (kept
in the URL), and the staff entry.
"""

import streamlit as st

from ui import sidebar
from ui.i18n import t

st.set_page_config(page_title="MIPEX-R · Regional integration policy", page_icon="🧭",
                   layout="wide")

PAGES = [
    st.Page("pages/overview.py", title=t("Overview"), icon="🗺️", url_path="overview", default=True),
]

page = st.navigation(PAGES)
sidebar.render()
page.run()
