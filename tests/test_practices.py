"""Integration Lab logic without Streamlit: filters, ranked search, practices for my gaps,
and the helpers that keep user text inert (Markdown escaping, link check, selection)."""

from __future__ import annotations

import pandas as pd
import pytest

import scoring
from data import practices as dp
from data.demo import build_demo
from data.imports import derive


@pytest.fixture(scope="module")
def demo():
    return derive(build_demo())


@pytest.fixture(scope="module")
def area_table(demo):
    scored = demo["regions"].loc[demo["regions"]["region_id"].isin(demo["scores"]["region_id"]), "region_id"]
    return scoring.aggregate(scoring.prepare(demo["indicators"], demo["scores"], regions=scored), by=("area",))


def ids(frame) -> list[str]:
    return frame["practice_id"].tolist()


# ------------------------------------------------------------------ filters

def test_no_filter_keeps_every_practice(demo):
    assert len(dp.apply(demo["practices"], dp.Filters(), demo["regions"])) == 40


def test_area_and_target_group_combine_with_and(demo):
    out = dp.apply(demo["practices"], dp.Filters(areas=("housing",), target_groups=("BIP",)), demo["regions"])
    assert ids(out) == ["P009", "P014", "P031", "P033", "P036"]


def test_choices_within_a_facet_are_alternatives(demo):
    out = dp.apply(demo["practices"], dp.Filters(funding=("EAFRD", "Erasmus+")), demo["regions"])
    assert ids(out) == ["P004", "P012", "P022", "P024"]


def test_country_years_and_role(demo):
    out = dp.apply(demo["practices"], dp.Filters(countries=("SE",), years=(2023, 2024)), demo["regions"])
    assert ids(out) == ["P006", "P008", "P010", "P040"]  # P008 is ongoing (no end year)
    out = dp.apply(demo["practices"], dp.Filters(regions=("ES51",), roles=("indirect",)), demo["regions"])
    assert ids(out) == ["P002", "P004"]


def test_stakeholders_and_criteria(demo):
    out = dp.apply(demo["practices"], dp.Filters(stakeholders=("trade unions",),
                                                 criteria=("multi-level governance",)), demo["regions"])
    assert ids(out) == ["P005", "P016", "P019"]


def test_facet_options(demo):
    opts = dp.facet_options(demo["practices"], demo["regions"])
    assert opts["countries"] == ["AT", "BE", "DE", "ES", "IT", "PT", "SE"]
    assert opts["years"] == (2013, 2024)
    assert "housing" in opts["areas"] and opts["roles"] == ["direct", "indirect"]


# ------------------------------------------------------------------ search

@pytest.fixture(scope="module", params=["fts", "ilike"])
def index(request, demo):
    if request.param == "fts" and dp.fts_extension_path() is None:
        pytest.skip("duckdb-extension-fts not installed")
    ix = dp.SearchIndex(demo["practices"], engine=request.param)
    yield ix
    ix.close()


def test_fts_is_the_default_engine(demo):
    assert dp.fts_extension_path() is not None, "pip install duckdb-extension-fts matching duckdb"
    assert dp.SearchIndex(demo["practices"]).engine == "fts"


def test_search_ranks_title_matches_first(index):
    hits = index.search("housing")
    assert set(ids(hits)) == {"P009", "P031", "P036", "P038"}
    assert set(ids(hits)[:2]) == {"P009", "P036"}  # "housing" in the title
    assert hits["score"].is_monotonic_decreasing


def test_search_ignores_accents_and_case(index):
    assert ids(index.search("MENTORIA")) == ["P002"]  # "Mentoría laboral…"


def test_more_words_matched_rank_higher(index):
    hits = ids(index.search("housing refugees"))
    assert hits[0] == "P009"  # "…housing newly settled refugees" has both words
    assert {"P035", "P037"} <= set(hits)  # either word is enough to be found


def test_fts_stems_words(demo):
    ix = dp.SearchIndex(demo["practices"], engine="fts")
    assert "P003" in ids(ix.search("mediator"))  # "Health mediators…"


def test_empty_or_punctuation_query_finds_nothing(index):
    assert index.search("").empty and index.search("  <> ; ").empty


def test_hostile_query_is_data_not_sql(index):
    assert isinstance(index.search("'; DROP TABLE docs; --"), pd.DataFrame)
    assert len(index.search("housing")) == 4  # the table is still there


def test_search_combines_with_filters(demo, index):
    out = dp.apply(demo["practices"], dp.Filters(query="housing", countries=("ES", "PT")), demo["regions"], index)
    assert ids(out) == ["P036", "P038"] or ids(out) == ["P038", "P036"]
    assert out["score"].notna().all()


# ------------------------------------------------------------------ practices for my gaps

def test_gap_areas_are_the_largest_gaps_to_peers(demo, area_table):
    res = dp.gap_suggestions(demo["practices"], demo["regions"], area_table, "ITF3", target_group="BIP",
                             edition=2024)
    assert res.reason == ""
    # the region's priority areas (scoring.priorities), with the data's weights (HE01 ×2)
    assert res.areas == ["anti-discrimination", "health", "vocational training"]
    chosen = res.gaps[res.gaps["chosen"]]
    assert (chosen["gap_peers"] < 0).all()
    assert chosen["gap_peers"].max() <= res.gaps.loc[~res.gaps["chosen"], "gap_peers"].min()


def test_gap_suggestions_rank_and_explain(demo, area_table):
    res = dp.gap_suggestions(demo["practices"], demo["regions"], area_table, "ITF3", target_group="BIP",
                             edition=2024)
    sug = res.practices
    assert ids(sug)[:4] == ["P008", "P031", "P004", "P003"]
    assert "ITF3" not in set(sug["region_id"])  # only other regions
    assert sug["relevance"].is_monotonic_decreasing and sug["rank"].tolist() == list(range(1, len(sug) + 1))
    top = sug.iloc[0]
    assert top["matched"] == "health;vocational training" and top["area"] == "health"
    assert top["gap"] == pytest.approx(19.11, abs=0.01) and top["source_score"] == pytest.approx(75.0)
    # every suggestion lists a chosen area and is for BIP
    prac = demo["practices"].set_index("practice_id")
    assert all(set(m.split(";")) <= set(res.areas) for m in sug["matched"])
    assert all("BIP" in prac.loc[p, "target_groups"] for p in sug["practice_id"])


def test_better_scoring_source_ranks_higher_for_the_same_gap(demo, area_table):
    res = dp.gap_suggestions(demo["practices"], demo["regions"], area_table, "ES51", target_group="ALL",
                             edition=2024)
    assert res.areas == ["language"]
    sug = res.practices
    assert ids(sug)[:3] == ["P027", "P032", "P030"]
    assert sug["source_score"].is_monotonic_decreasing


def test_gap_suggestions_without_scores(demo, area_table):
    res = dp.gap_suggestions(demo["practices"], demo["regions"], area_table, "SE22", target_group="TCN",
                             edition=2024)
    assert res.reason == "no_scores" and res.practices.empty


# ------------------------------------------------------------------ safe rendering helpers

def test_selection_helpers():
    from ui.practices import parse_years, selected_cell, selected_practice

    sel = {"selection": {"indices": {"practices": [3]}, "objects": {"practices": [{"practice_id": "P037"}]}}}
    assert selected_practice(sel) == "P037" and selected_cell(sel) is None
    assert selected_practice({"selection": {"objects": {"regions": [{"region_id": "ES30"}]}}}) is None
    assert selected_practice(None) is None and selected_practice({}) is None
    cell = {"selection": {"objects": {"practices": [{"count": 12, "west": 0, "south": 40, "east": 1,
                                                      "north": 41}]}}}
    assert selected_cell(cell) == (0.0, 40.0, 1.0, 41.0) and selected_practice(cell) is None
    assert parse_years("2018-2022", (2013, 2024)) == (2018, 2022)
    assert parse_years("2030-2010", (2013, 2024)) == (2013, 2024)
    assert parse_years("junk", (2013, 2024)) == (2013, 2024)


def test_legend_escapes_labels():
    from ui.practices import legend_html

    out = legend_html("Areas <b>", [("<script>x</script>", (1, 2, 3, 255))])
    assert "<script>" not in out and "&lt;script&gt;" in out and "&lt;b&gt;" in out


def test_list_items_and_has_any():
    s = pd.Series(["a; b", None, "c;;a", ""])
    assert dp.has_any(s, ["a"]).tolist() == [True, False, True, False]
    assert dp.list_items(s)["item"].tolist() == ["a", "b", "c", "a"]
