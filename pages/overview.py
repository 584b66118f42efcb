"""Overview: every region's overall score and rank for the edition and target group in view."""

import streamlit as st

import scoring
from ui import components, sidebar, state
from ui.i18n import t

view = sidebar.view()
state.show_notices()
st.title(t("Regional integration policy at a glance"))
tabs = state.tables()
table = scoring.overall(state.cube())
table = table[(table["edition"] == view["edition"]) & (table["target_group"] == view["target_group"])]
names = tabs["regions"].set_index("region_id")["name"]
table = table.assign(name=table["region_id"].map(names)).sort_values("rank")
shown = table[["rank", "region_id", "name", "score", "coverage"]]
st.dataframe(shown, hide_index=True, width="stretch")
components.downloads(shown, "overview")
components.data_caption()
