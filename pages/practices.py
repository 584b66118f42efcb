"""Integration Lab: regional integration practices on a map, searchable, with their lessons.

Practices are points coloured by area over regions shaded by a score (edition and target
group from the sidebar); clicking one, or picking it in the list, opens its card. With
``for_gaps=1&region=<id>`` (linked from the region profile) the list ranks practices from
other regions for the region's largest gaps. Logic: ``data/practices.py`` (filters, search,
ranking) and ``ui/practices.py`` (widgets, map, card); URL parameters are listed there.
"""

import streamlit as st

from ui import components, frame, sidebar, state
from ui import practices as ui
from ui.i18n import language, t

frame.require()

view = sidebar.view()
st.title(t("Integration Lab: what other regions did"))
st.caption(t("REGIN's database of regional integration practices: what was done, what was learnt, and "
             "what another region needs to do the same."))
st.page_link("pages/propose.py", label=t("Propose a practice from your region"), icon=":material/add_circle:")
tabs = state.tables()
filters = ui.filter_widgets(tabs)
gaps, gaps_key = ui.gap_section(tabs, view)
key = (ui.filters_key(filters), gaps_key)  # what the results and the map are cached on
shown = ui.lab_results(state.view_version(), language(), *key)
selected = ui.current_practice(ui.lab_data(state.view_version())["practice_ids"])
state.show_notices()

n_all = len(tabs["practices"])
st.markdown(t("**{n} of {total} practices**", n=len(shown), total=n_all)
            + (" " + t("(best matches first)") if filters.query else ""))
left, right = st.columns([3, 2], gap="medium")
with left:
    default_shade = gaps.areas[0] if gaps is not None and gaps.areas else ui.OVERALL
    ui.render_map(tabs, shown, view, selected, default_shade, key)
with right:
    ui.render_card(tabs, selected)

st.subheader(t("Practices for my gaps") if gaps is not None and not gaps.reason else t("Results"), anchor=False)
if shown.empty:
    st.info(t("No practice matches. Remove a filter or try other words."))
listed = ui.render_list(shown, tabs)
components.downloads(listed, "integration-lab-practices", key="practices")
components.data_caption(("practices", "scores"))
