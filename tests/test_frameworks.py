"""Two indicator frameworks in one store (MIPEX-R's regions, MIPEX's countries): every page
shows one of them, chosen in the sidebar and kept in the URL; none mixes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.config import Settings
from data.imports import Upload, ensure_default, plan_import, publish_plan
from data.store import Store
from conftest import SHARED
from mipexfix import COMMENT, workbook

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def two_frameworks(tmp_path_factory):
    root = tmp_path_factory.mktemp("frameworks")
    cfg = Settings(store_path=root / "store", keep_versions=5, max_upload_bytes=50 * 2**20,
                   max_rows=1_000_000)
    store = Store(cfg.store_path)
    ensure_default(store)
    publish_plan(store, plan_import(store, [Upload("mipex.xlsx", workbook())], cfg), who="t")
    return store


@pytest.fixture
def app(two_frameworks, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MIPEXR_STORE", str(two_frameworks.root))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield two_frameworks
    st.cache_resource.clear()
    st.cache_data.clear()


def run(page=None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_default_is_the_regional_index_and_the_choice_is_offered(app):
    at = run()
    fw = at.sidebar.selectbox(key="w_fw")
    assert fw.options == ["MIPEX-R — regions", "MIPEX — countries"]
    assert fw.value == "MIPEX-R"
    shown = table_with(at, "Overall score")
    assert len(shown) == 25 and "EL" not in set(shown["Region code"])
    assert at.sidebar.selectbox(key="w_edition").options == ["2024", "2021"]


def test_the_national_index_from_the_url(app):
    at = run(fw="MIPEX")
    assert at.sidebar.selectbox(key="w_fw").value == "MIPEX"
    shown = table_with(at, "Overall score").set_index("Region code")
    assert set(shown.index) == {"DE", "EL"}  # countries only, no region of MIPEX-R
    assert at.sidebar.selectbox(key="w_edition").options == ["2022", "2021", "2020", "2019"]
    assert shown.loc["DE", "Overall score"] == pytest.approx(100)  # DE 2022: every score 100
    areas = set(table_with(at, "Mean score across regions (0–100)")["Area"]) if any(
        "Mean score across regions (0–100)" in d.value.columns for d in at.dataframe) else None
    if areas is not None:
        assert areas == {"labour market mobility", "health"}


def test_switching_the_index_drops_what_belongs_to_the_other(app):
    at = run("pages/region.py", region="ES51", area="health")
    at.sidebar.selectbox(key="w_fw").set_value("MIPEX").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "region" not in at.query_params or at.query_params["region"] in ("DE", "EL",
                                                                           ["DE"], ["EL"])
    assert at.selectbox(key="w_region").value in ("DE", "EL")
    assert not [i for i in at.info if "not in the data" in str(i.value)]


def test_national_drilldown_and_methodology_show_answers_and_comments(app):
    at = run("pages/region.py", fw="MIPEX", region="DE", edition="2020")
    drill = table_with(at, "Answer means").set_index("Indicator")
    assert drill.loc["aa1", "Answer"] == "50"
    assert drill.loc["aa1", "Answer means"] == "A and (C or certain categories of B)"
    assert drill.loc["aa1", "Note"] == COMMENT
    at = run("pages/methodology.py", fw="MIPEX")
    ind = table_with(at, "Answer options").set_index("Code")
    assert set(ind.index) == {"aa1", "ab7ab8", "ab9", "ab9a", "ab9b", "145a", "146a", "152c"}
    assert ind.loc["ab7ab8", "Answers → values"] == "100 → 100 · 67 → 67 · 33 → 33 · 0 → 0"
    assert "152a=50 & 152b=50" in ind.loc["152c", "Answer options"]


def test_an_unknown_index_in_the_link_gives_a_notice(app):
    at = run(fw="NOPE")
    assert at.sidebar.selectbox(key="w_fw").value == "MIPEX-R"
    assert any("NOPE" in str(i.value) for i in at.info)


def test_one_framework_shows_no_choice(monkeypatch, tmp_path):
    import streamlit as st

    store = Store(tmp_path / "store")
    ensure_default(store)
    monkeypatch.setenv("MIPEXR_STORE", str(store.root))
    st.cache_resource.clear()
    at = run()
    assert not [s for s in at.sidebar.selectbox if s.key == "w_fw"]
    st.cache_resource.clear()


def test_a_country_without_a_score_in_the_edition_is_sent_to_its_latest(app):
    """MIPEX published 2024 for some countries only: a country page in an edition without its
    score says so and links to the latest edition that has one; a country-level unit has no
    "rank in its country"."""
    import scoring

    at = run("pages/region.py", fw="MIPEX", region="EL", edition="2022")
    notes = [str(i.value) for i in at.info]
    assert any("no score in edition 2022" in n for n in notes), notes
    latest = max(e for e in scoring.editions_with_data(_cube(app), "EL", "TCN") if e != 2022)
    assert any(f"latest edition with a score is {latest}" in n for n in notes), notes
    assert not [m for m in at.metric if m.label.startswith("Rank in ")]
    at = run("pages/region.py", fw="MIPEX", region="DE", edition="2022")
    assert not [i for i in at.info if "no score in edition" in str(i.value)]
    assert [m.label for m in at.metric if m.label.startswith("Rank among")]
    assert not [m for m in at.metric if m.label.startswith("Rank in ")]
    # a region of MIPEX-R with other regions of its country keeps its rank in the country
    at = run("pages/region.py", region="ES51")
    assert [m for m in at.metric if m.label.startswith("Rank in ES")]


def _cube(store):
    import scoring
    from data.schema import framework_of

    tabs = store.tables()
    ind = tabs["indicators"][framework_of(tabs["indicators"]) == "MIPEX"]
    return scoring.prepare(ind, tabs["scores"][tabs["scores"]["indicator_id"].isin(
        ind["indicator_id"])])


REAL_WORKBOOK = SHARED / "mipex" / "mipex_EU_2020-2024.xlsx"


@pytest.fixture(scope="module")
def real_mipex(tmp_path_factory):
    """A store with MIPEX's real EU workbook imported (skipped when the file is absent)."""
    if not REAL_WORKBOOK.exists():
        pytest.skip("shared MIPEX workbook not present")
    root = tmp_path_factory.mktemp("real-mipex")
    cfg = Settings(store_path=root / "store", keep_versions=5, max_upload_bytes=50 * 2**20,
                   max_rows=1_000_000)
    store = Store(cfg.store_path)
    ensure_default(store)
    publish_plan(store, plan_import(store, [Upload(REAL_WORKBOOK.name, REAL_WORKBOOK.read_bytes())],
                                    cfg), who="t")
    return store


@pytest.fixture
def real_app(real_mipex, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MIPEXR_STORE", str(real_mipex.root))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield real_mipex
    st.cache_resource.clear()
    st.cache_data.clear()


def test_one_country_pages_open_on_a_country_with_a_score_in_view(real_app):
    """MIPEX's real 2024 column lacks AT, IT, PT and SE: the profile, the brief and the
    workshop, opened without a country in the link, show a country that has a 2024 score,
    not Austria's "no data"."""
    for page in ("pages/region.py", "pages/brief.py", "pages/workshop.py"):
        at = run(page, fw="MIPEX")
        assert at.session_state["w_edition"] == 2024
        shown = at.session_state["w_region"]
        assert shown not in {"AT", "IT", "PT", "SE"}, (page, shown)
        assert not [i for i in at.info if "no score in edition" in str(i.value)], page
        assert not [m for m in at.metric if m.value == "no data"], page
    # Compare opens on three countries with a 2024 score (it took AT, BE, BG: two "no data")
    at = run("pages/compare.py", fw="MIPEX")
    chosen = at.multiselect(key="w_regions").value
    assert len(chosen) == 3 and not set(chosen) & {"AT", "IT", "PT", "SE", "BG"}, chosen


def test_every_mipex_strand_is_named_in_the_language(real_app):
    """The workbook's strands "family reunification", "antidiscrimination" and "citizenship"
    stayed English on French pages (MIPEX-R's words are "family reunion", …)."""
    from ui import i18n

    areas = set(real_app.tables()["indicators"]["area"].dropna())
    for lang in list(i18n.LANGUAGES)[1:]:
        with i18n.using(lang):
            untranslated = {a for a in areas if i18n.term(a) == a}
        assert not untranslated, (lang, untranslated)
    with i18n.using("fr"):
        assert i18n.term("family reunification") == "regroupement familial"


def test_the_national_index_calls_its_places_countries(app):
    """MIPEX's places are countries: the headline cards, the ranking, the peer choice and the
    brief's summary said "regions" (and offered "Same country" peers: the country alone)."""
    at = run(fw="MIPEX")
    labels = [m.label for m in at.metric]
    assert "Countries with a score" in labels and "Regions with a score" not in labels
    assert "Countries ranked" in [s.value for s in at.subheader]
    assert any(str(c.value).startswith("Click a country to open its profile.") for c in at.caption)
    at = run("pages/region.py", fw="MIPEX", region="DE", edition="2021")
    assert [m.label for m in at.metric if m.label.startswith("Rank among")] == ["Rank among 2 countries"]
    peers = at.radio(key="w_peers_mode")
    assert "Same country" not in peers.options and "All other countries" in peers.options
    assert "Chosen countries" in peers.options and "Chosen regions" not in peers.options
    at = run("pages/brief.py", fw="MIPEX", region="DE", edition="2021")
    assert any("among 2 countries" in str(m.value) for m in at.markdown), [m.value for m in at.markdown]
    # the brief's files: the footer under every page and the methodology name the peers
    from ui import brief

    tabs = app.tables()
    b = brief.build(_cube(app), tabs, {"version": "v", "created": "2026-01-01T00:00"}, "DE",
                    "TCN", 2021)
    words = brief.footer(b) + " " + " ".join(brief.methodology_text(b))
    assert "peers: all 1 other countries" in words and "Peers are all 1 other countries" in words
    assert "other regions ·" not in words and "Peers are all 1 other regions" not in words
    # MIPEX's figures are credited to MIPEX, not to MIPEX-R (REGIN)
    assert brief.footer(b).startswith("Source: MIPEX (Migration Policy Group and CIDOB)"), brief.footer(b)
    # the regional index keeps its words
    at = run()
    assert "Regions with a score" in [m.label for m in at.metric]
    at = run("pages/region.py", region="ES51")
    assert {"Same country", "All other regions"} <= set(at.radio(key="w_peers_mode").options)
