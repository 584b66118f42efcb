"""The embedded demo dataset: shape, integrity, and the illustrative REGIN pattern."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data import demo
from data.schema import (AUTHORITY_ROLES, CRITERIA, LANGUAGES, LEVELS, PANDAS_DTYPES, PHASE_ORDER,
                         TABLES, parse_answers, split_list)

PARTNER_LEVELS = {"PT20": "NUTS2", "ITF3": "NUTS2", "ES51": "NUTS2", "ES62": "NUTS2",
                  "ITF4": "NUTS2", "SE224": "NUTS3"}
COUNTRIES = {"AT", "BE", "DE", "IT", "PT", "ES", "SE"}


@pytest.fixture(scope="module")
def d():
    return demo.build_demo()


@pytest.fixture(scope="module")
def valued(d):
    """Scores with the value resolved from the answer map, joined to the indicator axes."""
    ind = d["indicators"].set_index("indicator_id")
    s = d["scores"].join(ind[["area", "phase", "system", "answers"]], on="indicator_id")
    from_answer = [parse_answers(a).get(c) if isinstance(c, str) else np.nan
                   for a, c in zip(s["answers"], s["answer"])]
    s["v"] = s["value"].fillna(pd.Series(from_answer, index=s.index, dtype="float64"))
    return s


def test_flags_and_description():
    assert demo.ILLUSTRATIVE is True
    text = demo.DESCRIPTION.lower()
    assert "illustrative" in text and "not mipex-r results" in text
    assert "nuts 2021" in text and "eurogeographics" in text


def test_tables_have_schema_columns_and_types(d):
    assert set(d) == {"regions", "indicators", "scores", "practices", "outcomes", "measures"}
    for name, frame in d.items():
        table = TABLES[name]
        assert list(frame.columns) == table.names, name
        for col in table.columns:
            want = pd.Series(dtype=PANDAS_DTYPES[col.dtype]).dtype
            assert frame[col.name].dtype == want, (name, col.name, frame[col.name].dtype)


def test_deterministic(d):
    again = demo.build_demo()
    for name in d:
        pd.testing.assert_frame_equal(d[name], again[name])


def test_keys_unique_and_required_filled(d):
    for name, frame in d.items():
        table = TABLES[name]
        assert not frame.duplicated(list(table.key)).any(), name
        for col in table.required:
            assert frame[col].notna().all() and (frame[col].astype(str).str.strip() != "").all(), \
                (name, col)


def test_choices_and_ranges(d):
    for name, frame in d.items():
        for col in TABLES[name].columns:
            values = frame[col.name].dropna()
            if col.choices is not None:
                items = ([i for v in values for i in split_list(v)] if col.dtype == "list"
                         else list(values))
                assert set(items) <= set(col.choices), (name, col.name)
            if col.lo is not None:
                assert (values >= col.lo).all(), (name, col.name)
            if col.hi is not None:
                assert (values <= col.hi).all(), (name, col.name)


def test_regions(d, valued):
    r = d["regions"].set_index("region_id")
    assert set(r["level"]) <= set(LEVELS)
    assert set(r.index[r["level"] == "NUTS0"]) == COUNTRIES
    assert (r["nuts_version"] == 2021).all()
    scored = set(valued["region_id"])
    assert len(scored) == 25
    assert scored.isdisjoint(COUNTRIES)
    assert set(r["country"]) == COUNTRIES
    for rid, level in PARTNER_LEVELS.items():
        assert r.loc[rid, "level"] == level
    assert r.loc["SE224", "parent_id"] == "SE22"
    # every parent is itself a region, and every non-country has a parent in its country
    parents = r["parent_id"].dropna()
    assert set(parents) <= set(r.index)
    assert r.loc[r["level"] != "NUTS0", "parent_id"].notna().all()
    assert all(r.loc[p, "country"] == r.loc[c, "country"] for c, p in parents.items())
    assert r["lat"].between(30, 70).all() and r["lon"].between(-30, 30).all()
    # the Azores are far out in the Atlantic
    assert r.loc["PT20", "lon"] < -20


def test_indicator_framework(d):
    ind = d["indicators"]
    assert 55 <= len(ind) <= 65
    assert ind["area"].nunique() == 9
    assert set(ind["phase"]) == set(PHASE_ORDER)
    assert set(ind["system"]) == {"actions", "actors & relations", "resources"}
    cells = ind.groupby(["area", "phase"]).size()
    assert len(cells) == ind["area"].nunique() * len(PHASE_ORDER)  # no empty area × phase cell
    assert set(ind["target_groups"]) == {"TCN;BIP", "TCN", "BIP"}
    assert (ind["kind"] == "policy").all() and (ind["direction"] == 1).all()
    assert set(ind["weight"]) == {1.0, 2.0}
    for answers in ind["answers"]:
        values = parse_answers(answers).values()
        assert max(values) == 100 and min(values) == 0


def test_scores_are_consistent_with_the_framework(d, valued):
    ind = d["indicators"].set_index("indicator_id")
    s = valued
    assert set(s["edition"]) == {2021, 2024}
    assert set(s["indicator_id"]) <= set(ind.index)
    assert set(s["region_id"]) <= set(d["regions"]["region_id"])
    for iid, group in zip(s["indicator_id"], s["target_group"]):
        assert group in split_list(ind.loc[iid, "target_groups"])
    coded = s[s["answer"].notna()]
    for answers, code in zip(coded["answers"], coded["answer"]):
        assert code in parse_answers(answers)
    assert s["v"].dropna().between(0, 100).all()
    # most rows are answer codes with the value left for the import to resolve
    assert coded["value"].isna().all()
    assert 0.8 < len(coded) / len(s) < 0.97
    # some rows come as values only
    assert ((s["answer"].isna()) & (s["value"].notna())).sum() > 50


def test_missing_data(d, valued):
    s = valued
    blank = s[s["answer"].isna() & s["value"].isna()]
    assert 2 <= len(blank) <= 5
    assert (blank["note"] == "no information found").all()
    # rows omitted at random: a few percent of the full grid
    ind = d["indicators"]
    per_edition = {e: sum(len(split_list(t)) for i, t in zip(ind["indicator_id"], ind["target_groups"])
                          if not (e == 2021 and i in demo.NEW_IN)) for e in (2021, 2024)}
    full = 25 * sum(per_edition.values())
    assert 0.02 < 1 - len(s) / full < 0.08
    # one region misses a whole area in one edition
    region, area, edition = demo.MISSING_AREA
    in_cell = s[(s["region_id"] == region) & (s["area"] == area)]
    assert in_cell[in_cell["edition"] == edition].empty
    assert not in_cell[in_cell["edition"] != edition].empty


def test_one_indicator_only_in_2024(d, valued):
    eds = valued.groupby("indicator_id")["edition"].agg(set)
    only_2024 = sorted(eds[eds == {2024}].index)
    assert len(only_2024) == 1
    assert set(eds.index) == set(d["indicators"]["indicator_id"])  # every indicator is scored


def test_qualitative_regin_pattern(valued):
    s = valued.dropna(subset=["v"])
    by_area = s.groupby("area")["v"].mean()
    for high in ("health", "education"):
        for low in ("labour market", "housing", "vocational training"):
            assert by_area[high] > by_area[low] + 10, (high, low)
    by_phase = s.groupby("phase")["v"].mean()
    assert by_phase.idxmin() == "evaluation"
    by_system = s.groupby("system")["v"].mean()
    assert by_system.idxmin() == "actors & relations"
    by_region = s.groupby("region_id")["v"].mean()
    assert by_region.rank(ascending=False)[["SE224", "ES51"]].max() <= 3
    assert by_region.max() - by_region.min() > 15
    by_edition = s.groupby("edition")["v"].mean()
    assert 0 < by_edition[2024] - by_edition[2021] < 10  # modest, mostly improving
    change = s.groupby(["region_id", "edition"])["v"].mean().unstack().diff(axis=1)[2024]
    assert (change > 0).mean() > 0.7


def test_practices(d):
    p = d["practices"]
    assert 35 <= len(p) <= 45
    text_cols = [c.name for c in TABLES["practices"].columns if c.dtype in ("str", "list")]
    for col in text_cols:
        assert p[col].notna().all() and (p[col].str.strip() != "").all(), col
    assert p[["lat", "lon", "start_year"]].notna().all().all()
    assert p["end_year"].isna().sum() >= 3  # some ongoing
    ended = p.dropna(subset=["end_year"])
    assert (ended["end_year"] >= ended["start_year"]).all()
    areas = set(d["indicators"]["area"])
    for value in p["areas"]:
        assert 1 <= len(split_list(value)) <= 3 and set(split_list(value)) <= areas
    for value in p["criteria"]:
        assert 2 <= len(split_list(value)) <= 5 and set(split_list(value)) <= set(CRITERIA)
    assert set(p["authority_role"]) == set(AUTHORITY_ROLES)
    assert set(p["language"]) <= set(LANGUAGES) and (p["language"] == "en").mean() > 0.7
    assert len(set(p["language"])) >= 5
    assert p["url"].str.startswith("https://example.org/integration-lab/").all()
    counts = p["region_id"].value_counts()
    assert set(PARTNER_LEVELS) <= set(counts.index)
    assert counts[list(PARTNER_LEVELS)].min() > counts.drop(list(PARTNER_LEVELS)).max()
    # practices sit near their region's label point
    r = d["regions"].set_index("region_id")
    assert ((p["lat"].values - r.loc[p["region_id"], "lat"].values) ** 2
            + (p["lon"].values - r.loc[p["region_id"], "lon"].values) ** 2 < 0.1).all()


def test_outcomes(d):
    o = d["outcomes"]
    assert set(o["group"]) == {"NAT", "NEU27_2020_FOR", "EU27_2020_FOR", "TOTAL"}
    assert set(o["year"]) == {2021, 2022, 2023}
    assert set(o["unit"]) == {"PC"}
    assert set(o["region_id"]) <= set(d["regions"]["region_id"])
    assert dict(zip(o["measure"], o["source"])) == {
        "employment_rate_20_64": "lfst_r_lfe2emprtn", "activity_rate_20_64": "lfst_r_lfp2actrtn",
        "unemployment_rate_20_64": "lfst_r_lfur2gan"}
    assert o["value"].dropna().between(0, 100).all()
    flags = o["flag"].value_counts()
    assert flags["u"] >= 5 and flags["b"] == 1
    empty = o[o["value"].isna()]
    assert len(empty) >= 2 and (empty["flag"] == "u").all()
    emp = o[o["measure"] == "employment_rate_20_64"].pivot_table(
        index=["region_id", "year"], columns="group", values="value")
    gap = (emp["NAT"] - emp["NEU27_2020_FOR"]).groupby(level=0).mean()
    assert gap[["SE11", "SE23", "BE2", "BE3"]].min() > 15
    assert gap.mean() > 5
