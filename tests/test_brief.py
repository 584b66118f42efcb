"""The region brief: built from the Region profile's numbers; the HTML is self-contained and
escaped; the PDF of a partner region says the same overall score and rank as the region
page (pdftotext), and its pages are rendered to PNG (pdftoppm) for a person to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import brief, fmt, profile
from conftest import shown

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
ARTIFACTS = ROOT / "artifacts" / "brief"
MANIFEST = {"version": "v-test", "created": "2025-03-01T09:30:00",
            "illustrative": {"scores": True, "practices": True, "outcomes": True}}


@pytest.fixture(scope="module")
def catalonia(demo):
    tabs, cube = demo
    return brief.build(cube, tabs, MANIFEST, "ES51", "TCN", cube.editions[-1])


def test_numbers_equal_region_page(demo, catalonia):
    tabs, cube = demo
    ov = profile.overall_table(cube, tabs["regions"], cube.editions[-1], "TCN")
    row = ov.set_index("region_id").loc["ES51"]
    assert catalonia.score == pytest.approx(row["score"]) and catalonia.rank == row["rank"]
    assert catalonia.n_ranked == int(ov["score"].notna().sum())
    assert catalonia.rank_country == row["rank_country"]
    # the gaps are the Region profile's radar numbers (own score − peer-group mean)
    radar = catalonia.radar
    own = radar[radar["series"] == radar["series"].iloc[0]].set_index("area")["score"]
    peer = radar[radar["series"] == "Peer-group mean"].set_index("area")["score"]
    g = catalonia.gaps.set_index("area")
    for area in g.index:
        assert g.loc[area, "gap_peers"] == pytest.approx(own[area] - peer[area], nan_ok=True)
    assert catalonia.n_peers == len(ov) - 1
    assert len(catalonia.practices) and not (catalonia.practices["region_id"] == "ES51").any()


def test_html_is_self_contained_and_escaped(demo):
    tabs, cube = demo
    tabs = dict(tabs)
    p = tabs["practices"].copy()
    p["title"] = p["title"].astype(object)
    p.loc[:, "title"] = "<script>alert(1)</script> & co"
    tabs["practices"] = p
    b = brief.build(cube, tabs, MANIFEST, "ES51", "TCN", cube.editions[-1])
    html = brief.to_html(b)
    assert "<script" not in html and "&lt;script&gt;" in html
    # nothing fetched: no src/href to anything but the page's own ids, no imports, no links
    assert not re.search(r"""src\s*=|href\s*=\s*"(?!#)|@import|url\((?!#)|<link""", html, re.I)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # the inline charts never share an id
    assert html.count("<svg") == 3  # radar, bars, heatmap — inline
    assert "Illustrative data" in html and "v-test" in html
    assert "Methodology and data" in html


def test_no_illustrative_note_for_real_data(demo):
    tabs, cube = demo
    b = brief.build(cube, tabs, {**MANIFEST, "illustrative": {}}, "ITF3", "BIP", cube.editions[0])
    assert brief.illustrative_text(b) is None
    assert "Illustrative data" not in brief.to_html(b)


def test_missing_scores_read_no_data(demo):
    assert brief.fmt(float("nan")) == "no data" and brief.fmt(None) == "no data"
    assert brief.fmt(0.0) == "0.0"


@pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
                    reason="poppler-utils not installed")
def test_pdf_of_a_partner_region(demo, catalonia):
    tabs, cube = demo
    pdf = brief.to_pdf(catalonia)
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "brief-ES51.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    row = profile.overall_table(cube, tabs["regions"], cube.editions[-1], "TCN") \
        .set_index("region_id").loc["ES51"]
    flat = " ".join(text.split())  # table cells wrap: compare without line breaks
    assert "Cataluña (ES51)" in text
    assert re.search(rf"\b{re.escape(fmt.number(row['score']))}\b", text), text[:800]
    # the rank with its band, as the Region profile shows it
    band = fmt.rank_band(row["rank"], row["rank_low"], row["rank_high"])
    assert f"ranks {band} among {catalonia.n_ranked} regions" in flat, flat[:800]
    assert "Illustrative data" in text and "v-test" in text
    for heading in ("Profile against peers", "Strengths and weaknesses", "Gaps to peers",
                    "Policy cycle", "Policy and outcomes", "Suggested practices",
                    "Methodology and data"):
        assert heading in text, heading
    for old in ARTIFACTS.glob("brief-ES51-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(ARTIFACTS / "brief-ES51-page")],
                   check=True)
    pages = sorted(ARTIFACTS.glob("brief-ES51-page-*.png"))
    assert 2 <= len(pages) <= 5


def test_brief_page_renders(monkeypatch, tmp_path, demo):
    tabs, cube = demo
    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["region"] = "PT20"
    at.run()
    at.switch_page("pages/brief.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Região Autónoma dos Açores (PT20)" in shown(at.title[0].value)
    row = profile.overall_table(cube, tabs["regions"], cube.editions[-1], "TCN") \
        .set_index("region_id").loc["PT20"]
    values = {m.label: m.value for m in at.metric}
    assert values["Overall score"] == fmt.number(row["score"])
    n = int(profile.overall_table(cube, tabs["regions"], cube.editions[-1], "TCN")["score"]
            .notna().sum())
    assert values[f"Rank among {n} regions"] == fmt.rank_band(row["rank"], row["rank_low"],
                                                              row["rank_high"])
