"""Every class of bad input gets its exact message, with row and column, and the store is
byte-identical afterwards."""

from __future__ import annotations

import pytest

from conftest import CSV, tree_hash
from data.export import table_csv
from data.imports import Upload, plan_import, publish_plan
from data.schema import TABLE_ORDER


def problems_for(store, settings, content: bytes, table="scores", name="upload.csv"):
    before = tree_hash(store.root)
    plan = plan_import(store, [Upload(name, content, table)], settings)
    assert tree_hash(store.root) == before, "planning an import must not write anything"
    return plan


def only_error(plan):
    errors = plan.problems[plan.problems["severity"] == "error"]
    assert len(errors) == 1, errors.to_string()
    return errors.iloc[0]


def test_score_out_of_range(small_store, settings):
    bad = CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,140")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"], e["value"]) == (6, "value", "140")
    assert e["message"] == "'value' must be between 0 and 100."


def test_unknown_region(small_store, settings):
    bad = CSV["scores"].replace("ES62,LM01", "ES99,LM01")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"], e["value"]) == (5, "region_id", "ES99")
    assert e["message"] == "Unknown region_id: it is not in the regions table."
    assert "ES51" in e["fix"]


def test_unknown_indicator(small_store, settings):
    bad = CSV["scores"].replace("ES51,LM02", "ES51,XX99")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"], e["value"]) == (3, "indicator_id", "XX99")
    assert e["message"] == "Unknown indicator_id: it is not in the indicators table."


def test_answer_not_in_map(small_store, settings):
    bad = CSV["scores"].replace("ITF3,LM01,TCN,2024,B", "ITF3,LM01,TCN,2024,Z")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"], e["value"]) == (7, "answer", "Z")
    assert e["message"] == "This answer code is not in the indicator's answer map."


def test_answer_and_value_disagree(small_store, settings):
    bad = CSV["scores"].replace("ES51,LM01,TCN,2024,A,", "ES51,LM01,TCN,2024,A,50")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"]) == (2, "value")
    assert e["message"] == "The value does not match the value of the answer code."


def test_target_group_not_of_indicator(small_store, settings):
    bad = CSV["scores"].replace("ITF3,HE02,BIP", "ITF3,HE02,TCN")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"], e["value"]) == (8, "target_group", "TCN")


def test_wrong_type(small_store, settings):
    bad = CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,fifty")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"], e["value"]) == (6, "value", "fifty")
    assert e["message"] == "'value' must be a number."


def test_duplicate_key(small_store, settings):
    bad = CSV["scores"] + "ES51,LM01,TCN,2024,B,,,\n"
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert e["row"] == 9
    assert e["message"].startswith("Duplicate key")
    assert "row 2" in e["fix"]


def test_missing_required_column(small_store, settings):
    bad = "\n".join(",".join(line.split(",")[1:]) for line in CSV["scores"].splitlines())
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"]) == (1, "region_id")
    assert e["message"] == "The required column 'region_id' is missing."


def test_unknown_column(small_store, settings):
    lines = CSV["scores"].splitlines()
    bad = "\n".join([lines[0] + ",comment"] + [ln + ",x" for ln in lines[1:]])
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"]) == (1, "comment")
    assert e["message"] == "'comment' is not a column of the scores table."


def test_empty_file(small_store, settings):
    e = only_error(problems_for(small_store, settings, b"   \n"))
    assert e["message"] == "The file is empty."


def test_header_only(small_store, settings):
    e = only_error(problems_for(small_store, settings, CSV["scores"].splitlines()[0].encode()))
    assert e["message"] == "The scores file has no data rows."


def test_wrong_delimiter(small_store, settings):
    bad = CSV["scores"].replace(",", "|")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert e["row"] == 1
    assert e["message"] == "Only one column was found in the header row. It seems to use '|' as separator."


def test_ragged_row(small_store, settings):
    bad = CSV["scores"].replace("ES62,LM01,TCN,2024,C,,,", "ES62,LM01,TCN,2024,C,,,,extra")
    e = only_error(problems_for(small_store, settings, bad.encode()))
    assert e["row"] == 5
    assert e["message"] == "Row 5 has 9 fields where the header has 8."


def test_oversized_file(small_store, settings):
    big = b"x" * (settings.max_upload_bytes + 1)
    e = only_error(problems_for(small_store, settings, big))
    assert e["message"] == "The file is larger than the limit of 5 MB."


def test_too_many_rows(small_store, settings):
    from dataclasses import replace

    tight = replace(settings, max_rows=3)
    e = only_error(problems_for(small_store, tight, CSV["scores"].encode()))
    assert e["message"] == "The file has more than the limit of 3 rows."


def test_semicolon_and_tab_and_bom_are_read(small_store, settings):
    for sep in (";", "\t"):
        text = CSV["scores"].replace(",", sep)
        plan = problems_for(small_store, settings, b"\xef\xbb\xbf" + text.encode())
        assert plan.ok, plan.problems.to_string()


def test_cp1252_is_detected_and_read(small_store, settings):
    text = CSV["regions"] + "SE224,Skåne län,SE,NUTS3,,55.9,13.5,2021\n"
    plan = problems_for(small_store, settings, text.encode("cp1252"), table="regions")
    assert plan.ok
    w = plan.problems[plan.problems["severity"] == "warning"].iloc[0]
    assert (w["row"], w["value"]) == (2, "ES,España,ES,NUTS0,,40.2,-3.6,2021")  # first non-UTF-8 byte
    assert w["message"].startswith("The file is not UTF-8; it was read as Windows-1252")
    added = plan.diffs["regions"].added
    assert added.loc[added["region_id"] == "SE224", "name"].item() == "Skåne län"


def test_formula_text_kept_and_neutralised_on_export(small_store, settings):
    bad = CSV["practices"].replace("One-stop shop", "=HYPERLINK(\"http://x\")")
    plan = problems_for(small_store, settings, bad.encode(), table="practices")
    assert plan.ok
    w = plan.problems.iloc[0]
    assert (w["severity"], w["row"], w["column"]) == ("warning", 2, "title")
    assert plan.tables["practices"]["title"].iloc[0] == '=HYPERLINK("http://x")'
    assert "'=HYPERLINK" in table_csv(plan.tables["practices"]).decode("utf-8-sig")


def test_many_problems_all_reported(small_store, settings):
    bad = (CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,140")
           .replace("ES62,LM01", "ES99,LM01").replace("ITF3,LM01,TCN,2024,B", "ITF3,LM01,TCN,2024,Z"))
    plan = problems_for(small_store, settings, bad.encode())
    assert sorted(plan.problems["row"].tolist()) == [5, 6, 7]


def test_bad_region_codes(small_store, settings):
    bad = CSV["regions"] + "es52,Valencia,ES,NUTS2,ES,39.4,-0.7,2021\nES523,Valencia,IT,NUTS2,,39,-0.7,2021\n"
    plan = problems_for(small_store, settings, bad.encode(), table="regions")
    msgs = dict(zip(plan.problems["row"], plan.problems["message"]))
    assert msgs[6].startswith("A NUTS region_id is 2 capital letters")
    rows7 = plan.problems[plan.problems["row"] == 7]["message"].tolist()
    assert any("does not match the length" in m for m in rows7)
    assert any("first two letters" in m for m in rows7)


def test_replacing_regions_cannot_orphan_scores(small_store, settings):
    keep = "\n".join(ln for ln in CSV["regions"].splitlines() if not ln.startswith("ES62"))
    before = tree_hash(small_store.root)
    plan = plan_import(small_store, [Upload("regions.csv", keep.encode(), "regions", "replace")],
                       settings)
    assert not plan.ok
    assert any("already published would break" in m for m in plan.problems["message"])
    assert tree_hash(small_store.root) == before


def test_publish_refused_with_errors(small_store, settings):
    plan = plan_import(small_store, [Upload("s.csv", b"nonsense", "scores")], settings)
    with pytest.raises(ValueError):
        publish_plan(small_store, plan, who="t")


def test_xlsx_upload(small_store, settings):
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(CSV["scores"]), dtype=str, keep_default_na=False)
    frame.loc[0, "answer"] = "B"
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    plan = problems_for(small_store, settings, buf.getvalue(), name="scores.xlsx")
    assert plan.ok, plan.problems.to_string()
    assert plan.diffs["scores"].n_changed_rows == 1


def test_all_templates_recognised():
    from data.readers import recognise_table

    for t in TABLE_ORDER:
        assert recognise_table(CSV[t].splitlines()[0].split(",")) == t
