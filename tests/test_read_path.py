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
    stored = common.overall_from_results(reader.overall("MIPEX-R", group, edition))
    pd.testing.assert_frame_equal(stored, computed)
