"""Issue 17 without a browser: charts that take their container's width, vocabulary and
numbers in the reader's language, exports that say what they show, the workshop's links,
the default region. The browser side is tests/browser/test_screens_browser.py."""

from __future__ import annotations

import pandas as pd
import pytest

from data import demo
from ui import charts, components, export, i18n, tables
from ui.gaps import short_label
from ui.profile import default_region
from ui.workshop import page_address, step_urls


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


RADAR = pd.DataFrame({"area": ["anti-discrimination", "health", "housing"] * 2,
                      "score": [40.0, 60.0, None, 50.0, 55.0, 45.0],
                      "series": ["A"] * 3 + ["B"] * 3})


def test_radar_takes_the_container_width_and_stays_round():
    spec = charts.radar_chart(RADAR, "area").to_dict()
    assert spec["width"] == "container" and spec["height"] == 520
    x = spec["layer"][0]["encoding"]["x"]["scale"]
    y = spec["layer"][0]["encoding"]["y"]["scale"]
    # both domains are the drawn size divided by one px-per-unit: a circle stays a circle
    unit = x["domainMax"]["expr"].split("/ 2 / ")[1]
    assert x["domainMax"]["expr"] == f"width / 2 / {unit}"
    assert y["domainMax"]["expr"] == f"height / 2 / {unit}"
    assert "width / 2 - " in unit and "height / 2 - " in unit


def test_radar_keeps_more_room_for_labels_on_a_projector():
    small = charts.radar_chart(RADAR, "area").to_dict()
    big = charts.radar_chart(RADAR, "area", label_scale=1.4).to_dict()
    px = lambda s: int(s["layer"][0]["encoding"]["x"]["scale"]["domainMax"]["expr"]  # noqa: E731
                       .split("width / 2 - ")[1].split(")")[0])
    assert px(big) > px(small) > 0


def test_heatmap_takes_the_container_width_and_wraps_long_names():
    frame = pd.DataFrame({"phase": ["formulation", "implementation"], "area": ["housing"] * 2,
                          "score": [50.0, None], "coverage": [1.0, 0.0]})
    spec = charts.heatmap(frame, "phase", "area").to_dict()
    assert spec["width"] == "container"
    xaxis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert xaxis["labelExpr"] == "split(datum.label, ' ')" and xaxis["labelLimit"] == 0


def test_vocabulary_is_translated_everywhere_it_is_filled_in(french):
    assert i18n.term("housing") == "logement"
    assert i18n.term("Cataluña") == "Cataluña" and i18n.term(3.5) == 3.5
    assert i18n.terms(["health", "ES51"]) == ["santé", "ES51"]
    # a sentence with an area filled in speaks French all through
    assert i18n.t("weakest: {w}", w="housing") == "weakest: logement"
    bars = charts.bar_chart(pd.DataFrame({"area": ["housing", "health"], "score": [1.0, 2.0]}),
                            "area").to_dict()
    values = [r["_cat"] for d in bars["datasets"].values() for r in d if "_cat" in r]
    assert set(values) >= {"logement", "santé"}


def test_every_vocabulary_word_is_translated_in_every_language():
    for lang in list(i18n.LANGUAGES)[1:]:
        cat = i18n.catalogue(lang)
        missing = [w for w in i18n.VOCABULARY if not cat.get(w)]
        assert not missing, (lang, missing)


def test_tables_and_axes_write_the_locale_decimal_mark(french):
    frame = pd.DataFrame({"Région": ["x"], "Score": [38.84], "Couverture": [0.857],
                          "Rang": pd.array([3], dtype="Int64")})
    shown = tables.localised(tables.rounded(frame))
    assert shown["Score"].iloc[0] == "38,8"
    assert shown["Couverture"].iloc[0].startswith("85,7") and shown["Couverture"].iloc[0].endswith("%")
    assert shown["Rang"].iloc[0] == 3  # counts and ranks stay numbers
    assert tables.in_words(pd.DataFrame({"Domaine": ["housing"]}))["Domaine"].iloc[0] == "logement"
    assert charts.number_locale()["number"]["decimal"] == ","
    spec = charts.bar_chart(pd.DataFrame({"area": ["a"], "score": [1.0]}), "area").to_dict()
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_english_tables_are_left_as_they_are():
    frame = pd.DataFrame({"Score": [38.84]})
    assert tables.localised(frame) is frame and tables.in_words(frame) is frame


@pytest.mark.parametrize("text, short", [("health", "health"), ("anti-discrimination", "anti-dis."),
                                         ("vocational training", "voc. tra."),
                                         ("culture & religion", "cul. rel."),
                                         ("lutte contre les discriminations", "lut. dis.")])
def test_matrix_headers_are_abbreviated_with_a_mark(text, short):
    assert short_label(text) == short


def test_profile_and_brief_open_on_a_partner_region():
    regions = pd.DataFrame({"region_id": ["AT12", "ES61", "ES51", "PT20"]})
    assert default_region(["AT12", "ES51", "ES61", "PT20"], regions) == demo.PARTNERS[0]
    assert default_region(["AT12", "ES51", "ES61"], regions) == "ES51"
    # without a partner region: the regions table's order, not the alphabet of names
    assert default_region(["ES61", "AT12"], regions) == "AT12"


def test_workshop_step_links_are_absolute_and_keep_the_language():
    base = page_address("https://dash.example.org/mipex/workshop?step=2&lang=fr")
    assert base == "https://dash.example.org/mipex/workshop"
    assert page_address(None) == "/workshop"
    urls = step_urls(base, "ES51", 2024, "TCN", None, None, "fr")
    assert len(urls) == 6 and all(u.startswith(base + "?") and "lang=fr" in u for u in urls)
    assert "step=6" in urls[-1]


def test_exports_say_what_they_show():
    line = export.view_text(2024, "TCN", "all 24 other regions", None)
    assert line == "Edition 2024 · TCN · peers: all 24 other regions · default weights"
    assert "custom weights: health × 2" in export.view_text(2024, "TCN", None, "health × 2")
    footer = export.footer_text("v1", illustrative=True, extra=line)
    spec = export.with_footer(charts.radar_chart(RADAR, "area"), footer)
    printed = " ".join(r["line"] for r in spec["vconcat"][1]["data"]["values"])
    assert "Edition 2024" in printed and "default weights" in printed and "v1" in printed
    assert spec["vconcat"][0]["width"] == export.DEFAULT_WIDTH  # a file needs a width


def test_default_dataset_words_match_what_the_import_writes():
    assert demo.DESCRIPTION in components._MANIFEST_WORDS
    assert components.manifest_words("staff upload") == "staff upload"


# ------------------------------------------------------------------ the brief

BRIEF_MANIFEST = {"version": "v-test", "created": "2025-03-01T09:30:00",
                  "illustrative": {"scores": True, "practices": True, "outcomes": True}}
#: Interface text of the brief that must not stay English in a French brief.
BRIEF_ENGLISH = ["Profile against peers", "Strengths and weaknesses", "Gaps to peers",
                 "Policy cycle", "Policy and outcomes", "Suggested practices",
                 "Methodology and data", "Illustrative data", "default weights",
                 "Lessons learnt", "Priority", "Peer mean", "Best region"]
#: Area names (vocabulary): none may stay English — in the tables' area column, the
#: sentences and the charts' files alike. (Indicator names are data: in English with one
#: note when the data has none in the language.)
BRIEF_AREAS = ["labour market", "housing", "vocational training", "anti-discrimination"]


def _pdf_text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["fr", "sv"])
def test_the_brief_pdf_is_in_the_readers_language(demo, tmp_path, lang):
    from ui import brief

    tabs, cube = demo
    with i18n.using(lang):
        b = brief.build(cube, tabs, BRIEF_MANIFEST, "ES51", "TCN", cube.editions[-1])
        flat = " ".join(_pdf_text(brief.to_pdf(b), tmp_path).split())
        assert i18n.t("Profile against peers") in flat
        assert i18n.t("default weights") in flat  # the footer says what it shows
        # no area name in English in the tables (indicator names aside: they are data)
        printed = " ".join(" ".join(map(str, f.drop(columns=[i18n.t("Indicator")],
                                                     errors="ignore").to_numpy().ravel()))
                           for f in brief._tables(b).values())
        assert b.label_note and b.label_note.split(":")[0] in flat  # one note instead of marks
    assert i18n.language() == "en"  # restored after the block
    left = [w for w in BRIEF_ENGLISH if w in flat]
    assert not left, (lang, left)
    assert not [w for w in BRIEF_AREAS if w in printed], printed[:300]


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_table_headers_are_never_split_inside_a_word(demo, tmp_path):
    from ui import brief

    tabs, cube = demo
    b = brief.build(cube, tabs, BRIEF_MANIFEST, "ES51", "TCN", cube.editions[-1])
    words = set(_pdf_text(brief.to_pdf(b), tmp_path).split())
    for name, frame in brief._tables(b).items():
        for col in frame.columns:
            for word in str(col).split():
                assert word in words or f"{word}." in words, (name, col, word)


def test_the_preview_shows_the_charts_as_images(demo):
    from ui import brief

    tabs, cube = demo
    b = brief.build(cube, tabs, BRIEF_MANIFEST, "ES51", "TCN", cube.editions[-1])
    preview = brief.to_html(b, inline_svg=False)
    assert preview.count("src='data:image/svg+xml;base64,") == 3 and "<svg" not in preview
    assert brief.to_html(b).count("<svg") >= 3  # the downloaded file keeps inline SVG


def test_practices_in_another_language_are_marked(french, demo):
    from ui import brief

    assert brief.language_note("sv") == "(en suédois)"
    assert brief.language_note("fr") == "" and brief.language_note(None) == ""
    tabs, cube = demo
    b = brief.build(cube, tabs, BRIEF_MANIFEST, "ES51", "TCN", cube.editions[-1])
    html = brief.to_html(b)
    assert html.startswith("<!DOCTYPE html>") or "<html" in html
    assert "lang=\"fr\"" in html or "lang='fr'" in html
    foreign = [c for c in b.practices["language"] if c and c != "fr"]
    assert html.count("class='note' lang='fr'") == len(foreign)


# ------------------------------------------------------------------ the workshop's guess round

def test_a_guess_round_link_names_the_region_by_its_letter_only():
    from ui import workshop as ws

    ids = ["AT12", "ES51", "ITF3", "PT20"]
    tags = ws.guess_tags(ids, 1)
    view = {"mystery": tags["ITF3"]}
    urls = ws.step_urls("/workshop", "ITF3", 2024, "TCN", 1, view, "fr")
    assert all("ITF3" not in u and f"mystery={tags['ITF3']}" in u for u in urls)
    assert ws.guess_names(ids, 1)["ITF3"] == f"Region {tags['ITF3']}"


def test_a_guess_round_page_leaks_nothing(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.test_workshop import APP, texts

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(region="ITF3", step="1", guess="1")
    at.run()
    at.switch_page("pages/workshop.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "region" not in at.query_params and at.query_params.get("mystery")
    labels = " ".join(m.label for m in at.metric)
    assert "IT" not in labels.split() and "Rank in IT" not in labels  # no country rank
    shown = texts(at) + " ".join(str(c.value) for c in at.code)
    assert "ITF3" not in shown and "Puglia" not in shown


def test_a_radar_in_a_file_keeps_its_shape():
    """In a file the radar has a fixed size and sits in a concatenation (the footer), where
    the size signals have other names: its domains become numbers, equal on both axes per
    pixel, and the drawing is not collapsed."""
    import re

    spec = export.with_footer(charts.radar_chart(RADAR, "area", size=400), "footer")
    body = spec["vconcat"][0]
    x = body["layer"][0]["encoding"]["x"]["scale"]
    y = body["layer"][0]["encoding"]["y"]["scale"]
    assert isinstance(x["domainMax"], float) and isinstance(y["domainMax"], float)
    assert x["domainMax"] / export.DEFAULT_WIDTH == pytest.approx(y["domainMax"] / 400)
    svg = export.chart_svg(charts.radar_chart(RADAR, "area", size=400), "footer")
    xs = [float(v) for v in re.findall(r"<text[^>]*transform=.translate.([0-9.]+),", svg)]
    assert max(xs) - min(xs) > 200  # the axis labels are spread round the radar
    with pytest.raises(ValueError):
        export._arithmetic("__import__('os')", {})
