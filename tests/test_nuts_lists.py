"""Regions from Eurostat's official NUTS code lists: the XLSX (a change log first, the list
on sheet "NUTS & SR 2021") and the CSV (NUTS 2024), and codes that changed between them."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from conftest import SHARED, tree_hash
from data.imports import Upload, plan_import, publish_plan
from data.store import Store

NUTS_2024_CSV = SHARED / "nuts" / "NUTS2021-NUTS2024.csv"

# (Code 2021, Country, NUTS level 1, NUTS level 2, NUTS level 3, NUTS level)
ROWS_2021 = [
    ("PT", "Portugal", None, None, None, 0),
    ("PT1", None, "Continente", None, None, 1),
    ("PT11", None, None, "Norte", None, 2),
    ("PT15", None, None, "Algarve", None, 2),
    ("PT16", None, None, "Centro (PT)", None, 2),
    ("PT17", None, None, "Área Metropolitana de Lisboa", None, 2),
    ("PT170", None, None, None, "Área Metropolitana de Lisboa", 3),
    ("PT18", None, None, "Alentejo", None, 2),
    ("PT2", None, "Região Autónoma dos Açores", None, None, 1),
    ("PT20", None, None, "Região Autónoma dos Açores", None, 2),
    ("EL", "Elláda", None, None, None, 0),
    ("EL3", None, "Attiki", None, None, 1),
    ("EL30", None, None, "Attiki", None, 2),
]
ROWS_2024_CSV = """\ufeffCountry code;NUTS Code;NUTS label;NUTS level;Country order;#;;
PT;PT1;Continente;1;22;1;;
PT;PT11;Norte;2;22;2;;
PT;PT15;Algarve;2;22;3;;
PT;PT19;Centro (PT);2;22;4;;
PT;PT1A;Grande Lisboa;2;22;5;;
PT;PT1B;Península de Setúbal;2;22;6;;
PT;PT1C;Alentejo;2;22;7;;
PT;PT1D;Oeste e Vale do Tejo;2;22;8;;
PT;PT2;Região Autónoma dos Açores;1;22;9;;
PT;PT20;Região Autónoma dos Açores;2;22;10;;
;;;;;;;
"""


def nuts_2021_xlsx() -> bytes:
    wb = Workbook()
    log = wb.active
    log.title = "NUTS2016-NUTS2021"
    log.append(["Code 2016", "Code 2021", "Country", "Change"])
    log.append(["PT16", "PT16", "Portugal", "boundary shift"])
    sheet = wb.create_sheet("NUTS & SR 2021")
    sheet.append(["Code 2021", "Country", "NUTS level 1", "NUTS level 2", "NUTS level 3",
                  "NUTS level"])
    for row in ROWS_2021:
        sheet.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def store(settings) -> Store:
    return Store(settings.store_path)


def test_nuts_2021_xlsx_imports_as_regions(store, settings):
    plan = plan_import(store, [Upload("NUTS2021.xlsx", nuts_2021_xlsx())], settings)
    assert plan.ok, plan.problems.to_string()
    assert plan.formats == {"NUTS2021.xlsx": "nuts-list"}
    # which sheet was read is said
    assert any("sheet 'NUTS & SR 2021' was read" in n and "'NUTS2016-NUTS2021'" in n
               for n in plan.notes), plan.notes
    assert any("NUTS 2021 code list" in n for n in plan.notes)
    reg = plan.tables["regions"].set_index("region_id")
    assert len(reg) == len(ROWS_2021)
    assert reg.loc["PT17", "name"] == "Área Metropolitana de Lisboa"
    assert (reg.loc["PT17", "level"], reg.loc["PT17", "parent_id"]) == ("NUTS2", "PT1")
    assert reg.loc["PT170", "level"] == "NUTS3" and reg.loc["PT", "level"] == "NUTS0"
    assert reg.loc["PT", "name"] == "Portugal" and reg.loc["PT1", "name"] == "Continente"
    assert reg.loc["EL30", "country"] == "GR"  # Eurostat's EL is ISO's GR
    assert set(reg["nuts_version"]) == {2021}
    publish_plan(store, plan, who="t")
    assert store.manifest()["rows"]["regions"] == len(ROWS_2021)


def test_a_level_that_contradicts_the_code_is_reported(store, settings):
    wb = Workbook()
    ws = wb.active
    ws.title = "NUTS & SR 2021"
    ws.append(["Code 2021", "Country", "NUTS level 1", "NUTS level 2", "NUTS level 3",
               "NUTS level"])
    ws.append(["PT", "Portugal", None, None, None, 0])
    ws.append(["PT1", None, "Continente", None, None, 2])  # the code says level 1
    buf = io.BytesIO()
    wb.save(buf)
    plan = plan_import(store, [Upload("nuts.xlsx", buf.getvalue())], settings)
    assert plan.ok
    w = plan.problems[plan.problems["severity"] == "warning"]
    hit = w[w["column"] == "NUTS level"]
    assert hit["row"].tolist() == [3] and hit["value"].tolist() == ["PT1: 2"]
    assert plan.tables["regions"].set_index("region_id").loc["PT1", "level"] == "NUTS1"


def test_codes_changed_between_2021_and_2024_are_reported_with_both_codes(store, settings):
    publish_plan(store, plan_import(store, [Upload("NUTS2021.xlsx", nuts_2021_xlsx())],
                                    settings), who="t")
    before = tree_hash(store.root)
    plan = plan_import(store, [Upload("NUTS2021-NUTS2024.csv", ROWS_2024_CSV.encode())],
                       settings)
    assert plan.ok, plan.problems.to_string()
    assert tree_hash(store.root) == before
    w = plan.problems[plan.problems["severity"] == "warning"].set_index("value")
    assert "PT17" in w.index
    text = w.loc["PT17", "message"]
    assert "PT17 (Área Metropolitana de Lisboa, NUTS 2021) is not in the NUTS 2024 list" in text
    assert "PT1A Grande Lisboa" in text and "PT1B Península de Setúbal" in text
    assert "PT19" not in text and "PT11" not in text  # Centro moved; Norte did not change
    assert w.loc["PT16", "message"].startswith("PT16 (Centro (PT), NUTS 2021) is PT19 in NUTS "
                                              "2024: same name, new code.")
    assert "PT1C" in w.loc["PT18", "message"]
    assert "EL30" not in w.index  # Greece is not in the new list: nothing to say about it
    reg = plan.tables["regions"].set_index("region_id")
    assert reg.loc["PT1A", "nuts_version"] == 2024 and reg.loc["PT17", "nuts_version"] == 2021


@pytest.mark.skipif(not NUTS_2024_CSV.exists(), reason="shared NUTS list not present")
def test_the_real_2024_list_after_the_2021_xlsx(store, settings):
    publish_plan(store, plan_import(store, [Upload("NUTS2021.xlsx", nuts_2021_xlsx())],
                                    settings), who="t")
    plan = plan_import(store, [Upload(NUTS_2024_CSV.name, NUTS_2024_CSV.read_bytes())], settings)
    assert plan.ok
    w = plan.problems[plan.problems["severity"] == "warning"].set_index("value")
    assert "PT1A Grande Lisboa" in w.loc["PT17", "message"]
    assert any("NUTS 2024 code list" in n for n in plan.notes)
