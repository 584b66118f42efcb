"""Outcomes as data: the measure catalogue built at import and kept when staff edit it; the
Region profile's and the brief's panel for any measure (comparison in words, year, flags);
an empty series flagged u says so; the pairing rule and the flag of a derived figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import scoring
from conftest import SHARED
from data.export import table_csv
from data.imports import Upload, ensure_default, plan_import, publish_plan
from data.store import Store
from ui import brief, profile

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LFUR = SHARED / "eurostat" / "lfst_r_lfur2gac__custom_6388808_linear.csv"
MEASURE = "lfst_r_lfur2gac sex=T age=Y15-64"
HEAD = "DATAFLOW,LAST UPDATE,freq,unit,c_birth,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"


def lfur_rows() -> str:
    """A small export in the layout of lfst_r_lfur2gac: Catalonia with a 2022 figure for
    both groups (flag d) and 2023 for one group only; the Azores' non-EU-born series empty,
    flagged u, in every year."""
    rows = []
    for geo, c_birth, year, value, flag in [
        ("ES51", "TOTAL", 2021, "11.9", "d"), ("ES51", "NEU27_2020_FOR", 2021, "21.0", "d"),
        ("ES51", "TOTAL", 2022, "9.8", "d"), ("ES51", "NEU27_2020_FOR", 2022, "16.9", "d"),
        ("ES51", "TOTAL", 2023, "9.1", ""), ("ES51", "NEU27_2020_FOR", 2023, "", "u"),
        ("PT20", "TOTAL", 2021, "8.0", ""), ("PT20", "NEU27_2020_FOR", 2021, "", "u"),
        ("PT20", "TOTAL", 2022, "6.2", "u"), ("PT20", "NEU27_2020_FOR", 2022, "", "u"),
        ("XX99", "TOTAL", 2022, "1.0", ""),
    ]:
        rows.append(f"ESTAT:LFST_R_LFUR2GAC(1.0),27/04/23 03:08:00,A,PC,{c_birth},T,Y15-64,{geo},"
                    f"{year},{value},{flag}")
    return HEAD + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def lfur_store(tmp_path_factory):
    """The default data plus an unemployment-by-country-of-birth export."""
    from data.config import Settings

    root = tmp_path_factory.mktemp("outcomes")
    cfg = Settings(store_path=root / "store", keep_versions=5, max_upload_bytes=50 * 2**20,
                   max_rows=1_000_000)
    store = Store(cfg.store_path)
    ensure_default(store)
    content = LFUR.read_bytes() if LFUR.exists() else lfur_rows().encode()
    plan = plan_import(store, [Upload("lfur2gac.csv", content)], cfg)
    assert plan.ok, plan.problems.to_string()
    publish_plan(store, plan, who="t")
    return store, cfg


def test_pairing_rule_and_derived_flags():
    assert scoring.pair_year([2019, 2021, 2023], 2022) == 2021  # nearest not after
    assert scoring.pair_year([2019, 2022, 2023], 2022) == 2022
    assert scoring.pair_year([2023, 2025], 2021) == 2023  # all after: the nearest after
    assert scoring.pair_year([2019, 2021], None) == 2021
    assert scoring.pair_year([], 2024) is None
    assert scoring.combined_flag("b", "u") == "bu"
    assert scoring.combined_flag(None, "u") == "u" and scoring.combined_flag("", None) is None
    assert scoring.combined_flag("bd", "du") == "bdu"
    assert scoring.comparison("country of birth", "TOTAL", "NEU27_2020_FOR") == (
        "all residents", "non-EU-born")
    assert scoring.comparison("citizenship", "NAT", "NEU27_2020_FOR") == (
        "nationals", "non-EU citizens")
    assert scoring.comparison("country of birth", "NAT", "NEU27_2020_FOR") == (
        "native-born", "non-EU-born")
    assert scoring.comparison(None, None, None) is None


def test_gap_carries_the_flag_of_either_input_and_its_direction():
    area = pd.DataFrame({"region_id": ["R1"], "target_group": ["TCN"], "edition": [2024],
                         "area": ["lab"], "score": [50.0], "coverage": [1.0]})
    oc = pd.DataFrame({"region_id": "R1", "measure": "unemp", "group": ["TOTAL", "NEU"] * 2,
                       "year": [2022, 2022, 2025, 2025], "value": [10.0, 16.0, 9.0, 12.0],
                       "flag": [None, "u", "b", None], "unit": "PC", "source": "x"})
    g = scoring.policy_outcome_gap(area, oc, "lab", target_group="TCN", edition=2024,
                                   measure="unemp", reference_group="TOTAL",
                                   migrant_group="NEU", direction=-1).iloc[0]
    # the edition is 2024: 2022 (not 2025); lower is better, so the gap is 16 − 10
    assert (g["year"], g["outcome_gap"], g["flag_gap"]) == (2022, 6.0, "u")
    g = scoring.policy_outcome_gap(area, oc, "lab", target_group="TCN", edition=2026,
                                   measure="unemp", reference_group="TOTAL",
                                   migrant_group="NEU", direction=-1).iloc[0]
    assert (g["year"], g["outcome_gap"], g["flag_gap"]) == (2025, 3.0, "b")


def test_catalogue_built_at_import(lfur_store):
    store, _ = lfur_store
    cat = store.tables()["measures"].set_index("measure")
    row = cat.loc[MEASURE]
    assert row["label"] == "Unemployment rate, 15–64" and row["direction"] == -1
    assert row["basis"] == "country of birth"
    assert (row["reference_group"], row["migrant_group"]) == ("TOTAL", "NEU27_2020_FOR")
    assert "labour market" in row["areas"] and row["unit"] == "%"
    assert cat.loc["employment_rate_20_64", "label"] == "Employment rate, 20–64"  # kept


def test_staff_edits_to_the_catalogue_survive_a_reimport(lfur_store, tmp_path):
    store, cfg = lfur_store
    local = Store(tmp_path / "copy")
    publish_plan(local, plan_import(local, [Upload(f"{t}.csv", table_csv(f), t) for t, f in
                                            store.tables().items()], cfg), who="t")
    cat = local.tables()["measures"]
    cat.loc[cat["measure"] == MEASURE, "label"] = "Unemployment (by birth)"
    publish_plan(local, plan_import(local, [Upload("measures.csv", table_csv(cat), "measures")],
                                    cfg), who="staff")
    again = plan_import(local, [Upload("lfur.csv", lfur_rows().encode())], cfg)
    assert again.ok
    row = again.tables["measures"].set_index("measure").loc[MEASURE]
    assert row["label"] == "Unemployment (by birth)"


def run(store, page, **params) -> AppTest:
    import os

    os.environ["MIPEXR_STORE"] = str(store.root)
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def app_env(lfur_store, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MIPEXR_STORE", str(lfur_store[0].root))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield lfur_store[0]
    st.cache_resource.clear()
    st.cache_data.clear()


def figures(store, region, year):
    oc = store.tables()["outcomes"]
    sel = oc[(oc["measure"] == MEASURE) & (oc["region_id"] == region) & (oc["year"] == year)]
    return sel.set_index("group")


def test_catalonia_shows_its_non_eu_born_gap_with_comparison_year_and_flags(app_env):
    store = app_env
    at = run(store, "pages/region.py", region="ES51", measure=MEASURE)
    assert at.selectbox(key="w_measure").value == MEASURE
    assert "Unemployment rate, 15–64" in at.selectbox(key="w_measure").options
    f = figures(store, "ES51", 2022)  # the 2024 edition: 2022 is the nearest year not after
    gap = f.loc["NEU27_2020_FOR", "value"] - f.loc["TOTAL", "value"]  # lower is better
    flag = scoring.combined_flag(f.loc["TOTAL", "flag"], f.loc["NEU27_2020_FOR", "flag"])
    shown = [m.value for m in at.metric if m.label.startswith("Gap, 2022")]
    assert shown == [f"{gap:.1f} pp" + (f" ({flag})" if flag else "")]
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "non-EU-born residents (NEU27_2020_FOR) compared with all residents (TOTAL)" in caption
    assert "Outcome year 2022: the nearest year not after the 2024 edition" in caption
    table = next(d.value for d in at.dataframe if "Flag means" in d.value.columns)
    assert table["Year"].tolist() == [2024, 2022, 2022, 2022]
    assert table["Figure"].iloc[3] == "Gap, pp (NEU27_2020_FOR − TOTAL)"
    assert table["Value"].iloc[3] == pytest.approx(gap)
    if flag:
        assert table["Flag"].iloc[3] == flag and ":" in table["Flag means"].iloc[3]


def test_the_azores_empty_series_says_so(app_env):
    store = app_env
    at = run(store, "pages/region.py", region="PT20", measure=MEASURE)
    tabs = store.tables()
    res = profile.outcome_gap(profile.axis_table(_cube(store), "area"), tabs["outcomes"],
                              profile.measure_catalogue(tabs["measures"], tabs["outcomes"]),
                              tabs["regions"], "PT20", "TCN", 2024, MEASURE)
    assert res["status"] == "no migrant figure" and res["migrant_years"] == []
    row = res["row"].iloc[0]
    assert np.isnan(row["value_migrant"]) and np.isnan(row["outcome_gap"])
    assert "u" in row["flag_migrant"] and "u" in row["flag_gap"]
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "publishes no figure for non-EU-born residents here in any year" in caption
    assert "flag u: low reliability" in caption and "this is not a 0" in caption
    gap = [m.value for m in at.metric if m.label.startswith("Gap,")]
    assert gap and gap[0].startswith("no data")  # never 0, never blank
    table = next(d.value for d in at.dataframe if "Flag means" in d.value.columns)
    assert np.isnan(table["Value"].iloc[2]) and table["Flag"].iloc[2] == "u"


def _cube(store):
    t = store.tables()
    ind, sc = t["indicators"], t["scores"]
    from data.schema import framework_of

    ind = ind[framework_of(ind) == "MIPEX-R"]
    return scoring.prepare(ind, sc[sc["indicator_id"].isin(ind["indicator_id"])],
                           regions=t["regions"].loc[t["regions"]["region_id"].isin(
                               sc["region_id"]), "region_id"])


def test_default_measure_is_the_one_linked_to_the_area_in_view(app_env):
    store = app_env
    at = run(store, "pages/region.py", region="ES51")
    assert at.selectbox(key="w_measure").value == "employment_rate_20_64"  # position 1
    cat = profile.measure_catalogue(store.tables()["measures"], store.tables()["outcomes"])
    extra = pd.DataFrame([{"measure": "early", "label": "Early leavers", "areas": "education",
                           "direction": -1, "position": 9}])
    cat = pd.concat([cat, extra], ignore_index=True)
    assert profile.default_measure(cat, ["education", "labour market"], "education") == "early"
    assert profile.default_measure(cat, ["labour market"]) == "employment_rate_20_64"


def test_brief_shows_the_chosen_measure(app_env):
    store = app_env
    tabs = store.tables()
    b = brief.build(_cube(store), tabs, store.manifest(), "ES51", "TCN", 2024, measure=MEASURE)
    assert b.outcome is not None and "Unemployment rate, 15–64" in " ".join(b.outcome["Figure"])
    assert "compared with all residents (TOTAL)" in b.outcome_text
    assert "Outcome year 2022" in b.outcome_text
    html = brief.to_html(b)
    assert "compared with all residents (TOTAL)" in html
    default = brief.build(_cube(store), tabs, store.manifest(), "ES51", "TCN", 2024)
    assert "Employment rate" in " ".join(default.outcome["Figure"])
    at = run(store, "pages/brief.py", region="ES51", measure=MEASURE)
    assert at.selectbox(key="w_measure").value == MEASURE


def test_methodology_states_the_pairing_rule_and_lists_the_catalogue(app_env):
    at = run(app_env, "pages/methodology.py")
    text = " ".join(m.value for m in at.markdown)
    assert "nearest year not after the edition" in text
    assert "a u on either shows on the gap" in text.replace("*", "")
    cat = next(d.value for d in at.dataframe if "Compares" in d.value.columns)
    row = cat.set_index("Code").loc[MEASURE]
    assert row["Compares"] == "all residents vs non-EU-born residents"
    assert row["Better when"] == "lower"


def test_nothing_is_hard_coded_to_one_measure():
    for path in ("ui/profile.py", "ui/brief.py", "scoring/outcome.py", "pages/region.py"):
        text = (Path(APP).parent / path).read_text(encoding="utf-8")
        assert "employment_rate_20_64" not in text, path
