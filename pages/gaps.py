"""Gaps: every region × area (or phase) against the best, its peers or a target; rank bands.

URL: ``axis`` (area|phase), ``gap`` (best|peers|target), ``peers`` (all|country), ``target``
(0–100), ``w`` (area weights, see :mod:`ui.gaps`).
"""

import streamlit as st

from ui import charts, components, frame, params, sidebar, state, tables
from ui import gaps as G
from ui.i18n import t

frame.require()

view = sidebar.view()
notices = st.container()
st.title(t("Gaps: where each region stands"))
st.caption(t("Each cell is a region's score minus a reference: the best region, the mean of its "
             "peers, or a target. Negative (orange) = behind; positive (purple) = ahead."))
AXES = {"area": t("Areas"), "phase": t("Policy-cycle phases")}
GAPS = {"best": t("the best region"), "peers": t("the mean of its peers"),
        "target": t("a target score")}
PEERS = {"all": t("all other regions"), "country": t("other regions of the same country")}
c1, c2, c3 = st.columns([1, 1.4, 1.2])
with c1:
    axis = state.url_widget(st.radio, "axis", list(AXES), "area", t("Columns"),
                            format_func=AXES.get)
with c2:
    gap = state.url_widget(st.radio, "gap", list(GAPS), "best", t("Gap to"),
                           format_func=GAPS.get)
with c3:
    peers, target = "all", G.DEFAULT_TARGET
    if gap == "peers":
        peers = state.url_widget(st.radio, "peers", list(PEERS), "all", t("Peers"),
                                 format_func=PEERS.get)
    elif gap == "target":
        st.session_state.setdefault("w_target", G.url_target())
        target = st.number_input(t("Target score (0–100)"), 0.0, 100.0, step=5.0,
                                 key="w_target")
        state.set_param("target", f"{target:g}")

areas = G.axis_order(G.scores_by("area", view), "area")
weights = G.weight_controls(areas)

key = G.view_key(view)  # the view version, language, edition, target group
model = G.gap_view(*key, axis, gap, float(target), peers, params.weights_key(weights))
if model["empty"]:
    st.info(t("There are no scores for this edition and target group."))
    with notices:
        state.show_notices()
    st.stop()
wide, gap_cols = model["wide"], model["gap_cols"]
colour = len(wide) <= G.MAX_STYLED_ROWS
st.dataframe(G.styled(wide, gap_cols, [t("Coverage")]) if colour else tables.rounded(wide),
             hide_index=True, width="stretch",
             height=min(35 * (len(wide) + 1) + 3, 920), placeholder=t("no data"),
             column_config=G.matrix_columns(gap_cols, colour), key="gap-matrix")
if colour:
    G.legend(t("behind"), t("ahead"))
else:
    st.caption(t("Colours are left out above {n} regions, to keep the page fast; sort a column "
                 "by clicking its header.", n=G.MAX_STYLED_ROWS))
components.downloads(wide, f"gaps-{axis}-{gap}", key="gap-matrix")
with st.expander(t("Every cell with its score, reference and coverage (text)")):
    tables.show_table(model["cells"], f"gap-cells-{axis}-{gap}", key="gap-cells")

st.subheader(t("How stable are the ranks? Median rank and 5–95 % band"))
bands_view = G.band_view(*key, params.weights_key(weights))
raw_bands, bands = bands_view["raw"], bands_view["table"]
st.caption(t("{n:,} random variations of the indicator and area weights (±25 %), each scored with "
             "the arithmetic and the geometric mean; the band holds 90 % of the ranks a region "
             "gets. The tick is its rank with the weights above.", n=G.n_draws(len(raw_bands))))
if len(bands) > G.MAX_BAND_ROWS:
    st.caption(t("The chart shows the {n} regions with the best median rank; the table below "
                 "it lists all {m}.", n=G.MAX_BAND_ROWS, m=len(bands)))
charts.show_chart(bands_view["chart"], bands, "rank-bands", key="rank-bands")
components.data_caption()
with notices:
    state.show_notices()
