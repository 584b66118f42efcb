"""Bytes → a DataFrame of text cells, plus the problems met while reading.

Everything is read as text: turning text into numbers is validation's job, so that a bad
cell can be reported with its row and column instead of failing the whole read. Rows are
numbered as a spreadsheet shows them (the header is row 1, the first data row is row 2).

Recognised inputs: CSV separated by ``,`` ``;`` or tab, in UTF-8 (with or without BOM)
or Windows-1252/Latin-1 (reported); XLSX (the first sheet whose columns fit a table, said
in a note); scores in long or wide form; Eurostat SDMX-CSV "linear" exports (→ outcomes,
and a first draft of the measure catalogue); Eurostat's NUTS code lists, the CSV and the
XLSX (→ regions); MIPEX's published workbook (→ regions, indicators, scores; see
:mod:`data.mipex`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
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
#: Eurostat's NUTS code list as XLSX (sheet "NUTS & SR 2021"): the code column is named by
#: the NUTS version; the name is in the column of the row's level.
NUTS_XLSX_CODE = re.compile(r"^Code (\d{4})$")
NUTS_XLSX_NAMES = ("Country", "NUTS level 1", "NUTS level 2", "NUTS level 3")
#: Formats a staff member can ask for instead of letting the file be recognised.
FORMATS = ("mipex",)
#: Rows looked at to find a sheet's header row.
HEADER_SCAN = 10
#: Eurostat uses EL for Greece and UK for the United Kingdom; ISO 3166-1 does not.
EUROSTAT_COUNTRY = {"EL": "GR", "UK": "GB"}
#: Eurostat dimensions that say which population group a figure is about.
GROUP_DIMENSIONS = ("citizen", "c_birth")
GROUP_BASIS = {"citizen": "citizenship", "c_birth": "country of birth"}


@dataclass
class ReadResult:
    """What one file holds. ``frame`` is the main table's text cells (``table``); a file
    that fills several tables (a MIPEX workbook) has the others in ``more``. ``suggested``
    rows are added only where the data has no row with their key (the measure catalogue a
    Eurostat file implies, the countries of a MIPEX workbook). ``notes`` say what was read
    (which sheet, which NUTS version); ``where`` maps a table's row numbers to the cells
    they came from (``DE!E16``), so problems found later point at the workbook's cells."""

    frame: pd.DataFrame
    table: str | None
    fmt: str  # "csv", "xlsx", "eurostat", "nuts-list", "wide-scores", "mipex"
    encoding: str = "utf-8"
    separator: str = ","
    problems: Problems = field(default_factory=Problems)
    more: dict[str, pd.DataFrame] = field(default_factory=dict)
    suggested: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    where: dict[str, pd.Series] = field(default_factory=dict)
    nuts_version: int | None = None
    framework: str | None = None       # the one framework a file's indicators belong to
    figures: pd.DataFrame | None = None  # a MIPEX workbook's own strand and overall figures
    sheets: list[str] = field(default_factory=list)  # XLSX: every sheet of the workbook
    sheet: str = ""                                    # XLSX: the sheet read
    controls: bool | None = None  # the file's text holds control characters (None: unknown)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table this file fills (not the suggestions)."""
        out = {self.table: self.frame} if self.table else {}
        out.update(self.more)
        return out


def read_file(content: bytes, filename: str, table: str | None = None, *, max_bytes: int,
              indicator_ids: set[str] | None = None, fmt: str | None = None,
              sheet: str | None = None) -> ReadResult:
    """Read an uploaded file. ``table`` may be None: it is then recognised from the columns.

    ``indicator_ids`` are the known indicators, used to recognise wide-form scores (one
    column per indicator). ``fmt="mipex"`` reads the file as MIPEX's workbook (otherwise
    its layout is recognised too). ``sheet`` names the sheet of a workbook to read (else
    the first whose columns fit). Problems that stop the read are errors in
    ``result.problems`` and the frame is then empty; no input raises.
    """
    problems = Problems(table or "upload")
    empty = ReadResult(pd.DataFrame(), table, "csv", problems=problems)
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"fmt must be None or one of {FORMATS}")
    if len(content) > max_bytes:
        problems.error(None, None, f"{len(content) / 1e6:.1f} MB",
                       f"The file is larger than the limit of {max_bytes / 1e6:.0f} MB.",
                       "Split it into smaller files, or ask an administrator to raise "
                       "MIPEXR_MAX_UPLOAD_MB.")
        return empty
    if not _refuse_unreadable(content, filename, problems):
        return empty
    is_xlsx = content[:4] == b"PK\x03\x04" or (
        filename.lower().endswith((".xlsx", ".xlsm")) and not _is_text(content))
    if fmt == "mipex" and not is_xlsx:
        problems.error(None, None, filename, "A MIPEX workbook is an Excel file (.xlsx); this "
                       "file is not one.", "Upload the workbook as published (.xlsx), or "
                       "choose another format.")
        return empty
    if is_xlsx:
        preview = _xlsx_preview(content, problems)
        if problems.has_errors:
            return empty
        from data import mipex

        if fmt == "mipex" or (sheet is None and mipex.looks_like(preview)):
            return _read_mipex(content, filename, problems, empty)
        result = _read_xlsx(content, problems, preview, table, indicator_ids or set(), sheet)
    else:
        result = _read_csv(content, problems)
    if problems.has_errors:
        return empty
    _refuse_control_characters(result, problems)
    if problems.has_errors:
        return empty
    result.table = table
    return _recognise(result, indicator_ids or set())


#: Byte-order marks, longest first (UTF-32's starts like UTF-16's).
BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
#: Files that are not tables, by their first bytes, as a staff member would name them.
MAGIC = ((b"\xd0\xcf\x11\xe0", "an Excel 97–2003 workbook (.xls) or another old Office file",
          "Open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8."),
         (b"%PDF", "a PDF document", "Export the table from its source as CSV or XLSX."),
         (b"\x7fELF", "a program (binary)", "Choose the CSV or XLSX file of the table."),
         (b"MZ", "a Windows program (binary)", "Choose the CSV or XLSX file of the table."),
         (b"\x89PNG", "an image (PNG)", "Choose the CSV or XLSX file of the table."),
         (b"\xff\xd8\xff", "an image (JPEG)", "Choose the CSV or XLSX file of the table."),
         (b"GIF8", "an image (GIF)", "Choose the CSV or XLSX file of the table."),
         (b"\x1f\x8b", "a compressed file (gzip)", "Unpack it and upload the CSV or XLSX inside."),
         (b"7z\xbc\xaf", "a compressed file (7-Zip)",
          "Unpack it and upload the CSV or XLSX inside."),
         (b"Rar!", "a compressed file (RAR)", "Unpack it and upload the CSV or XLSX inside."),
         (b"SQLite format 3", "a database file (SQLite)", "Export the table as CSV."),
         (b"PAR1", "a Parquet file", "Export the table as CSV or XLSX."))
#: Control characters no table cell may hold (XML 1.0, and so XLSX, cannot store them).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _bom(content: bytes) -> tuple[bytes, str] | None:
    return next(((b, enc) for b, enc in BOMS if content.startswith(b)), None)


def _is_text(content: bytes) -> bool:
    """Whether the file's first bytes look like text (in any encoding this reads)."""
    head = content[:8192]
    if _bom(head) or _utf16_without_bom(head):
        return True
    if head.count(b"\x00") > 0 and head.count(b"\x00") * 20 > len(head):
        return False  # a few NULs can be bad cells; many are a binary file
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    return controls * 10 <= len(head)


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte is NUL (ASCII text in UTF-16)."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _refuse_unreadable(content: bytes, filename: str, problems: Problems) -> bool:
    """Files that hold no table, each with its own message: empty, only a byte-order mark,
    another kind of file (a program, a PDF, an old .xls), a damaged workbook. True: read on."""
    bom = _bom(content)
    body = content[len(bom[0]):] if bom else content
    if not content.strip():
        problems.error(None, None, "", "The file is empty.",
                       "Upload a file with a header row and at least one data row.")
        return False
    if bom and not body.replace(b"\x00", b"").strip():
        problems.error(None, None, "", "The file is empty: it holds only a byte-order mark (the "
                       f"invisible mark that says the text is {_ENCODING_NAMES[bom[1]]}) and no "
                       "data.", "Save the table again with its header row and data rows.")
        return False
    for magic, what, fix in MAGIC:
        if content.startswith(magic):
            problems.error(None, None, filename, f"This file is {what}, not a table (CSV or "
                           "XLSX).", fix)
            return False
    if content[:4] == b"PK\x03\x04":
        return True  # a zip: the workbook reader says if it is damaged
    if not _is_text(content):
        problems.error(None, None, filename, "This file is not a table: it holds binary data "
                       "(it is neither CSV text nor an Excel workbook).",
                       "Choose the CSV or XLSX file of the table.")
        return False
    return True


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16",
                   "utf-16-be": "UTF-16", "utf-32": "UTF-32"}


def _refuse_control_characters(result: ReadResult, problems: Problems):
    """Cells holding NUL or other control characters: refused with their row and column
    (they are invisible, would be stored, and no XLSX export could hold them)."""
    if result.controls is False:  # the whole text was searched: none anywhere
        return
    frame = result.frame
    for name in frame.columns:
        if CONTROL.search(str(name)):
            problems.error(1, repr(str(name))[1:-1], repr(str(name))[1:-1],
                           "The column name holds a control character (such as NUL).",
                           "Retype the column name.")
    for col in dict.fromkeys(frame.columns):
        text = frame[col]
        if isinstance(text, pd.DataFrame):  # duplicate names are reported elsewhere
            continue
        bad = text.astype("str").str.contains(CONTROL, na=False)
        if bad.any():
            shown = text[bad].map(lambda v: repr(v)[1:-1][:80])
            problems.add_rows("error", text.index[bad], str(col), shown,
                              "The cell holds a control character (such as NUL, shown as "
                              "\\x00) that cannot be stored.",
                              "Retype the cell, or remove the character in a text editor.")


def _decode(content: bytes, problems: Problems) -> tuple[str, str]:
    bom = _bom(content)
    if bom and bom[1] != "utf-8-sig" or not bom and _utf16_without_bom(content[:8192]):
        encoding = bom[1] if bom else _utf16_without_bom(content[:8192])
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            problems.error(None, None, _ENCODING_NAMES[encoding],
                           f"The file is {_ENCODING_NAMES[encoding]} text (as Excel's 'Unicode "
                           f"Text' saves) but byte {exc.start:,} is not valid "
                           f"{_ENCODING_NAMES[encoding]}: the file is damaged or cut off.",
                           "Save the table again, preferably as 'CSV UTF-8'.")
            return "", encoding
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            content = content[3:]
            bad_line = content[: exc.start].count(b"\n") + 1
            problems.error(bad_line, None, "", "The file starts with the UTF-8 mark but line "
                           f"{bad_line} is not UTF-8 text.",
                           "Save the table again as 'CSV UTF-8'.")
            return "", "utf-8-sig"
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


def _header_names(header: str, sep: str) -> list[str]:
    try:
        return next(csv.reader([header], delimiter=sep))
    except (csv.Error, StopIteration):
        return header.split(sep)


def _duplicate_names(names: list, problems: Problems, where: str = "") -> bool:
    """A column name given twice is an error of its own (pandas would rename the second
    'value.1'). True if there is one."""
    seen: dict[str, int] = {}
    found = False
    for i, name in enumerate(names, start=1):
        name = str(name).strip().lstrip("\ufeff") if name is not None else ""
        if not name:
            continue
        if name in seen:
            problems.error(1, name, name, f"The column '{name}' appears more than once (columns "
                           f"{_col_letter(seen[name])} and {_col_letter(i)}{where}).",
                           "Keep only one column with this name (delete or rename the other).")
            found = True
        else:
            seen[name] = i
    return found


def _col_letter(i: int) -> str:
    letters = ""
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _unclosed_quote(text: str, sep: str, header: list[str], problems: Problems) -> bool:
    """Find a double quote that opens a field and is never closed: its row and its field.
    True if there is one. (Arrow's reader would take the rest of the file as that cell.)"""
    # a quoted field: a quote at the start of a field, then anything but a lone quote; the
    # regex engine walks the text (in C), a Python step per quoted field only
    sep_re = re.escape(sep)
    field = re.compile(r'(?:^|(?<=[' + sep_re + r'\n]))"[^"]*(?:""[^"]*)*("|\Z)')
    unclosed = next((m for m in field.finditer(text) if not m.group(1)), None)
    if unclosed is None:
        return False
    at = unclosed.start()
    line_start = text.rfind("\n", 0, at) + 1
    row = text.count("\n", 0, at) + 1
    col = text.count(sep, line_start, at)
    name = header[col] if col < len(header) else f"column {col + 1}"
    problems.error(row, name, "", f"Row {row}: the field '{name}' opens a double quote (\") that "
                   "is never closed, so the rest of the file would be read as one cell.",
                   "Close the quote, or remove it; a double quote inside quoted text is "
                   "written twice (\"\").")
    return True


def _read_csv(content: bytes, problems: Problems) -> ReadResult:
    text, encoding = _decode(content, problems)
    if problems.has_errors:
        return ReadResult(pd.DataFrame(), None, "csv", encoding, ",", problems)
    mac = "\r" in text and "\n" not in text  # lines ended by CR alone: Excel's "CSV (Macintosh)"
    if mac:
        text = text.replace("\r", "\n")
    header = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    sep = _sniff_separator(header)
    if header.count(sep) == 0:
        other = next((c for c in "|:!#" if c in header), None)
        hint = f" It seems to use '{other}' as separator." if other else ""
        problems.error(1, None, header[:80],
                       f"Only one column was found in the header row.{hint}",
                       "Separate columns with a comma, a semicolon or a tab.")
        return ReadResult(pd.DataFrame(), None, "csv", encoding, sep, problems)
    names = _header_names(header, sep)
    # an odd number of double quotes is the sign of one left open (the scan is slow: only then)
    if _duplicate_names(names, problems) or (text.count('"') % 2 and _unclosed_quote(
            text, sep, names, problems)):
        return ReadResult(pd.DataFrame(), None, "csv", encoding, sep, problems)
    result = ReadResult(pd.DataFrame(), None, "csv", encoding, sep, problems)
    # one search of the whole text (fast) spares searching every column of a clean file
    result.controls = CONTROL.search(text) is not None
    if encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        result.notes.append(f"Read as {_ENCODING_NAMES[encoding]} text ({SEPARATORS[sep]}-"
                            "separated), as Excel's 'Unicode Text' saves it.")
    if mac:
        result.notes.append("Lines end with a carriage return alone (as in Excel's 'CSV "
                            "(Macintosh)'); they were read as lines.")
    fast = _read_csv_arrow(text, "text" if mac else encoding, content, sep)
    if fast is not None:
        result.frame = _tidy(fast)
        return result
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
            problems.error(None, None, "", "The file could not be read as CSV: "
                           f"{str(exc).splitlines()[0][:200]}",
                           "Save it again as CSV (comma, semicolon or tab separated).")
        return result
    except (ValueError, csv.Error, UnicodeError) as exc:
        problems.error(None, None, "", "The file could not be read as CSV: "
                       f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}",
                       "Save it again as CSV (comma, semicolon or tab separated).")
        return result
    result.frame = _tidy(frame)
    return result


def _read_csv_arrow(text: str, encoding: str, content: bytes, sep: str) -> pd.DataFrame | None:
    """Arrow's multi-threaded CSV reader, every column as text; None if it cannot read the
    file (the pandas reader then says exactly which row is wrong)."""
    raw = content[3:] if encoding == "utf-8-sig" else content if encoding == "utf-8" else (
        text.encode("utf-8"))
    header = _header_names(text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r"), sep)
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


def _xlsx_preview(content: bytes, problems: Problems) -> dict[str, list[list]]:
    """The first rows of every sheet (values), to choose a sheet and recognise layouts."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        problems.error(None, None, "", "The Excel workbook is damaged or incomplete: it may "
                       "have been cut off while it was copied or downloaded.",
                       "Open it in Excel or LibreOffice and save it again, or download it "
                       "again.")
        return {}
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        problems.error(None, None, "", "The file could not be read as an Excel workbook "
                       f"({type(exc).__name__}: {str(exc)[:160]}).",
                       "Save it again as .xlsx, or export the sheet as CSV.")
        return {}
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(max_row=40, values_only=True)]
                for ws in book.worksheets}
    except Exception as exc:  # a sheet's XML cut off or broken
        problems.error(None, None, "", "The Excel workbook is damaged: a sheet cannot be read "
                       f"({type(exc).__name__}: {str(exc)[:160]}).",
                       "Open it in Excel or LibreOffice and save it again.")
        return {}
    finally:
        book.close()


def _header(rows: list[list]) -> tuple[int, list[str]] | None:
    """(spreadsheet row, names) of the first non-empty row among the first few."""
    for i, row in enumerate(rows[:HEADER_SCAN], start=1):
        names = [str(v).strip() for v in row if v is not None and str(v).strip()]
        if names:
            return i, names
    return None


def _fits(names: list[str], table: str | None, indicator_ids: set[str]) -> bool:
    cols = set(names)
    if EUROSTAT_COLUMNS <= cols or NUTS_LIST_COLUMNS <= cols or _is_nuts_xlsx(cols):
        return True
    if _is_wide_scores(cols, indicator_ids):
        return True
    if table is not None:
        return set(TABLES[table].required) <= cols
    return recognise_table(cols) is not None


def _read_xlsx(content: bytes, problems: Problems, preview: dict, table: str | None,
               indicator_ids: set[str], sheet: str | None = None) -> ReadResult:
    """The sheet asked for, else the first sheet whose header row fits a table (its header
    may be below a title). Every sheet is named in a note, and which one was read."""
    sheets = list(preview)
    if sheet is not None and sheet not in preview:
        problems.error(None, None, sheet, f"The workbook has no sheet '{sheet}'.",
                       "Choose one of: " + ", ".join(f"'{n}'" for n in sheets) + ".")
        return ReadResult(pd.DataFrame(), None, "xlsx", problems=problems)
    chosen, header_row, fits = (sheets[0] if sheets else 0), 1, False
    for name in ([sheet] if sheet is not None else sheets):
        head = _header(preview[name])
        if sheet is not None or head and _fits(head[1], table, indicator_ids):
            chosen, header_row = name, head[0] if head else 1
            fits = bool(head and _fits(head[1], table, indicator_ids))
            break
    head = _header(preview.get(chosen, []))
    if head:  # the raw header row, before pandas renames a repeated name 'value.1'
        raw = list(preview[chosen][head[0] - 1])
        if _duplicate_names(raw, problems, f" of sheet '{chosen}'"):
            return ReadResult(pd.DataFrame(), None, "xlsx", problems=problems)
    try:
        frame = pd.read_excel(io.BytesIO(content), sheet_name=chosen, header=header_row - 1,
                              dtype=str, keep_default_na=False, na_filter=False,
                              engine="openpyxl")
    except Exception as exc:  # a damaged sheet: openpyxl raises many kinds
        problems.error(None, None, "", "The sheet could not be read from the Excel workbook "
                       f"({type(exc).__name__}: {str(exc)[:160]}).",
                       "Open it in Excel or LibreOffice and save it again, or export the sheet "
                       "as CSV.")
        return ReadResult(pd.DataFrame(), None, "xlsx", problems=problems)
    _formulas_without_values(content, chosen, problems)
    result = ReadResult(_tidy(frame, header_row + 1), None, "xlsx", "xlsx", "", problems,
                        sheets=sheets, sheet=str(chosen))
    why = ("the one chosen" if sheet is not None else "its columns fit" if fits
           else "no sheet's columns fit a table")
    if len(sheets) > 1:
        others = ", ".join(f"'{n}'" for n in sheets if n != chosen)
        result.notes.append(f"The workbook has {len(sheets)} sheets; sheet '{chosen}' was "
                            f"read ({why}). Not read: {others}.")
    else:
        result.notes.append(f"Sheet '{chosen}' was read (the workbook's only sheet).")
    if header_row > 1:
        result.notes.append(f"The header is row {header_row} of sheet '{chosen}'; the rows "
                            "above it were skipped.")
    return result


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(content: bytes) -> bool:
    """Whether any sheet of the workbook holds a formula (its XML read in chunks)."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for name in zf.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with zf.open(name) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _formulas_without_values(content: bytes, sheet: str, problems: Problems):
    """Formula cells whose result the workbook does not hold (written by a program, never
    opened in a spreadsheet) would be read as empty: an error naming each cell (Sheet!B3)."""
    import openpyxl

    if not _has_formulas(content):
        return
    books = [openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=d)
             for d in (True, False)]
    try:
        found = []
        values, formulas = (b[sheet].iter_rows(values_only=True) for b in books)
        for r, (vals, forms) in enumerate(zip(values, formulas), start=1):
            for c, (v, f) in enumerate(zip(vals, forms), start=1):
                if v is None and f is not None:
                    text = f if isinstance(f, str) else getattr(f, "text", None)  # array formulas
                    if isinstance(text, str) and text.startswith("=") or text is None and not \
                            isinstance(f, (str, int, float, bool)):
                        found.append((f"{sheet}!{_col_letter(c)}{r}", text or "="))
    finally:
        for b in books:
            b.close()
    for cell, formula in found:
        problems.error(None, cell, formula[:80],
                       f"Cell {cell} holds a formula ({formula[:40]}) whose result is not saved "
                       "in the file, so its value is unknown.",
                       "Open the workbook in Excel or LibreOffice and save it (this stores every "
                       "formula's result), or type the value instead of the formula.")


def _read_mipex(content: bytes, filename: str, problems: Problems, empty: ReadResult
                ) -> ReadResult:
    from data import mipex

    wb = mipex.read(content, filename, problems)
    if wb is None or problems.has_errors:
        return empty
    tables = {"scores": wb.scores, "indicators": wb.indicators}
    texts, where = {}, {}
    for name, frame in tables.items():
        frame = frame.reset_index(drop=True)
        frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
        if name == "scores":
            where[name] = frame["source"].str.rsplit(", ", n=1).str[-1]
        texts[name] = as_text(frame)
    regions = as_text(wb.regions)
    regions.index = pd.RangeIndex(2, len(regions) + 2, name="row")
    return ReadResult(texts["scores"], "scores", "mipex", "xlsx", "", problems,
                      more={"indicators": texts["indicators"]}, suggested={"regions": regions},
                      notes=wb.notes, where=where, framework=mipex.FRAMEWORK, figures=wb.figures)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Values → the text cells validation reads (missing → "", numbers exactly)."""
    def cell(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float):
            return repr(v) if not v.is_integer() else str(int(v))
        return str(v)

    return frame.apply(lambda col: col.map(cell)).astype("str")


def _tidy(frame: pd.DataFrame, first_row: int = 2) -> pd.DataFrame:
    """Drop the empty trailing columns and rows spreadsheets add; strip header names."""
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    unnamed = [c for c in frame.columns if (c == "" or c.startswith("Unnamed:"))
               and frame[c].astype(str).str.strip().eq("").all()]
    frame = frame.drop(columns=unnamed)
    frame = frame.astype("str")
    # Keep the original line numbers: row index 0 is spreadsheet row ``first_row``.
    frame.index = pd.RangeIndex(first_row, len(frame) + first_row, name="row")
    if frame.empty or not len(frame.columns):
        return frame
    blank = frame.apply(lambda col: col.str.strip().eq(""), axis=0).all(axis=1)
    return frame.loc[~blank]


def recognise_table(columns) -> str | None:
    """Which table a set of column names belongs to (None if no table fits)."""
    cols = set(columns)
    if EUROSTAT_COLUMNS <= cols:
        return "outcomes"
    if NUTS_LIST_COLUMNS <= cols or _is_nuts_xlsx(cols):
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


def _is_nuts_xlsx(cols: set[str]) -> bool:
    return "NUTS level" in cols and any(NUTS_XLSX_CODE.match(c) for c in cols) and bool(
        cols & set(NUTS_XLSX_NAMES))


def _recognise(result: ReadResult, indicator_ids: set[str]) -> ReadResult:
    cols = set(result.frame.columns)
    if EUROSTAT_COLUMNS <= cols:
        from data.measures import suggest

        group_dim = next((d for d in GROUP_DIMENSIONS if d in cols), None)
        result.frame, result.fmt, result.table = eurostat_to_outcomes(result.frame), "eurostat", "outcomes"
        basis = {m: GROUP_BASIS[group_dim] for m in result.frame["measure"].unique()} \
            if group_dim else None
        suggestion = as_text(suggest(result.frame, basis))
        suggestion.index = pd.RangeIndex(2, len(suggestion) + 2, name="row")
        result.suggested["measures"] = suggestion
    elif NUTS_LIST_COLUMNS <= cols or _is_nuts_xlsx(cols):
        if NUTS_LIST_COLUMNS <= cols:
            result.frame = nuts_list_to_regions(result.frame, result.problems)
        else:
            result.frame = nuts_xlsx_to_regions(result.frame, result.problems)
        result.fmt, result.table = "nuts-list", "regions"
        version = result.frame["nuts_version"].iloc[0] if len(result.frame) else ""
        result.nuts_version = int(version) if version else None
        result.notes.append(f"Read as Eurostat's NUTS {version} code list: levels, parents and "
                            "countries derived from the codes.")
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

    ``measure`` is the dataset code followed by the dimensions besides geo, time and the
    population group (e.g. ``edat_lfse_16 sex=T age=Y18-24``), and the unit when a file has
    several; ``group`` is the ``citizen`` or ``c_birth`` dimension when there is one, else
    ``TOTAL``.
    """
    dataset = frame["DATAFLOW"].str.extract(r":([A-Za-z0-9_]+)\(", expand=False).fillna(
        frame["DATAFLOW"]).str.lower()
    fixed = {"DATAFLOW", "LAST UPDATE", "freq", "geo", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG",
             "unit", *GROUP_DIMENSIONS, "CONF_STATUS"}
    dims = [c for c in frame.columns if c not in fixed]
    if "unit" in frame.columns and frame["unit"].nunique() > 1:
        dims.append("unit")
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


def nuts_regions(codes: pd.Series, names: pd.Series, version: int, stated_level: pd.Series,
                 problems: Problems) -> pd.DataFrame:
    """Regions rows from a NUTS code list: level, parent and country derived from the code
    (``ES511``: NUTS3, parent ES51, country ES; Eurostat's EL and UK are ISO's GR and GB).
    Where the file states another level than the code's length gives, a warning says so.
    No coordinates: those come from a boundary or label file, or are added later."""
    codes = codes.str.strip()
    derived = codes.str.len() - 2
    level = "NUTS" + derived.astype("str")
    stated = pd.to_numeric(stated_level.str.strip(), errors="coerce")
    odd = stated.notna() & (stated != derived) & codes.str.len().between(2, 5)
    problems.add_rows("warning", codes.index[odd], "NUTS level",
                      (codes + ": " + stated_level.str.strip())[odd],
                      "The file's NUTS level differs from the level the code's length gives; "
                      "the code's level is used.", "Check the code.")
    out = pd.DataFrame({
        "region_id": codes,
        "name": names.str.strip(),
        "country": codes.str[:2].replace(EUROSTAT_COUNTRY),
        "level": level.where(codes.str.len().between(2, 5), ""),
        "parent_id": codes.str[:-1].where(codes.str.len() > 2, ""),
        "lat": "",
        "lon": "",
        "nuts_version": str(version),
    }, index=codes.index)
    return out.astype("str")


def nuts_list_to_regions(frame: pd.DataFrame, problems: Problems | None = None) -> pd.DataFrame:
    """Eurostat's NUTS code list as CSV (NUTS 2024: ``Country code;NUTS Code;NUTS label;NUTS
    level``) → regions rows."""
    return nuts_regions(frame["NUTS Code"], frame["NUTS label"], 2024, frame["NUTS level"],
                        Problems("regions") if problems is None else problems)


def nuts_xlsx_to_regions(frame: pd.DataFrame, problems: Problems | None = None) -> pd.DataFrame:
    """Eurostat's NUTS code list as XLSX (``Code 2021, Country, NUTS level 1, NUTS level 2,
    NUTS level 3, NUTS level``: the name sits in the column of the row's level) → regions
    rows, with the NUTS version taken from the code column's name."""
    code_col = next(c for c in frame.columns if NUTS_XLSX_CODE.match(c))
    version = int(NUTS_XLSX_CODE.match(code_col).group(1))
    names = pd.Series("", index=frame.index, dtype="str")
    for col in NUTS_XLSX_NAMES:
        if col in frame.columns:
            text = frame[col].astype("str").str.strip()
            names = names.where(names.ne(""), text)
    frame = frame[frame[code_col].str.strip().ne("")]
    return nuts_regions(frame[code_col], names.loc[frame.index], version, frame["NUTS level"],
                        Problems("regions") if problems is None else problems)
