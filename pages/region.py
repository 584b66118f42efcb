"""Region profile: one region against its peers, its policy cycle, its change, its outcomes.

URL: ``region``, ``edition`` and ``group`` (sidebar), ``axis`` (area/phase/system),
``peers`` (all / country / similar / comma-separated region ids), ``chart`` (radar/bars),
``w`` (area weights of the overall score), ``area`` (drill-down filter; also the area whose
outcome measure is shown first), ``measure`` (the outcome measure).
"""

import streamlit as st

from ui import charts, frame, params, profile, safe, state
from ui.i18n import column_title, t

frame.require()

edition, group, tabs, cube, regions = profile.scored_context()
labels = profile.region_label(tabs["regions"])
weights = params.url_weights(profile.area_order(cube))

ids = regions["region_id"].tolist()
notices = st.container()  # filled at the end, when every URL parameter has been read
c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    region = state.url_widget(st.selectbox, "region", ids,
                              profile.default_region(ids, tabs["regions"], cube, group,
                                                     edition), t("Region"),
                              format_func=lambda r: labels.get(r, r))
with c2:
    group = profile.show_group_switch(group)
with c3:
    axis = state.url_widget(st.selectbox, "axis", list(profile.AXES), "area", t("Compare by"),
                            format_func=column_title)
name = labels.get(region, region)
st.title(safe.md(name))
profile.show_missing_edition(cube, region, name, group, edition, "pages/region.py")
profile.show_headline(cube, tabs["regions"], region, group, edition, weights)
handouts = st.container()  # filled once the peer group is read: the links carry it

table = profile.axis_table(cube, axis)
mode, peer_list = profile.show_peer_controls(table, regions, region, labels)
with handouts:
    profile.show_handout_links(region, group, edition, weights, mode, peer_list)
peers = profile.peer_ids(table, region, mode, peer_list, tabs["regions"], group, edition)
radar = profile.radar_frame(table, region, peers, group, edition, labels)
profile.show_profile_chart(radar, axis, profile.area_order(cube, axis), name, len(peers), mode)

st.subheader(t("Policy cycle: where does it break?"))
chart, shown = profile.heat_parts(cube, region, group, edition)
charts.show_chart(chart, shown, f"policy-cycle-{region}", key="heat",
                  caption=t("Outlined: the weakest phase of each area. Grey dashed cells have "
                            "no data (too few indicators answered), which is not a score of 0."))

st.subheader(t("Strengths and weaknesses"))
profile.show_strengths(cube, region, peers, group, edition)
st.subheader(t("Change since the previous edition"))
profile.show_change(cube, region, group, edition)

st.subheader(t("Policy and outcomes"))
in_view = st.query_params.get("area")
profile.show_outcome(table if axis == "area" else profile.axis_table(cube, "area"), tabs, region,
                     group, edition, in_view if in_view in profile.area_order(cube) else None)

st.subheader(t("Regions with a similar profile"))
profile.show_similar(table, region, group, edition, labels, axis)

st.subheader(t("Indicator by indicator"))
profile.show_drilldown(cube, tabs, region, group, edition)

st.subheader(t("Learn from other regions"))
profile.show_practice_links(cube, tabs, region, group, edition, labels, mode, peer_list)

with notices:
    state.show_notices()
