"""Region profile: one region against its peers, its policy cycle, its change, its outcomes.

URL: ``region``, ``edition`` and ``group`` (sidebar), ``axis`` (area/phase/system),
``peers`` (all / country / similar / comma-separated region ids), ``chart`` (radar/bars),
``w`` (area weights of the overall score), ``area`` (drill-down filter; also the area whose
outcome measure is shown first), ``measure`` (the outcome measure).

Every section is computed once per view by a cached function of :mod:`ui.profile` (keyed on
the data version, the language and the view's choices); the page only reads its widgets
and sends what those return.
"""

import streamlit as st

from ui import frame, params, profile, safe, state
from ui.i18n import column_title, t
from views import common as views_common

frame.require()

edition, group, tabs, cube, regions = profile.scored_context()
vv = state.view_version()
ver = profile.version_of(vv)  # what every rerun reads of this version, in one lookup
labels = ver.labels
weights = params.url_weights(ver.orders["area"])

ids = regions["region_id"].tolist()
notices = st.container()  # filled at the end, when every URL parameter has been read
c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    region = state.url_widget(st.selectbox, "region", ids,
                              ver.defaults.get((group, profile.scalar(edition)))
                              or profile.default_region_of(vv, group, edition), t("Region"),
                              format_func=lambda r: labels.get(r, r))
with c2:
    group = profile.show_group_switch(group)
with c3:
    axis = state.url_widget(st.selectbox, "axis", list(views_common.AXES), profile.DEFAULT_AXIS,
                            t("Compare by"), format_func=column_title)
view = profile.region_view(region, group, edition, weights)
name = labels.get(region, region)
st.title(safe.md(name))
profile.show_missing_edition(cube, region, name, group, edition, "pages/region.py")
profile.show_headline(view, weights)
handouts = st.container()  # filled once the peer group is read: the links carry it

mode, peer_list = profile.show_peer_controls(view, ids, labels)
peer_list = tuple(peer_list)
with handouts:
    profile.show_handout_links(region, group, edition, weights, mode, peer_list)
profile.show_profile_chart(view, axis, mode, peer_list, name)

st.subheader(t("Policy cycle: where does it break?"))
profile.show_heat(view)

st.subheader(t("Strengths and weaknesses"))
profile.show_strengths(view, axis, mode, peer_list)
st.subheader(t("Change since the previous edition"))
profile.show_change(view)

st.subheader(t("Policy and outcomes"))
in_view = st.query_params.get("area")
profile.show_outcome(view, in_view if in_view in ver.orders["area"] else None)

st.subheader(t("Regions with a similar profile"))
profile.show_similar(view, labels, axis)

st.subheader(t("Indicator by indicator"))
profile.show_drilldown(view)

st.subheader(t("Learn from other regions"))
profile.show_practice_links(view, labels, mode, peer_list)

with notices:
    state.show_notices()
