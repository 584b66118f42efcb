"""Chart exports: PNG and SVG made offline by vl-convert, with the source and data version
printed on them; projector font scaling leaves the data alone; the pages offer them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui import charts, export

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def bars():
    frame = pd.DataFrame({"area": ["health", "housing", "education"], "score": [80.0, None, 55.5]})
    return charts.bar_chart(frame, "area")


def test_footer_text():
    text = export.footer_text("abc123", illustrative=True)
    assert "abc123" in text and "MIPEX-R" in text and "illustrative" in text
    assert "illustrative" not in export.footer_text("abc123")


def test_footer_is_drawn_under_the_chart(bars):
    spec = export.with_footer(bars, "Source: X · data version abc123")
    assert "config" in spec and "datasets" in spec and len(spec["vconcat"]) == 2
    assert spec["vconcat"][0]["width"] == export.DEFAULT_WIDTH
    assert spec["vconcat"][1]["data"]["values"][0]["line"].endswith("abc123")


def test_png_and_svg(bars):
    footer = export.footer_text("abc123", illustrative=True)
    png = export.chart_png(bars, footer)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    svg = export.chart_svg(bars, footer)
    assert "<svg" in svg and "abc123" in svg and "no data" in svg and "health" in svg


def test_scale_fonts_leaves_data_alone(bars):
    before = export.to_spec(bars)
    after = export.scale_fonts(bars, 2)
    assert after["config"]["axis"]["labelFontSize"] == 2 * before["config"]["axis"]["labelFontSize"]
    assert after["datasets"] == before["datasets"]


def test_every_show_chart_has_png_and_svg(monkeypatch, tmp_path):
    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["region"] = "ES51"
    at.run()
    at.switch_page("pages/region.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    # the radar (own layout) and the policy-cycle heatmap (show_chart)
    assert labels.count("Chart as PNG") >= 2 and labels.count("Chart as SVG") >= 2
