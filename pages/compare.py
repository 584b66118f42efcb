"""Compare: two to six regions side by side — radar or bars, and a gap table.

URL: ``regions`` (comma-separated ids), ``axis`` (area|phase), ``vs`` (first|group|all),
``sort`` (axis|reference|<region id>), ``chart`` (radar|bars).
"""

import streamlit as st

from ui import charts, components, frame, sidebar, state
from ui import compare as C
from ui import gaps as G
from ui.i18n import t

frame.require()

view = sidebar.view()
notices = st.container()
st.title(t("Compare regions"))
options = C.region_options()
chosen = C.choose_regions(options, view=view)

AXES = {"area": t("Areas"), "phase": t("Policy-cycle phases")}
CHARTS = {"radar": t("Radar"), "bars": t("Bars")}
c1, c2, c3 = st.columns([1, 1.6, 1])
with c1:
    axis = state.url_widget(st.radio, "axis", list(AXES), "area", t("Rows"),
                            format_func=AXES.get)
with c2:
    vs = state.url_widget(st.radio, "vs", list(C.VS), "first", t("Differences against"),
                          format_func=C.vs_labels().get)
with c3:
    kind = state.url_widget(st.radio, "chart", list(CHARTS), "radar", t("Chart"),
                            format_func=CHARTS.get, horizontal=True)

if len(chosen) < C.MIN_REGIONS:
    with notices:
        state.show_notices()
    st.info(t("Choose at least two regions to compare."))
    st.stop()

# full names in the chart, the table and the downloads; the table's headers are shortened
# on screen only (the full name in the header's tooltip). Computed once per view (ui.compare).
key = (*C.view_key(view), axis, vs, tuple(chosen))
model = C.compare_view(*key)
labels, order = model["labels"], model["order"]
chart = C.compare_chart(*key, kind, frame.radar_height())
charts.show_chart(chart, model["shown_data"], f"compare-{axis}-scores", key="compare-chart")

st.subheader(t("Differences against {ref}", ref=C.vs_labels()[vs]))
sorts = ["axis", "reference", *chosen]
sort_names = {"axis": t("framework order"), "reference": t("reference score"),
              **{r: t("gap of {r}", r=labels[r]) for r in chosen}}
sort = state.url_widget(st.selectbox, "sort", sorts, "axis", t("Sort rows by"),
                        format_func=sort_names.get)
gaps = C.compare_gaps(*key, sort)
ref_col = C.reference_column(vs, labels[chosen[0]])
diff_cols = [labels[r] for r in (chosen[1:] if vs == "first" else chosen)]
st.dataframe(G.styled(gaps, diff_cols, [t("Lowest coverage")], [ref_col]), hide_index=True,
             width="stretch", key="compare-gaps", placeholder=t("no data"),
             column_config={t("Lowest coverage"): st.column_config.NumberColumn(  # text: styled()
                 help=t("The lowest coverage among the compared regions in this row: the share "
                        "of the indicator weight answered behind the score.")),
                 **{labels[r]: st.column_config.Column(C.short_label(r), help=labels[r])
                    for r in chosen}})
G.legend(t("behind the reference"), t("ahead of the reference"))
components.downloads(gaps, f"compare-{axis}-gaps", key="compare-gaps")
components.data_caption()
with notices:
    state.show_notices()
