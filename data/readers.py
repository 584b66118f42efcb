"""Bytes → a DataFrame of text cells, plus the problems met while reading.

Everything is read as text: turning text into numbers is validation's job, so that a bad
cell can be reported with its row and column instead of failing the whole read. Rows are
numbered as a spreadsheet shows them (the header is row 1, the first data row is row 2).

Recognised inputs: CSV separated by ``,`` ``;`` or tab, in UTF-8 (with or without BOM)
or Windows-1252/Latin-1 (reported); XLSX (first sheet); scores in long or wide form;
Eurostat SDMX-CSV "linear" exports (→ outcomes); Eurostat's NUTS code list (→ regions).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from data.problems import Problems
from data.schema import TABLES

SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
EUROSTAT_COLUMNS = {"DATAFLOW", "geo", "TIME_PERIOD", "OBS_VALUE"}
NUTS_LIST_COLUMNS = {"Country code", "NUTS Code", "NUTS label", "NUTS level"}
#: Eurostat uses EL for Greece and UK for the United Kingdom; ISO 3166-1 does not.
EUROSTAT_COUNTRY = {"EL": "GR", "UK": "GB"}
#: Eurostat dimensions that say which population group a figure is about.
GROUP_DIMENSIONS = ("citizen", "c_birth")


@dataclass
class ReadResult:
    frame: pd.DataFrame
    table: str | None
    fmt: str  # "csv", "xlsx", "eurostat", "nuts-list", "wide-scores"
    encoding: str = "utf-8"
    separator: str = ","
    problems: Problems = field(default_factory=Problems)


def read_file(content: bytes, filename: str, table: str | None = None, *, max_bytes: int,
              indicator_ids: set[str] | None = None) -> ReadResult:
    """Read an uploaded file. ``table`` may be None: it is then recognised from the columns.

    ``indicator_ids`` are the known indicators, used to recognise wide-form scores (one
    column per indicator). Problems that stop the read are errors in ``result.problems``
    and the frame is then empty.
    """
    problems = Problems(table or "upload")
    empty = ReadResult(pd.DataFrame(), table, "csv", problems=problems)
    if len(content) > max_bytes:
        problems.error(None, None, f"{len(content) / 1e6:.1f} MB",
                       f"The file is larger than the limit of {max_bytes / 1e6:.0f} MB.",
                       "Split it into smaller files, or ask an administrator to raise "
                       "MIPEXR_MAX_UPLOAD_MB.")
        return empty
    if not content.strip():
        problems.error(None, None, "", "The file is empty.",
                       "Upload a file with a header row and at least one data row.")
        return empty
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:4] == b"PK\x03\x04":
        result = _read_xlsx(content, problems)
    else:
        result = _read_csv(content, problems)
    if problems.has_errors:
        return empty
    result.table = table
    return _recognise(result, indicator_ids or set())


def _decode(content: bytes, problems: Problems) -> tuple[str, str]:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad_line = content[: exc.start].count(b"\n") + 1
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    line = text.splitlines()[bad_line - 1] if bad_line <= len(text.splitlines()) else ""
    problems.warning(bad_line, None, line[:80],
                     "The file is not UTF-8; it was read as Windows-1252 (Latin-1), the usual "
                     "encoding of Excel's 'CSV' on Western European Windows.",
                     "Check that accented names look right in the preview. To avoid this, save "
                     "as 'CSV UTF-8' in Excel or LibreOffice.")
    return text, "cp1252"


def _sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    return max(counts, key=lambda s: counts[s])


def _read_csv(content: bytes, problems: Problems) -> ReadResult:
    text, encoding = _decode(content, problems)
    header = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    sep = _sniff_separator(header)
    if header.count(sep) == 0:
        other = next((c for c in "|:!#" if c in header), None)
        hint = f" It seems to use '{other}' as separator." if other else ""
        problems.error(1, None, header[:80],
                       f"Only one column was found in the header row.{hint}",
                       "Separate columns with a comma, a semicolon or a tab.")
        return ReadResult(pd.DataFrame(), None, "csv", encoding, sep, problems)
    fast = _read_csv_arrow(text, encoding, content, sep)
    if fast is not None:
        return ReadResult(_tidy(fast), None, "csv", encoding, sep, problems)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=True, engine="c",
                            quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            want, line, got = match.groups()
            problems.error(int(line), None, "",
                           f"Row {line} has {got} fields where the header has {want}.",
                           f"Check that the row uses the same separator ({SEPARATORS[sep]}) and "
                           "that text containing the separator is in double quotes.")
        else:
            problems.error(None, None, "", f"The file could not be read as CSV: {exc}",
                           "Save it again as CSV (comma, semicolon or tab separated).")
        return ReadResult(pd.DataFrame(), None, "csv", encoding, sep, problems)
    return ReadResult(_tidy(frame), None, "csv", encoding, sep, problems)


def _read_csv_arrow(text: str, encoding: str, content: bytes, sep: str) -> pd.DataFrame | None:
    """Arrow's multi-threaded CSV reader, every column as text; None if it cannot read the
    file (the pandas reader then says exactly which row is wrong)."""
    raw = content[3:] if encoding == "utf-8-sig" else content if encoding == "utf-8" else (
        text.encode("utf-8"))
    header = next(csv.reader([text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")],
                             delimiter=sep))
    if len(set(header)) != len(header):
        return None  # duplicate names: pandas renames them, validation reports them
    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_columns != len(header):
        return None
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow", na_value=np.nan)
                            if t == pa.string() else None)
    frame.columns = header
    return frame


def _read_xlsx(content: bytes, problems: Problems) -> ReadResult:
    try:
        frame = pd.read_excel(io.BytesIO(content), dtype=str, keep_default_na=False,
                              na_filter=False, engine="openpyxl")
    except (ValueError, KeyError, OSError) as exc:  # openpyxl's errors for broken files
        problems.error(None, None, "", f"The file could not be read as an Excel workbook: {exc}",
                       "Save it again as .xlsx, or export the sheet as CSV.")
        return ReadResult(pd.DataFrame(), None, "xlsx", problems=problems)
    return ReadResult(_tidy(frame), None, "xlsx", "xlsx", "", problems)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the empty trailing columns and rows spreadsheets add; strip header names."""
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    unnamed = [c for c in frame.columns if (c == "" or c.startswith("Unnamed:"))
               and frame[c].astype(str).str.strip().eq("").all()]
    frame = frame.drop(columns=unnamed)
    frame = frame.astype("str")
    # Keep the original line numbers: row index 0 is spreadsheet row 2.
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    if frame.empty or not len(frame.columns):
        return frame
    blank = frame.apply(lambda col: col.str.strip().eq(""), axis=0).all(axis=1)
    return frame.loc[~blank]


def recognise_table(columns) -> str | None:
    """Which table a set of column names belongs to (None if no table fits)."""
    cols = set(columns)
    if EUROSTAT_COLUMNS <= cols:
        return "outcomes"
    if NUTS_LIST_COLUMNS <= cols:
        return "regions"
    best, best_score = None, 0.0
    for name, table in TABLES.items():
        required = set(table.required)
        if not required <= cols:
            continue
        score = len(cols & set(table.names)) / len(cols | set(table.names))
        if score > best_score:
            best, best_score = name, score
    return best


def _recognise(result: ReadResult, indicator_ids: set[str]) -> ReadResult:
    cols = set(result.frame.columns)
    if EUROSTAT_COLUMNS <= cols:
        result.frame, result.fmt, result.table = eurostat_to_outcomes(result.frame), "eurostat", "outcomes"
    elif NUTS_LIST_COLUMNS <= cols:
        result.frame, result.fmt, result.table = nuts_list_to_regions(result.frame), "nuts-list", "regions"
    elif _is_wide_scores(cols, indicator_ids) and result.table in (None, "scores"):
        result.frame, result.fmt, result.table = wide_to_long(result.frame, indicator_ids), "wide-scores", "scores"
    elif result.table is None:
        result.table = recognise_table(cols)
        if result.table is None:
            result.problems.error(1, None, ", ".join(sorted(cols))[:120],
                                  "The columns match none of the tables.",
                                  "Choose the table you are uploading, or start from its template.")
    result.problems.table = result.table or "upload"
    return result


def _is_wide_scores(cols: set[str], indicator_ids: set[str]) -> bool:
    return {"region_id", "target_group", "edition"} <= cols and "indicator_id" not in cols and bool(
        cols & indicator_ids)


def wide_to_long(frame: pd.DataFrame, indicator_ids: set[str]) -> pd.DataFrame:
    """Scores with one column per indicator → one row per region × indicator × group × edition.

    A cell holds an answer code or a value on 0–100 (numbers go to ``value``, anything else
    to ``answer``); empty cells are missing data and produce no row. Columns that are not
    indicators and not region_id/target_group/edition stay unknown and are reported by
    validation.
    """
    ids = ["region_id", "target_group", "edition"]
    ind_cols = [c for c in frame.columns if c in indicator_ids]
    other = [c for c in frame.columns if c not in ind_cols and c not in ids]
    frame = frame.reset_index()
    long = frame.melt(id_vars=["row", *ids], value_vars=ind_cols, var_name="indicator_id",
                      value_name="cell")
    long = long[long["cell"].str.strip() != ""]
    is_num = pd.to_numeric(long["cell"].str.replace(",", ".", regex=False), errors="coerce").notna()
    long["answer"] = long["cell"].where(~is_num, "")
    long["value"] = long["cell"].where(is_num, "")
    long = long.drop(columns="cell").set_index("row").sort_index(kind="stable")
    for col in other:
        long[col] = frame.set_index("row")[col].reindex(long.index)
    return long.astype("str")


def eurostat_to_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """Eurostat SDMX-CSV linear → outcomes rows, flags kept verbatim.

    ``measure`` is the dataset code followed by the dimensions that vary besides geo, time
    and the population group (e.g. ``edat_lfse_16 sex=T age=Y18-24``); ``group`` is the
    ``citizen`` or ``c_birth`` dimension when there is one, else ``TOTAL``.
    """
    dataset = frame["DATAFLOW"].str.extract(r":([A-Za-z0-9_]+)\(", expand=False).fillna(
        frame["DATAFLOW"]).str.lower()
    fixed = {"DATAFLOW", "LAST UPDATE", "freq", "geo", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG",
             "unit", *GROUP_DIMENSIONS, "CONF_STATUS"}
    dims = [c for c in frame.columns if c not in fixed]
    measure = dataset.copy()
    for dim in dims:
        measure = measure + " " + dim + "=" + frame[dim]
    group_dim = next((d for d in GROUP_DIMENSIONS if d in frame.columns), None)
    out = pd.DataFrame({
        "region_id": frame["geo"].str.strip(),
        "measure": measure,
        "group": frame[group_dim] if group_dim else "TOTAL",
        "year": frame["TIME_PERIOD"].str.strip(),
        "value": frame["OBS_VALUE"].str.strip(),
        "unit": frame["unit"] if "unit" in frame.columns else "",
        "flag": frame["OBS_FLAG"] if "OBS_FLAG" in frame.columns else "",
        "source": dataset,
    }, index=frame.index)
    return out.astype("str")


def nuts_list_to_regions(frame: pd.DataFrame) -> pd.DataFrame:
    """Eurostat's NUTS code list (NUTS 2024) → regions rows (no coordinates: those come
    from a boundary or label file, or are added later)."""
    codes = frame["NUTS Code"].str.strip()
    level = frame["NUTS level"].str.strip()
    country = frame["Country code"].str.strip().replace(EUROSTAT_COUNTRY)
    parent = codes.str[:-1].where(codes.str.len() > 2, "")
    out = pd.DataFrame({
        "region_id": codes,
        "name": frame["NUTS label"].str.strip(),
        "country": country,
        "level": "NUTS" + level,
        "parent_id": parent,
        "lat": "",
        "lon": "",
        "nuts_version": "2024",
    }, index=frame.index)
    return out.astype("str")
