"""Real Eurostat files from the shared data folder (skipped when it is absent)."""

from __future__ import annotations

import pytest

from conftest import SHARED
from data.imports import Upload, plan_import, publish_plan
from data.store import Store

EUROSTAT = SHARED / "eurostat" / "edat_lfse_16_linear.csv"
NUTS_LIST = SHARED / "nuts" / "NUTS2021-NUTS2024.csv"
needs_files = pytest.mark.skipif(not (EUROSTAT.exists() and NUTS_LIST.exists()),
                                 reason="shared Eurostat files not present")


@needs_files
def test_nuts_code_list_then_eurostat_outcomes(settings):
    store = Store(settings.store_path)
    plan = plan_import(store, [Upload(NUTS_LIST.name, NUTS_LIST.read_bytes())], settings)
    assert plan.formats[NUTS_LIST.name] == "nuts-list"
    assert plan.ok, plan.problems.head().to_string()
    regions = plan.tables["regions"].set_index("region_id")
    assert regions.loc["BE10", "name"] == "Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest"
    assert regions.loc["BE10", "level"] == "NUTS2" and regions.loc["BE10", "parent_id"] == "BE1"
    assert regions.loc["EL30", "country"] == "GR"  # Eurostat's EL is ISO's GR
    assert len(regions) > 1000  # the 609 empty trailing rows are gone
    publish_plan(store, plan, who="t")

    plan = plan_import(store, [Upload(EUROSTAT.name, EUROSTAT.read_bytes())], settings)
    assert plan.formats[EUROSTAT.name] == "eurostat"
    assert plan.ok, plan.problems.head().to_string()
    oc = plan.tables["outcomes"]
    assert set(oc["measure"]) == {"edat_lfse_16 sex=T age=Y18-24"}
    assert set(oc["source"]) == {"edat_lfse_16"} and set(oc["group"]) == {"TOTAL"}
    at11 = oc[(oc["region_id"] == "AT11") & (oc["year"] == 2000)].iloc[0]
    assert at11["flag"] == "u" and at11["value"] != at11["value"]  # empty value, flag kept
    assert oc["flag"].isin(["u", "b", "p", "e", "d"]).sum() > 100
    # codes the NUTS 2024 list lacks are reported, not silently dropped
    warnings = plan.problems[plan.problems["severity"] == "warning"]
    assert any("not in the regions table" in m for m in warnings["message"])
    publish_plan(store, plan, who="t")
    assert store.manifest()["rows"]["outcomes"] == len(oc)


LFUR = SHARED / "eurostat" / "lfst_r_lfur2gac__custom_6388808_linear.csv"


@pytest.mark.skipif(not LFUR.exists(), reason="shared Eurostat file not present")
def test_outcomes_for_unknown_regions_say_to_import_the_nuts_list_first(settings):
    """Staff who import Eurostat's table before the regions lose most of its rows; the
    warning said only "Add those regions to the regions table first", not how."""
    from data.imports import ensure_default

    store = Store(settings.store_path)
    ensure_default(store)
    plan = plan_import(store, [Upload(LFUR.name, LFUR.read_bytes())], settings)
    warn = plan.problems[plan.problems["message"].str.contains("not in the regions table")]
    assert len(warn) == 1
    fix = warn["fix"].iloc[0]
    assert "NUTS code list" in fix and "import this file again" in fix, fix
