"""MIPEX's published workbook: read, validated, compared with its own figures, published."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scoring
from conftest import SHARED, tree_hash
from data.formula import FormulaError, coefficients, evaluate
from data.imports import Upload, ensure_default, plan_import, publish_plan
from data.mipex import parse_options
from data.schema import framework_of
from data.store import Store
from mipexfix import COMMENT, cell_rows, workbook

REAL = SHARED / "mipex" / "mipex_EU_2020-2024.xlsx"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="shared MIPEX workbook not present")


@pytest.fixture
def demo_store(settings) -> Store:
    store = Store(settings.store_path)
    ensure_default(store)
    return store


def warnings(plan) -> pd.DataFrame:
    return plan.problems[plan.problems["severity"] == "warning"]


# ------------------------------------------------------------------ pieces

def test_formula_weights_and_values():
    assert coefficients("=AVERAGE(E68,((H68+K68)/2),((N68+Q68+T68)/3),W68)") == pytest.approx(
        {"E68": 0.25, "H68": 0.125, "K68": 0.125, "N68": 1 / 12, "Q68": 1 / 12, "T68": 1 / 12,
         "W68": 0.25})
    assert coefficients("=0.67*AI29+0.33*AL29") == pytest.approx({"AI29": 0.67, "AL29": 0.33})
    # Excel's AVERAGE skips a blank reference; "+" counts a blank as 0
    cells = {"E1": 50, "H1": None, "K1": 100}
    assert evaluate("=AVERAGE(E1,H1,K1)", cells.get) == 75
    assert evaluate("=(E1+H1+K1)/3", cells.get) == 50
    for bad in ("=AVERAGE(E1:K1)", "=VLOOKUP(E1,F1,2)", "=E1*K1", "=E1+1"):
        with pytest.raises(FormulaError):
            coefficients(bad)


def test_answer_options_parsed_or_kept_as_text():
    o = parse_options("100 - All of them\n50 - A and (C or B) \n0 - Only A or none")
    assert (o.kind, o.answers) == ("map", "100=100;50=50;0=0")
    assert o.text.splitlines()[1] == "50 - A and (C or B)"
    o = parse_options("100-  None measure\n67  - Two\n33 - One\n0 - None\n\n")
    assert o.answers == "100=100;67=67;33=33;0=0"
    o = parse_options("0 - bb28a=0 & bb28b=0 \n17 - bb28a=50 & bb28b=0\n100 - bb28a=100")
    assert (o.kind, o.answers) == ("rule", "")  # never turned into a guessed map
    assert "17 - bb28a=50 & bb28b=0" in o.text
    assert parse_options("TO BE FILLED AUTOMATICALLY").kind == "computed"


# ------------------------------------------------------------------ a workbook built here

def test_built_workbook_imports_and_matches_its_own_figures(demo_store, settings):
    before = tree_hash(demo_store.root)
    plan = plan_import(demo_store, [Upload("mipex.xlsx", workbook(extra_sheet=True))], settings)
    assert plan.ok, plan.problems.to_string()
    assert plan.formats == {"mipex.xlsx": "mipex"}
    assert tree_hash(demo_store.root) == before  # planning writes nothing
    ind = plan.tables["indicators"].set_index("indicator_id")
    mipex = ind[framework_of(ind) == "MIPEX"]
    assert set(mipex.index) == {"aa1", "ab7ab8", "ab9", "ab9a", "ab9b", "145a", "146a", "152c"}
    assert mipex.loc["ab7ab8", "area"] == "labour market mobility"
    assert mipex.loc["ab7ab8", "answers"] == "100=100;67=67;33=33;0=0"
    assert pd.isna(mipex.loc["152c", "answers"]) and "152a=50" in mipex.loc["152c", "answer_options"]
    # weights from the strand averages: sub-indicators the average does not use weigh 0
    w = mipex["weight"].to_dict()
    assert (w["aa1"], w["ab7ab8"], w["ab9"], w["ab9a"], w["ab9b"]) == (1, 1, 1, 0, 0)
    assert (w["145a"], w["146a"], w["152c"]) == (0.5, 0.5, 1)
    assert set(mipex["framework"]) == {"MIPEX"} and set(mipex["target_groups"]) == {"TCN"}
    # regions: the sheet codes, Greece as EL with its sheet's code kept; existing ones kept
    reg = plan.tables["regions"].set_index("region_id")
    assert reg.loc["EL", "country"] == "GR" and reg.loc["EL", "source_code"] == "GR"
    assert reg.loc["EL", "name"] == "Greece" and reg.loc["EL", "level"] == "NUTS0"
    assert reg.loc["DE", "name"] == "Deutschland"  # the demo's row is not overwritten
    # scores: each year an edition, the comment as the note, an answer where the map has it
    sc = plan.tables["scores"]
    de = sc[(sc["region_id"] == "DE") & (sc["indicator_id"] == "aa1") & (sc["edition"] == 2020)]
    assert de["note"].iloc[0] == COMMENT and de["answer"].iloc[0] == "50"
    assert de["value"].iloc[0] == 50
    ab9 = sc[(sc["region_id"] == "DE") & (sc["indicator_id"] == "ab9") & (sc["edition"] == 2020)]
    assert ab9["value"].iloc[0] == 75  # the workbook's formula, computed (no cached value)
    assert not ((sc["region_id"] == "EL") & (sc["edition"] == 2022)).any()  # DE only
    # every unreadable cell is reported with its sheet and address
    rows = cell_rows()
    w_ = warnings(plan)
    where = set(w_["column"].dropna())
    assert f"GR!E{rows['GR']['health']}" in where
    assert f"GR!M{rows['GR']['labour']}" in where
    assert any("rules over other indicators" in m for m in w_["message"])
    # the check: the dashboard's figures against the workbook's own
    check = plan.checks["mipex"].set_index(["region_id", "year", "what"])
    assert check.loc[("DE", 2020, "labour market mobility"), "dashboard"] == pytest.approx(64)
    assert check.loc[("DE", 2020, "health"), "dashboard"] == pytest.approx(37.5)
    assert check.loc[("DE", 2020, "overall"), "workbook"] == pytest.approx(50.75)
    # a year before a strand existed: the overall is the mean of the strands present, and is
    # compared with the workbook's "without health" column
    assert check.loc[("DE", 2019, "overall (without health)"), "workbook"] == pytest.approx(64)
    assert check.loc[("DE", 2019, "overall (without health)"), "same"]
    assert check.loc[("DE", 2019, "health"), "same"]  # no figure on either side
    readable = check[check["workbook"].notna()]
    assert readable["same"].all(), readable[~readable["same"]]
    # GR 2020's health figure cannot be computed in the workbook ("n/a" in a sum): listed
    assert np.isnan(check.loc[("EL", 2020, "health"), "workbook"])
    assert not check.loc[("EL", 2020, "health"), "same"]


def test_built_workbook_published_is_scored_like_the_workbook(demo_store, settings):
    plan = plan_import(demo_store, [Upload("mipex.xlsx", workbook())], settings)
    publish_plan(demo_store, plan, who="t")
    tabs = demo_store.tables()
    ind = tabs["indicators"][framework_of(tabs["indicators"]) == "MIPEX"]
    sc = tabs["scores"][tabs["scores"]["indicator_id"].isin(ind["indicator_id"])]
    cube = scoring.prepare(ind, sc)
    ov = scoring.overall(cube, weights="column")
    de = ov[(ov["region_id"] == "DE") & (ov["target_group"] == "TCN")].set_index("edition")
    assert de.loc[2020, "score"] == pytest.approx(50.75)
    # 2022: labour (100 + 100 + 100)/3, health ((100 + 100)/2 + 100)/2 → 100
    assert de.loc[2022, "score"] == pytest.approx(100)


def test_replacing_a_framework_keeps_the_other(demo_store, settings):
    publish_plan(demo_store, plan_import(demo_store, [Upload("m.xlsx", workbook())], settings),
                 who="t")
    n_regional = (framework_of(demo_store.tables()["indicators"]) == "MIPEX-R").sum()
    plan = plan_import(demo_store, [Upload("m.xlsx", workbook(), mode="replace")], settings)
    assert plan.ok
    fw = framework_of(plan.tables["indicators"])
    assert (fw == "MIPEX-R").sum() == n_regional and (fw == "MIPEX").sum() == 8
    assert not plan.changes  # the same workbook again changes nothing


def test_a_rejected_workbook_leaves_the_store_byte_identical(demo_store, settings):
    before = tree_hash(demo_store.root)
    plain = Upload("mipex.csv", b"region_id,name\nDE,Deutschland\n", fmt="mipex")
    plan = plan_import(demo_store, [plain], settings)
    assert not plan.ok and "Excel file" in plan.problems["message"].iloc[0]
    from openpyxl import Workbook
    import io

    buf = io.BytesIO()
    Workbook().save(buf)
    plan = plan_import(demo_store, [Upload("empty.xlsx", buf.getvalue(), fmt="mipex")], settings)
    assert not plan.ok and any("MIPEX's layout" in m for m in plan.problems["message"])
    with pytest.raises(ValueError):
        publish_plan(demo_store, plan, who="t")
    assert tree_hash(demo_store.root) == before


# ------------------------------------------------------------------ the published workbook

@needs_real
def test_real_workbook_reproduces_its_figures(demo_store, settings):
    plan = plan_import(demo_store, [Upload(REAL.name, REAL.read_bytes())], settings)
    assert plan.ok, plan.problems.head().to_string()
    check = plan.checks["mipex"]
    assert len(check) > 1100
    # every figure equal to two decimals, except where the workbook's own formula is not
    # the one the other sheets use: those sheets are named in a warning
    odd = warnings(plan)[warnings(plan)["message"].str.contains("computed differently")]
    odd_sheets = {c.split("!")[0] for c in odd["column"]}
    differ = check[~check["same"]]
    assert set(differ["sheet"]) <= odd_sheets, differ
    assert (check["same"] | check["sheet"].isin(odd_sheets)).all()
    assert check["same"].mean() > 0.99
    de = check.set_index(["region_id", "year", "what"])
    assert de.loc[("DE", 2024, "overall"), "dashboard"] == pytest.approx(61.45, abs=0.005)
    # unreadable cells with their addresses
    where = set(warnings(plan)["column"])
    assert {"PT!G51", "SK!AZ27", "SK!BA27", "FI!H75"} <= where
    ind = plan.tables["indicators"].set_index("indicator_id")
    assert ind.loc["ab7ab8", "answers"] == "100=100;67=67;33=33;0=0"
    assert pd.isna(ind.loc["bb28", "answers"]) and "bb28a=50" in ind.loc["bb28", "answer_options"]
    assert ind.loc["eb84a", "weight"] == 0.5 and ind.loc["bb28a", "weight"] == 0
    assert "fb102_new" not in ind.index  # FI's typo read as the other sheets' code
    reg = plan.tables["regions"].set_index("region_id")
    assert reg.loc["EL", "source_code"] == "GR" and reg.loc["CA", "name"] == "Canada"
    sc = plan.tables["scores"]
    years = sc[sc["region_id"] == "AT"]["edition"].unique()
    assert sorted(years) == [2020, 2021, 2022, 2023]  # 2024 missing for AT
    note = sc[(sc["region_id"] == "DE") & (sc["indicator_id"] == "aa1")
              & (sc["edition"] == 2020)]["note"].iloc[0]
    assert note.startswith("On 01 March 2020")


@needs_real
def test_real_workbook_from_the_command_line(demo_store, settings, monkeypatch, capsys,
                                             tmp_path):
    from data.__main__ import main

    monkeypatch.setenv("MIPEXR_STORE", str(demo_store.root))
    before = tree_hash(demo_store.root)
    check_csv = tmp_path / "check.csv"
    code = main(["import", str(REAL), "--format", "mipex", "--dry-run", "--check",
                 str(check_csv)])
    out = capsys.readouterr().out
    assert code == 0 and "Dry run: nothing was published." in out
    assert "equal to two decimals" in out and "SI!B46" in out
    assert tree_hash(demo_store.root) == before
    assert len(pd.read_csv(check_csv)) > 1100
    assert main(["import", str(REAL), "--note", "MIPEX EU 2020-2024"]) == 0
    tabs = Store(demo_store.root).tables()
    assert (framework_of(tabs["indicators"]) == "MIPEX").sum() == 79
