"""MIPEX-R dashboard: the frame around every page.

Page config, navigation over ``pages/``, and the shared sidebar: the data version (with an
"illustrative data" badge when it applies), the edition and target group in view (kept
in the URL), and the staff entry. Every page and the sidebar run inside the error boundary
(``ui/boundary.py``): an error is a plain message with an error id, never a traceback.
"""

import streamlit as st

from ui import boundary, frame, serving, sidebar, state
from ui.i18n import t

serving.no_nagle()  # once per process: see ui/serving.py

state.begin_run()  # one store lookup and one data version for the whole run
try:
    sidebar.start_language()  # before any t(): the page titles below are translated
    st.set_page_config(page_title=t("MIPEX-R · Regional integration policy"), page_icon="🧭",
                       layout="wide")

    PAGES = [
        st.Page("pages/overview.py", title=t("Overview"), icon=":material/public:", url_path="home", default=True),
        st.Page("pages/region.py", title=t("Region profile"), icon=":material/location_on:", url_path="region"),
        st.Page("pages/compare.py", title=t("Compare regions"), icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/gaps.py", title=t("Gaps"), icon=":material/align_horizontal_left:", url_path="gaps"),
        st.Page("pages/practices.py", title=t("Integration Lab"), icon=":material/lightbulb:", url_path="practices"),
        st.Page("pages/propose.py", title=t("Propose a practice"), icon=":material/add_circle:", url_path="propose"),
        st.Page("pages/methodology.py", title=t("Methodology"), icon=":material/menu_book:", url_path="methodology"),
        st.Page("pages/workshop.py", title=t("Workshop mode"), icon=":material/co_present:", url_path="workshop"),
        st.Page("pages/brief.py", title=t("Region brief"), icon=":material/picture_as_pdf:", url_path="brief"),
        # The default page is served at "/", so "/overview" needs a page of its own (the same
        # script), or a link to it would show Streamlit's "Page not found".
        st.Page("pages/overview.py", title=t("Overview"), url_path="overview", visibility="hidden"),
        st.Page("pages/staff.py", title=t("Data management"), icon=":material/lock:", url_path="staff", visibility="hidden"),
    ]

    page = st.navigation(PAGES)
    with boundary.catch("the sidebar"):
        sidebar.render()
    frame.enter()
    try:
        with serving.run_slot(), boundary.catch(f"page {page.url_path or 'home'}"):
            page.run()
    finally:
        frame.leave()
finally:
    state.end_run()  # also when the run stops early (st.rerun, st.stop, an error)
