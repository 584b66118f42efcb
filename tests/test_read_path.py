"""The pages' default views read the results stored with the version through DuckDB
(data.query.Reader) and get exactly what computing them from the scoring cube gives: one
concept, one function — frame-equal, types included."""

from __future__ import annotations

import pandas as pd
import pytest

import scoring
from data.backends import open_store
from data.imports import ensure_default
from data.query import Reader
from views import common


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("store"))
    ensure_default(store)
    tabs = store.tables()
    scored = tabs["regions"].loc[tabs["regions"]["region_id"].isin(tabs["scores"]["region_id"]),
                                 "region_id"]
    cube = scoring.prepare(tabs["indicators"], tabs["scores"], regions=scored)
    return tabs, cube, Reader(store)


@pytest.mark.parametrize("group", ["TCN", "BIP", "ALL"])
@pytest.mark.parametrize("edition", [2021, 2024])
def test_overall_from_the_store_equals_the_cube(published, group, edition):
    tabs, cube, reader = published
    computed = common.overall_table(cube, tabs["regions"], edition, group)
    stored = common.overall_from_results(reader.overall("MIPEX-R", group, edition),
                                         common.scored_regions(cube, tabs["regions"]))
    pd.testing.assert_frame_equal(stored, computed)


def test_a_place_without_a_score_in_this_edition_is_listed_as_no_data(published):
    """Stored results list only places with data; the page lists every scored place of the
    version, as the cube does — the ones without a score here last, with no rank."""
    tabs, cube, reader = published
    units = common.scored_regions(cube, tabs["regions"])
    ranked = reader.overall("MIPEX-R", "TCN", 2024)
    gone = ranked["region_id"].iloc[3]
    shown = common.overall_from_results(ranked[ranked["region_id"] != gone], units)
    assert len(shown) == len(units)
    last = shown.iloc[-1]
    assert last["region_id"] == gone and pd.isna(last["rank"]) and pd.isna(last["score"])
    assert last["areas_scored"] == 0 and last["coverage"] == 0.0


def test_similar_places_from_the_store_equal_the_cube(published):
    from views import region as vr

    tabs, cube, reader = published
    table = common.axis_table(cube, "area")
    labels = common.region_label(tabs["regions"])
    for region in ("ES51", "ITC4", "SE224", "DE2"):
        for group, edition in (("TCN", 2024), ("BIP", 2021), ("ALL", 2024)):
            computed = vr.similar_regions(table, region, group, edition, labels)
            stored = vr.similar_from_results(
                reader.similar("MIPEX-R", region, group, edition, common.N_SIMILAR), labels)
            pd.testing.assert_frame_equal(stored, computed.reset_index(drop=True))


def test_the_same_content_published_again_replays_its_results(tmp_path, monkeypatch):
    """Results are a pure function of the raw tables, whose hash is the version id: a second
    store publishing the same content gets the same results files without computing them."""
    from data import store as ds
    from scoring import results

    first = open_store(tmp_path / "a")
    ensure_default(first)
    version = first.current_id()
    assert version in ds._RECENT_RESULTS

    def refuse(_tables):
        raise AssertionError("computed again")

    monkeypatch.setattr(results, "iter_results", refuse)
    second = open_store(tmp_path / "b")
    ensure_default(second)
    assert second.current_id() == version
    assert second.manifest()["results"] == first.manifest()["results"]
