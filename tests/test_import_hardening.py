"""Imports that never lose data silently and never crash (issue 16, problems 7–11).

Each malformed file gets its own plain message and leaves the store byte-identical; each
valid variant is read; an upsert keeps published values where the upload's cells are empty
unless asked to clear them; what a publish would remove or blank is summarised; exports
round-trip through an import unchanged.
"""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from conftest import CSV, ROOT, SHARED, tree_hash
from data.export import neutralise, table_csv, table_xlsx, unescape
from data.imports import Upload, plan_import, publish_plan
from data.readers import read_file

NUTS_2024_CSV = SHARED / "nuts" / "NUTS2021-NUTS2024.csv"


def plan_for(store, settings, content: bytes, table="scores", name="upload.csv", **kw):
    before = tree_hash(store.root)
    plan = plan_import(store, [Upload(name, content, table, **kw)], settings)
    assert tree_hash(store.root) == before, "planning an import must not write anything"
    return plan


def errors_of(plan) -> pd.DataFrame:
    return plan.problems[plan.problems["severity"] == "error"]


def only_error(plan):
    errors = errors_of(plan)
    assert len(errors) == 1, errors.to_string()
    return errors.iloc[0]


# ------------------------------------------------------------------ 7: empty cells

NUTS_LIST = ("\ufeffCountry code;NUTS Code;NUTS label;NUTS level;Country order;#;;\n"
             "ES;ES;España;0;1;1;;\nES;ES51;Cataluña;2;1;2;;\nES;ES62;Región de Murcia;2;1;3;;\n"
             "IT;ITF3;Campania;2;2;4;;\nES;ES52;Comunitat Valenciana;2;1;5;;\n")


def test_nuts_list_upsert_keeps_coordinates_and_says_so(small_store, settings):
    before = small_store.read_table("regions").set_index("region_id")
    plan = plan_for(small_store, settings, NUTS_LIST.encode("utf-8"), table=None,
                    name="nuts.csv")
    assert plan.ok, plan.problems.to_string()
    regions = plan.tables["regions"].set_index("region_id")
    for rid in ("ES", "ES51", "ES62", "ITF3"):
        assert regions.loc[rid, ["lat", "lon"]].tolist() == before.loc[rid, ["lat", "lon"]].tolist()
    assert pd.isna(regions.loc["ES52", "lat"])  # a new region has none to keep
    assert plan.kept == {"regions": {"lat": 4, "lon": 4}}
    assert any("8 empty cells kept the values already published (lat 4, lon 4)" in n
               for n in plan.notes), plan.notes
    assert plan.losses().empty
    changed = plan.diffs["regions"].changed
    assert not changed["column"].isin(["lat", "lon"]).any()


def test_empty_cells_clear_values_when_asked_and_the_summary_says_so(small_store, settings):
    plan = plan_for(small_store, settings, NUTS_LIST.encode("utf-8"), table=None,
                    name="nuts.csv", clear_empty=True)
    assert plan.ok
    assert plan.kept == {}
    regions = plan.tables["regions"].set_index("region_id")
    assert regions.loc[["ES51", "ES62"], "lat"].isna().all()
    losses = plan.losses()
    assert losses.to_dict("records") == [
        {"table": "regions", "column": "lat", "what": "emptied", "rows": 4},
        {"table": "regions", "column": "lon", "what": "emptied", "rows": 4}]


def test_real_nuts_2024_list_upserted_over_regions_keeps_their_coordinates(small_store, settings):
    if not NUTS_2024_CSV.exists():
        pytest.skip("the real NUTS 2024 list is not on this machine")
    before = small_store.read_table("regions").set_index("region_id")
    plan = plan_for(small_store, settings, NUTS_2024_CSV.read_bytes(), table=None,
                    name=NUTS_2024_CSV.name)
    assert plan.ok, errors_of(plan).to_string()
    regions = plan.tables["regions"].set_index("region_id")
    kept = [r for r in before.index if r in regions.index]
    assert kept, "the list holds the fixture's regions"
    assert regions.loc[kept, "lat"].tolist() == before.loc[kept, "lat"].tolist()
    assert regions.loc[kept, "lon"].tolist() == before.loc[kept, "lon"].tolist()
    listed = set(pd.read_csv(NUTS_2024_CSV, sep=";", dtype=str)["NUTS Code"].dropna())
    assert plan.kept["regions"]["lat"] == len(listed & set(before.index)) > 0
    assert "lat" not in set(plan.losses()["column"])


def test_upsert_with_an_empty_text_cell_keeps_the_published_text(small_store, settings):
    blank = CSV["practices"].replace("AMIF", "").replace(",https://example.org/p1", ",")
    plan = plan_for(small_store, settings, blank.encode(), table="practices")
    assert plan.ok, plan.problems.to_string()
    row = plan.tables["practices"].iloc[0]
    assert (row["funding"], row["url"]) == ("AMIF", "https://example.org/p1")
    assert not plan.changes


def test_a_changed_answer_code_is_not_kept_with_its_old_value(small_store, settings):
    """An answer code and its value are one fact: a new code with an empty value does not
    keep the old value (it follows from the code)."""
    changed = CSV["scores"].replace("ES51,LM01,TCN,2024,A,,,", "ES51,LM01,TCN,2024,C,,,")
    plan = plan_for(small_store, settings, changed.encode())
    assert plan.ok, plan.problems.to_string()
    sc = plan.tables["scores"]
    row = sc[(sc["region_id"] == "ES51") & (sc["indicator_id"] == "LM01")].iloc[0]
    assert (row["answer"], row["value"]) == ("C", 0.0)


def test_replacing_with_one_row_lists_the_rows_removed(small_store, settings):
    two = CSV["practices"] + CSV["practices"].splitlines()[1].replace("P1,", "P2,") + "\n"
    publish_plan(small_store, plan_for(small_store, settings, two.encode(), table="practices"),
                 who="t")
    plan = plan_for(small_store, settings, CSV["practices"].encode(), table="practices",
                    mode="replace")
    assert plan.ok
    assert plan.replaced == ["practices"]
    assert plan.losses().to_dict("records") == [
        {"table": "practices", "column": "", "what": "removed", "rows": 1}]


# ------------------------------------------------------------------ 8: XLSX

def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def scores_rows() -> list[list]:
    return [line.split(",") for line in CSV["scores"].splitlines()]


def test_a_formula_without_a_saved_result_is_an_error_naming_its_cell(small_store, settings):
    rows = scores_rows()
    rows[2][3] = "=2020+4"  # written by a program: no cached value
    plan = plan_for(small_store, settings, workbook(("Scores", rows)), name="s.xlsx")
    e = only_error(plan)
    assert e["column"] == "Scores!D3" and e["value"] == "=2020+4"
    assert e["message"].startswith("Cell Scores!D3 holds a formula (=2020+4) whose result is "
                                   "not saved")
    assert "save it" in e["fix"]


def test_every_sheet_is_listed_and_the_one_read_is_named(small_store, settings):
    content = workbook(("Read me", [["About this file"], ["made by hand"]]),
                       ("Scores", scores_rows()), ("Old", [["x", "y"], [1, 2]]))
    plan = plan_for(small_store, settings, content, name="s.xlsx")
    assert plan.ok, plan.problems.to_string()
    assert plan.sheets["s.xlsx"] == (["Read me", "Scores", "Old"], "Scores")
    assert ("s.xlsx: The workbook has 3 sheets; sheet 'Scores' was read (its columns fit). "
            "Not read: 'Read me', 'Old'.") in plan.notes
    one = plan_for(small_store, settings, workbook(("Scores", scores_rows())), name="s.xlsx")
    assert "s.xlsx: Sheet 'Scores' was read (the workbook's only sheet)." in one.notes


def test_a_sheet_can_be_chosen(small_store, settings):
    rows = scores_rows()
    other = [r[:] for r in rows]
    other[1][4] = "B"
    content = workbook(("Scores", rows), ("Scores v2", other))
    plan = plan_for(small_store, settings, content, name="s.xlsx", sheet="Scores v2")
    assert plan.ok, plan.problems.to_string()
    assert plan.sheets["s.xlsx"][1] == "Scores v2"
    assert plan.diffs["scores"].n_changed_rows == 1
    assert any("sheet 'Scores v2' was read (the one chosen)" in n for n in plan.notes)
    missing = plan_for(small_store, settings, content, name="s.xlsx", sheet="Nope")
    assert only_error(missing)["message"] == "The workbook has no sheet 'Nope'."


def test_formula_with_a_saved_result_is_read(small_store, settings):
    rows = scores_rows()
    rows[2][3] = "=2020+4"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    # what a spreadsheet writes after computing: the formula and its cached result
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    fixed = io.BytesIO()
    with zipfile.ZipFile(fixed, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<f>2020\+4</f><v\s*/>|<f>2020\+4</f>(<v></v>)?",
                              b"<f>2020+4</f><v>2024</v>", data)
            dst.writestr(item, data)
    plan = plan_for(small_store, settings, fixed.getvalue(), name="s.xlsx")
    assert plan.ok, plan.problems.to_string()
    assert not plan.changes


# ------------------------------------------------------------------ 10: round trips

FORMULA_LIKE = ["=HYPERLINK(\"http://x\")", "+34 600 000 000", "-5% in a year", "@home",
                "'=already quoted", "''=twice", "'plain apostrophe", "plain"]


def practices_with_formulas() -> str:
    head, row = CSV["practices"].splitlines()
    lines = [head]
    for i, text in enumerate(FORMULA_LIKE):
        quoted = text.replace('"', '""')
        cells = row.replace("P1,", f"P{i + 1},").replace("Start small.", f'"{quoted}"')
        lines.append(cells)
    return "\n".join(lines) + "\n"


def test_unescape_inverts_the_export_escape():
    s = pd.Series(FORMULA_LIKE + [None], dtype="str")
    assert unescape(neutralise(pd.DataFrame({"c": s}))["c"]).tolist()[:-1] == FORMULA_LIKE


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exported_practices_imported_unchanged_change_nothing(small_store, settings, kind):
    plan = plan_for(small_store, settings, practices_with_formulas().encode(), table="practices")
    assert plan.ok, plan.problems.to_string()
    publish_plan(small_store, plan, who="t")
    stored = small_store.read_table("practices")
    # text that looks like the export's escape loses that one apostrophe on the way in
    expected = unescape(pd.Series(FORMULA_LIKE, dtype="str")).tolist()
    assert sorted(stored["transferability_tips"]) == sorted(expected)
    for _ in range(2):  # and again: no apostrophe is added on any round trip
        export = (table_csv(stored) if kind == "csv"
                  else table_xlsx(stored, sheet="practices"))
        again = plan_for(small_store, settings, export, table="practices",
                         name=f"practices.{kind}")
        assert again.ok, again.problems.to_string()
        assert not again.changes, again.diffs["practices"].changed.to_string()
        replaced = plan_for(small_store, settings, export, table="practices",
                            name=f"practices.{kind}", mode="replace")
        assert not replaced.changes


def test_every_exported_table_round_trips(small_store, settings):
    from data.schema import TABLE_ORDER

    for table in TABLE_ORDER:
        export = table_csv(small_store.read_table(table))
        plan = plan_for(small_store, settings, export, table=table, name=f"{table}.csv")
        assert plan.ok, (table, plan.problems.to_string())
        assert not plan.changes, table


# ------------------------------------------------------------------ 11: hostile files

def scores_xlsx() -> bytes:
    return workbook(("Scores", scores_rows()))


HOSTILE = {
    "empty": (b"", "upload.csv", "The file is empty."),
    "blank lines": (b"\r\n \n", "upload.csv", "The file is empty."),
    "utf-8 bom only": (b"\xef\xbb\xbf", "upload.csv",
                       "The file is empty: it holds only a byte-order mark (the invisible mark "
                       "that says the text is UTF-8) and no data."),
    "utf-8 bom and a line break": (b"\xef\xbb\xbf\r\n", "upload.csv",
                                   "The file is empty: it holds only a byte-order mark"),
    "utf-16 bom only": (b"\xff\xfe", "upload.txt", "The file is empty: it holds only a "
                        "byte-order mark (the invisible mark that says the text is UTF-16)"),
    "truncated xlsx": (None, "s.xlsx", "The Excel workbook is damaged or incomplete"),
    "program": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "scores.csv",
                "This file is a program (binary), not a table (CSV or XLSX)."),
    "windows program": (b"MZ\x90\x00" + bytes(range(256)) * 8, "scores.csv",
                        "This file is a Windows program (binary), not a table"),
    "random bytes": (bytes(range(256)) * 40, "scores.csv",
                     "This file is not a table: it holds binary data"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "scores.xls",
                  "This file is an Excel 97–2003 workbook (.xls)"),
    "pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 4, "scores.csv", "This file is a PDF document"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_each_hostile_file_gets_its_own_message(small_store, settings, case):
    content, name, message = HOSTILE[case]
    if content is None:
        full = scores_xlsx()
        content = full[: len(full) // 2]
    e = only_error(plan_for(small_store, settings, content, name=name))
    assert e["message"].startswith(message), e["message"]
    assert "Traceback" not in e["message"]


def test_utf16_unicode_text_is_read_and_said(small_store, settings):
    text = CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,75")
    unicode_text = text.replace(",", "\t").replace("\n", "\r\n").encode("utf-16")
    plan = plan_for(small_store, settings, unicode_text, name="scores.txt")
    assert plan.ok, plan.problems.to_string()
    assert plan.diffs["scores"].n_changed_rows == 1
    assert "scores.txt: Read as UTF-16 text (tab-separated), as Excel's 'Unicode Text' saves it." \
        in plan.notes
    no_bom = text.replace(",", "\t").encode("utf-16-le")
    assert plan_for(small_store, settings, no_bom, name="scores.txt").ok


def test_damaged_utf16_is_refused_naming_the_encoding(small_store, settings):
    content = CSV["scores"].replace(",", "\t").encode("utf-16")[:-1]  # an odd byte cut off
    e = only_error(plan_for(small_store, settings, content, name="scores.txt"))
    assert e["message"].startswith("The file is UTF-16 text")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x0b"])
def test_control_characters_are_refused_with_row_and_column(small_store, settings, char):
    bad = CSV["practices"].replace("Co-location.", f"Co{char}location.")
    e = only_error(plan_for(small_store, settings, bad.encode(), table="practices"))
    assert (e["row"], e["column"]) == (2, "lessons_learnt")
    assert e["message"].startswith("The cell holds a control character")
    assert e["value"] == repr(f"Co{char}location.")[1:-1]


@pytest.mark.parametrize("escaped", [True, False])
def test_control_characters_in_a_workbook_cell_are_refused(small_store, settings, escaped):
    """openpyxl refuses to write them; a workbook from elsewhere can hold them, escaped
    (``_x0001_``, which is then plain text) or raw (which is not XML: a damaged sheet)."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(workbook(("Scores", scores_rows()))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<t>ITF3</t>",
                                    b"<t>IT_x0001_F3</t>" if escaped else b"<t>IT\x01F3</t>", 1)
            dst.writestr(item, data)
    before = tree_hash(small_store.root)
    plan = plan_for(small_store, settings, out.getvalue(), name="s.xlsx")
    e = only_error(plan)
    assert e["message"] == "Unknown region_id: it is not in the regions table." if escaped \
        else e["message"].startswith("The Excel workbook is damaged"), e["message"]
    assert tree_hash(small_store.root) == before


def test_duplicate_column_names_get_their_own_message(small_store, settings):
    bad = CSV["scores"].replace("note,source", "value,source")
    e = only_error(plan_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"]) == (1, "value")
    assert e["message"] == "The column 'value' appears more than once (columns F and G)."
    rows = scores_rows()
    rows[0][6] = "value"
    e = only_error(plan_for(small_store, settings, workbook(("Scores", rows)), name="s.xlsx"))
    assert e["message"] == ("The column 'value' appears more than once (columns F and G of "
                            "sheet 'Scores').")


def test_an_unclosed_quote_is_reported_on_its_row_with_its_field(small_store, settings):
    bad = CSV["scores"].replace("ES62,LM01,TCN,2024,C,,,", 'ES62,LM01,TCN,2024,C,,"oops,')
    e = only_error(plan_for(small_store, settings, bad.encode()))
    assert (e["row"], e["column"]) == (5, "note")
    assert e["message"].startswith("Row 5: the field 'note' opens a double quote")


def test_quoted_fields_with_line_breaks_and_doubled_quotes_are_read(small_store, settings):
    text = CSV["practices"].replace("Co-location.", '"Co-location, ""one desk"",\nall of it."')
    plan = plan_for(small_store, settings, text.encode(), table="practices")
    assert plan.ok, plan.problems.to_string()
    assert plan.tables["practices"]["lessons_learnt"].iloc[0] == \
        'Co-location, "one desk",\nall of it.'


def test_a_file_of_a_million_characters_on_one_line_is_not_a_crash(small_store, settings):
    e = only_error(plan_for(small_store, settings, b"a" * 1_000_000))
    assert e["message"] == "Only one column was found in the header row."


def test_read_file_never_raises_on_cut_files():
    """Every prefix of a valid CSV and XLSX reads or is refused with a message."""
    xlsx = scores_xlsx()
    for content, name in ((CSV["scores"].encode("utf-16"), "s.txt"), (xlsx, "s.xlsx")):
        for cut in range(1, len(content), max(1, len(content) // 60)):
            read_file(content[:cut], name, "scores", max_bytes=10**7)


HOSTILE_CLI = {"truncated.xlsx": lambda: scores_xlsx()[:1500],
               "unicode.txt": lambda: CSV["scores"].replace(",", "\t").replace(
                   "\n", "\r\n").encode("utf-16"),
               "program.csv": lambda: b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8,
               "nul.csv": lambda: CSV["scores"].replace("ES51,LM01,TCN,2024,A,,,",
                                                       "ES51,LM01,TCN,2024,A,,a\x00b,").encode()}


def test_the_command_line_shows_no_traceback(tmp_path, small_store, settings):
    env = {"MIPEXR_STORE": str(small_store.root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    before = tree_hash(small_store.root)
    for name, make in HOSTILE_CLI.items():
        path = tmp_path / name
        path.write_bytes(make())
        out = subprocess.run([sys.executable, "-m", "data", "import", str(path)], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in out.stdout + out.stderr, (name, out.stderr)
        if name == "unicode.txt":
            assert out.returncode == 0 and "UTF-16" in out.stdout
        else:
            assert out.returncode == 1 and "nothing was published" in out.stdout, name
    assert tree_hash(small_store.root) == before  # the UTF-16 file is the data as published


SKANE = CSV["regions"] + "SE224,Skåne län,SE,NUTS3,,55.9,13.5,2021\n"
VALID_VARIANTS = {
    "CRLF": SKANE.replace("\n", "\r\n").encode(),
    "CR alone (Excel's CSV for Macintosh)": SKANE.replace("\n", "\r").encode(),
    "UTF-8 BOM and CRLF": b"\xef\xbb\xbf" + SKANE.replace("\n", "\r\n").encode(),
    "UTF-16 BE with BOM, tabs": b"\xfe\xff" + SKANE.replace(",", "\t").encode("utf-16-be"),
    "UTF-16 LE with BOM, commas": SKANE.encode("utf-16"),
    "UTF-16 tabs CRLF (Unicode Text)": SKANE.replace(",", "\t").replace("\n", "\r\n").encode(
        "utf-16"),
    "UTF-32": SKANE.encode("utf-32"),
    "semicolons and decimal commas": SKANE.replace(",", ";").replace("40.2", "40,2").encode(),
    "quoted header": SKANE.replace("region_id,name,country,level,parent_id,lat,lon,nuts_version",
                                   '"region_id","name","country","level","parent_id","lat",'
                                   '"lon","nuts_version"').encode(),
    "no final line break": SKANE.rstrip("\n").encode(),
    "empty trailing columns": "\n".join(line + ",," for line in SKANE.splitlines()).encode(),
    "blank lines": SKANE.replace("\n", "\n\n").encode(),
    "Windows-1252": SKANE.encode("cp1252"),
}


@pytest.mark.parametrize("variant", list(VALID_VARIANTS))
def test_every_valid_variant_is_read(small_store, settings, variant):
    plan = plan_for(small_store, settings, VALID_VARIANTS[variant], table="regions",
                    name="regions.csv")
    assert plan.ok, plan.problems.to_string()
    assert list(plan.diffs["regions"].added["name"]) == ["Skåne län"]
    assert plan.diffs["regions"].changed.empty


def test_an_array_formula_without_a_saved_result_is_an_error_too(small_store, settings):
    from openpyxl.worksheet.formula import ArrayFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Scores"
    for row in scores_rows():
        ws.append(row)
    ws["D2"] = ArrayFormula("D2:D2", "=2020+4")
    out = io.BytesIO()
    wb.save(out)
    e = only_error(plan_for(small_store, settings, out.getvalue(), name="s.xlsx"))
    assert (e["column"], e["value"]) == ("Scores!D2", "=2020+4")
