"""Every chart the pages draw is valid Vega-Lite, and what ui.charts.vega_spec sends is
what Streamlit's own st.altair_chart conversion sends (it only skips the schema check,
which is done here instead)."""

from __future__ import annotations

import pandas as pd
import pytest
from ui import charts, compat, profile


def page_charts(demo):
    tabs, cube = demo
    regions = tabs["regions"]
    edition = max(cube.editions)
    group = "TCN"
    parts = profile.overview_parts(cube, regions, edition, group, None)
    region = profile.scored_regions(cube, regions)["region_id"].iloc[0]
    table = profile.axis_table(cube, "area")
    labels = profile.region_label(regions)
    peers = profile.peer_ids(table, region, "all", [], regions, group, edition)
    out = {"ranked bars": parts["bars"], "area bars": parts["area_bars"],
           "heatmap": profile.heat_parts(cube, region, group, edition)[0]}
    for axis in profile.AXES:
        t = profile.axis_table(cube, axis)
        radar = profile.radar_frame(t, region, peers, group, edition, labels)
        out[f"radar {axis}"] = profile.profile_chart_parts(radar, axis,
                                                           profile.area_order(cube, axis))[0]
        out[f"bars {axis}"] = charts.bar_chart(radar, axis, series="series",
                                               category_order=profile.area_order(cube, axis),
                                               series_order=radar["series"].drop_duplicates()
                                               .tolist())
    # a frame with gaps: "no data" has to survive the schema too
    holes = pd.DataFrame({"area": ["health", "housing", "education"],
                          "score": [80.0, None, 55.5], "coverage": [1.0, 0.0, 0.6]})
    out["bars with no data"] = charts.bar_chart(holes, "area")
    return out


@pytest.fixture(scope="module")
def built(demo):
    return page_charts(demo)


def test_every_page_chart_is_valid_vega_lite(built):
    assert len(built) == 10
    for chart in built.values():
        chart.to_dict(validate=True)  # raises on a schema error


def test_sent_spec_is_streamlits_own_conversion(built):
    for name, chart in built.items():
        assert charts.vega_spec(chart) == compat.streamlit_vega_spec(chart), name
