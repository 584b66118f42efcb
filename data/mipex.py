"""MIPEX's published Excel workbook → regions, indicators and scores, and the check of the
dashboard's figures against the workbook's own.

The layout (one sheet per country, named by a two-letter code)::

    Overall Scores
    Year | Overall Score (with health) | … (with/out health) | … (with/out health and education)
    2020 | =AVERAGE(B16,B29,…)         | …
    …
    Policy strand | Labour Market Mobility Strand
    Indicator     | a      | Indicator | …     | Indicator | ab6 | …    one code per column
    Sub-indicator |        | …         | aa1   | …                     (or here)
    Title         | …                                                   per indicator
    Description   | …
    Answer options| …      "100 - All of them\\n50 - …\\n0 - …"
    Year | Score | Comments | Year | Score | Comments | …               one triplet per indicator
    2020 | =AVERAGE(E16,…)  | 2020 | 50 | "coder's comment" | …

The first triplet of a strand is its average; the others are indicators. Header cells carry
stray spaces, some codes combine two questions (``ab7ab8``), some indicator scores are
formulas over sub-indicators (``=AVERAGE(Q42,T42,W42)``), and the strand average's formula
says how much each column counts (``=AVERAGE(E,((H+K)/2),…)``).

What becomes data: regions = the countries (sheet codes mapped to the codes the regions
table uses, the sheet's code kept in ``source_code``); indicators = one per coded column
(area = strand, title, question = description, answer map parsed from the options, weight =
the column's share in the strand average's formula — 0 for a sub-indicator the average does
not use); scores = each year as an edition, the comment as the note. The strand and overall
figures are not imported: the dashboard computes them, and :func:`check` compares.
Every cell that cannot be read is reported with its address (``DE!K37``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.formula import FormulaError, coefficients, evaluate, shape, split_ref
from data.problems import Problems

FRAMEWORK = "MIPEX"
TARGET_GROUP = "TCN"  # MIPEX scores policies for legally resident third-country nationals
PHASE = "output"  # MIPEX scores laws and policies on paper: the policy-output phase
SYSTEM = "not classified"  # MIPEX has no governance-system axis
#: Sheet codes MIPEX uses that differ from the region codes (NUTS) and ISO country codes.
SHEET_CODES = {"GR": ("EL", "GR"), "EL": ("EL", "GR"), "UK": ("UK", "GB"), "GB": ("UK", "GB"),
               "TU": ("TR", "TR")}
#: What an overall column leaves out, recognised from its header.
OVERALL_KINDS = (("education", frozenset({"health", "education"})),
                 ("out health", frozenset({"health"})), ("without health", frozenset({"health"})))
COMPUTED_OPTIONS = ("to be filled",)  # "TO BE FILLED AUTOMATICALLY", "to be filled by MPG"
OPTION_LINE = re.compile(r"^\s*(\d{1,3}(?:[.,]\d+)?)\s*-\s*(.*)$")
RULE = re.compile(r"\b(?:[a-z]{1,3}\d+[a-z]?|\d+[a-z])\s*=\s*\d+", re.IGNORECASE)
MAX_HEADER_SCAN = 40


def looks_like(sheets: dict[str, list[list]]) -> bool:
    """Whether a workbook (sheet → rows of values) has MIPEX's block layout."""
    for rows in sheets.values():
        for row in rows[:MAX_HEADER_SCAN]:
            if row and _label(row[0]) in ("overall scores", "policy strand"):
                return True
    return False


def _label(v) -> str:
    return " ".join(str(v).split()).casefold() if v is not None else ""


def _text(v) -> str:
    return " ".join(str(v).split()) if v is not None else ""


def _year(v) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and float(v).is_integer() and 1900 <= v <= 2100:
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*\d{4}\s*", v) and 1900 <= int(v) <= 2100:
        return int(v)
    return None


def col_letter(c: int) -> str:
    out = ""
    while c:
        c, r = divmod(c - 1, 26)
        out = chr(65 + r) + out
    return out


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def strand_area(name: str) -> str:
    """"Labour Market Mobility Strand" → "labour market mobility"."""
    text = _text(name)
    text = re.sub(r"\s*strand$", "", text, flags=re.IGNORECASE)
    return text.casefold()


# ------------------------------------------------------------------ answer options

@dataclass
class Options:
    text: str                      # as published, whitespace tidied, one option per line
    answers: str = ""              # the answer map "100=100;50=50;0=0", empty if none
    kind: str = "map"              # map | rule | computed | none


def parse_options(raw) -> Options:
    """"100 - All of them\\n50 - …\\n0 - …" → the answer map ``100=100;50=50;0=0``.

    The code of an option is its value as written (MIPEX options have no letters). Options
    written as rules over other indicators (``17 - bb28a=50 & bb28b=0``) and "to be filled
    automatically" give no map: the text is kept, never turned into a guessed map.
    """
    lines = [ln.strip() for ln in str(raw or "").replace("\r", "").split("\n")]
    options: list[list] = []
    for ln in lines:
        if not ln:
            continue
        m = OPTION_LINE.match(ln)
        if m:
            options.append([m.group(1).replace(",", "."), _text(m.group(2))])
        elif options:
            options[-1][1] = _text(options[-1][1] + " " + ln)
        else:
            options.append([None, _text(ln)])
    text = "\n".join(f"{v} - {t}" if v is not None else t for v, t in options)
    if not text:
        return Options("", kind="none")
    if any(k in text.casefold() for k in COMPUTED_OPTIONS):
        return Options(text, kind="computed")
    if any(RULE.search(t) for _, t in options):
        return Options(text, kind="rule")
    values = [v for v, _ in options if v is not None]
    if not values or any(v is None for v, _ in options):
        return Options(text, kind="none")
    seen, items = set(), []
    for v in values:
        code = _code(float(v))
        if code not in seen and 0 <= float(v) <= 100:
            seen.add(code)
            items.append(f"{code}={code}")
    return Options(text, ";".join(items), "map")


def _code(x: float) -> str:
    return f"{x:g}"


# ------------------------------------------------------------------ one sheet

@dataclass
class Triplet:
    year_col: int
    score_col: int
    comment_col: int | None


@dataclass
class Column:
    """One coded column of a strand in one sheet."""
    code: str
    level: str            # "indicator" or "sub"
    score_col: int
    year_col: int
    comment_col: int | None
    title: str = ""
    description: str = ""
    options: str = ""
    header_cell: str = ""


@dataclass
class Strand:
    name: str
    area: str
    label_row: int
    header_row: int
    rows: list[tuple[int, int]] = field(default_factory=list)   # (sheet row, year)
    columns: list[Column] = field(default_factory=list)
    average_col: int = 2


@dataclass
class Sheet:
    name: str
    formulas: dict          # (row, col) → value as written (formulas as text)
    values: dict            # (row, col) → cached value
    overall_row: int | None = None
    overall_header: int | None = None
    overall_cols: dict = field(default_factory=dict)   # col → frozenset of strands left out
    overall_rows: list[tuple[int, int]] = field(default_factory=list)
    strands: list[Strand] = field(default_factory=list)

    def cell(self, row, col) -> str:
        return f"{self.name}!{col_letter(col)}{row}"


def _grid(ws) -> dict:
    out = {}
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        for c, v in enumerate(row, start=1):
            if v is not None and not (isinstance(v, str) and not v.strip()):
                out[(r, c)] = v
    return out


def _parse_sheet(sheet: Sheet, problems: Problems):
    f = sheet.formulas
    max_row = max((r for r, _ in f), default=0)
    max_col = max((c for _, c in f), default=0)
    a = {r: _label(f.get((r, 1))) for r in range(1, max_row + 1)}
    r = 1
    while r <= max_row:
        if a[r] == "overall scores":
            sheet.overall_row = r
            h = next((x for x in range(r + 1, min(r + 4, max_row) + 1) if a[x] == "year"), None)
            if h is None:
                problems.warning(None, sheet.cell(r + 1, 1), "",
                                 "The Overall Scores block has no 'Year' header row; the "
                                 "workbook's overall figures were not read.",
                                 "Check the block's layout against another sheet.")
                r += 1
                continue
            sheet.overall_header = h
            for c in range(2, max_col + 1):
                head = _label(f.get((h, c)))
                if not head.startswith("overall"):
                    continue
                leaves_out = frozenset()
                for word, out in OVERALL_KINDS:
                    if word in head:
                        leaves_out = out
                        break
                sheet.overall_cols[c] = leaves_out
            sheet.overall_rows = _year_rows(sheet, h + 1, max_row, problems)
            r = h + 1
            continue
        if a[r] == "policy strand":
            r = _parse_strand(sheet, r, max_row, max_col, a, problems)
            continue
        r += 1


def _year_rows(sheet: Sheet, start: int, max_row: int, problems: Problems) -> list:
    rows = []
    r = start
    while r <= max_row:
        v = sheet.formulas.get((r, 1))
        if v is None:
            break
        y = _year(v)
        if y is None:
            if _label(v) in ("policy strand", "overall scores"):
                break
            problems.warning(None, sheet.cell(r, 1), _text(v)[:60],
                             "This row's year cannot be read; the row was not imported.",
                             "Write the year as a number, e.g. 2022.")
        else:
            rows.append((r, y))
        r += 1
    return rows


def _parse_strand(sheet, r, max_row, max_col, a, problems) -> int:
    f = sheet.formulas
    name = _text(f.get((r, 2)))
    labels = {}
    h = None
    for x in range(r + 1, min(r + 12, max_row) + 1):
        if a[x] == "year":
            h = x
            break
        if a[x] in ("indicator", "sub-indicator", "title", "description", "answer options"):
            labels[a[x]] = x
    if h is None or not name:
        problems.warning(None, sheet.cell(r, 1), name,
                         "This 'Policy strand' block has no strand name or no 'Year | Score | "
                         "Comments' header row; it was not read.",
                         "Check the block's layout against another sheet.")
        return r + 1
    strand = Strand(name, strand_area(name), r, h)
    # A triplet starts where its header says "Year", or "Score" one column to the right, or
    # "Comments" two columns to the right: some sheets leave one of the three empty.
    head = {c: _label(f.get((h, c))) for c in range(1, max_col + 3)}
    starts = sorted({c for c in range(1, max_col + 1) if head[c] == "year"}
                    | {c - 1 for c in range(2, max_col + 1) if head[c].startswith("score")}
                    | {c - 2 for c in range(3, max_col + 1) if head[c].startswith("comment")})
    triplets, last = [], 0
    for c in starts:
        if c > last:
            triplets.append(Triplet(c, c + 1, c + 2))
            last = c + 2
    strand.rows = _year_rows(sheet, h + 1, max_row, problems)
    if not triplets:
        return h + 1
    strand.average_col = triplets[0].score_col
    used = set()
    for tr in triplets:
        used.update({tr.year_col, tr.score_col, tr.comment_col})
    for tr in triplets[1:]:
        code, level, where = "", "", ""
        for lab, lvl in (("indicator", "indicator"), ("sub-indicator", "sub")):
            row = labels.get(lab)
            if row and _text(f.get((row, tr.score_col))):
                code, level, where = _text(f.get((row, tr.score_col))), lvl, sheet.cell(
                    row, tr.score_col)
                break
        if not code:
            if any((yr, tr.score_col) in f for yr, _ in strand.rows):
                problems.warning(None, sheet.cell(h, tr.score_col), "",
                                 "This column has scores but no indicator code above it; "
                                 "they were not imported.",
                                 "Write the indicator's code in the 'Indicator' or "
                                 "'Sub-indicator' row.")
            continue
        col = Column(code, level, tr.score_col, tr.year_col, tr.comment_col, header_cell=where)
        for lab, attr in (("title", "title"), ("description", "description"),
                          ("answer options", "options")):
            row = labels.get(lab)
            if row:
                raw = f.get((row, tr.score_col))
                setattr(col, attr, str(raw).strip() if attr == "options" and raw is not None
                        else _text(raw))
        strand.columns.append(col)
    # cells in the year rows that belong to no triplet
    for row, _ in strand.rows:
        for c in range(1, max_col + 1):
            if c not in used and (row, c) in f:
                problems.warning(None, sheet.cell(row, c), _text(f[(row, c)])[:60],
                                 "This cell is outside every 'Year | Score | Comments' column "
                                 "of its block; it was not read.",
                                 "Move a comment into the Comments column of its indicator.")
    sheet.strands.append(strand)
    return strand.rows[-1][0] + 1 if strand.rows else h + 1


# ------------------------------------------------------------------ the workbook

@dataclass
class Workbook:
    """What :func:`read` found: the three tables, the workbook's own figures, notes."""
    regions: pd.DataFrame
    indicators: pd.DataFrame
    scores: pd.DataFrame
    figures: pd.DataFrame      # sheet, region_id, year, what, leaves_out, cell, value
    notes: list[str]


def region_of(sheet_name: str) -> tuple[str, str, str] | None:
    """A sheet's code → (region_id, country, English name); None when it is not a country."""
    from babel import Locale

    code = sheet_name.strip().upper()
    region_id, country = SHEET_CODES.get(code, (code, code))
    names = Locale("en").territories
    if not re.fullmatch(r"[A-Z]{2}", country) or country not in names:
        return None
    return region_id, country, names[country]


def load_sheets(content: bytes, data_only: bool) -> dict[str, dict]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=data_only)
    try:
        return {ws.title: _grid(ws) for ws in book.worksheets}
    finally:
        book.close()


def read(content: bytes, filename: str, problems: Problems) -> Workbook | None:
    """Read a MIPEX workbook. Problems (with cell addresses) go to ``problems``; None when
    the file cannot be opened at all."""
    try:
        formulas = load_sheets(content, data_only=False)
        values = load_sheets(content, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problems.error(None, None, "", f"The file could not be read as an Excel workbook: {exc}",
                       "Save it again as .xlsx.")
        return None
    notes: list[str] = []
    sheets: list[Sheet] = []
    problems.table = "scores"
    for name, grid in formulas.items():
        if region_of(name) is None:
            if any(_label(v) in ("policy strand", "overall scores") for (r, c), v in grid.items()
                   if c == 1):
                problems.warning(None, f"{name}!A1", name,
                                 f"The sheet '{name}' is not named by a country code; it was "
                                 "not imported.",
                                 "Name each country's sheet by its two-letter code (e.g. DE).")
            else:
                notes.append(f"Sheet '{name}' has no MIPEX blocks and was skipped.")
            continue
        sheet = Sheet(name, grid, values.get(name, {}))
        _parse_sheet(sheet, problems)
        if not sheet.strands:
            problems.warning(None, f"{name}!A1", name,
                             f"No 'Policy strand' block was found on sheet '{name}'; it was not "
                             "imported.", "Check the sheet's layout against another sheet.")
            continue
        sheets.append(sheet)
    if not sheets:
        problems.error(None, None, filename, "No sheet of this workbook has MIPEX's layout "
                       "('Overall Scores' and 'Policy strand' blocks).",
                       "Upload MIPEX's published workbook, or choose another format.")
        return None
    problems.table = "indicators"
    codes = _resolve_codes(sheets, problems)
    weights, structure_notes = _weights(sheets, codes, problems)
    notes += structure_notes
    indicators = _indicators(sheets, codes, weights, filename, problems)
    options = {r.indicator_id: r.answers if isinstance(r.answers, str) else ""
               for r in indicators.itertuples()}
    problems.table = "scores"
    scores = _scores(sheets, codes, options, filename, problems)
    regions = _regions(sheets)
    figures = _figures(sheets, problems)
    notes.insert(0, f"MIPEX workbook: {len(sheets)} country sheets, {len(indicators)} indicators "
                    f"in {indicators['area'].nunique()} strands, years "
                    f"{scores['edition'].min()}–{scores['edition'].max()}."
                 if len(scores) else f"MIPEX workbook: {len(sheets)} country sheets.")
    return Workbook(regions, indicators, scores, figures, notes)


def _resolve_codes(sheets: list[Sheet], problems: Problems) -> dict:
    """(sheet, strand area, score column) → the indicator code to use.

    A code is what the sheet says, except where one sheet names a column differently from
    every other sheet (a typo such as fb102_new for fa102_new): then the other sheets' code
    is used and the cell is reported.
    """
    at_position: dict[tuple, Counter] = defaultdict(Counter)
    everywhere: Counter = Counter()
    for s in sheets:
        for st in s.strands:
            for col in st.columns:
                at_position[(st.area, col.score_col)][col.code] += 1
                everywhere[(st.area, col.code)] += 1
    out = {}
    for s in sheets:
        for st in s.strands:
            seen = set()
            for col in st.columns:
                code = col.code
                common, n = at_position[(st.area, col.score_col)].most_common(1)[0]
                if code != common and everywhere[(st.area, code)] == 1 and n > 1:
                    problems.warning(None, col.header_cell, code,
                                     f"The code '{code}' appears on this sheet only; the other "
                                     f"sheets name this column '{common}'. It was read as "
                                     f"'{common}'.", "Correct the code in the workbook.")
                    code = common
                if code in seen:
                    problems.warning(None, col.header_cell, code,
                                     f"The indicator '{code}' appears twice in this strand; the "
                                     "second column was not imported.",
                                     "Give each column its own code.")
                    continue
                seen.add(code)
                out[(s.name, st.area, col.score_col)] = code
    return out


def _weights(sheets, codes, problems) -> tuple[dict, list[str]]:
    """Indicator code → weight inside its strand, from the strand average's formula.

    The formula most sheets use for a strand is the rule (as a weighted sum of columns); a
    column's weight is its coefficient, scaled so the largest is 1. Coded columns the
    formula does not use weigh 0 (sub-indicators). Sheets whose formula differs are
    reported: the dashboard applies one rule to every country.
    """
    notes = []
    weights: dict[str, float] = {}
    by_area: dict[str, list] = defaultdict(list)
    for s in sheets:
        for st in s.strands:
            by_area[st.area].append((s, st))
    for area, items in by_area.items():
        shapes: Counter = Counter()
        example: dict[str, tuple[str, int]] = {}
        for s, st in items:
            for row, _ in st.rows:
                v = s.formulas.get((row, st.average_col))
                if isinstance(v, str) and v.startswith("="):
                    shapes[shape(v)] += 1
                    example.setdefault(shape(v), (v, row))
        columns_code = Counter()
        for s, st in items:
            for col in st.columns:
                code = codes.get((s.name, st.area, col.score_col))
                if code:
                    columns_code[(col.score_col, code)] += 1
        code_at: dict[int, str] = {}
        for (c, code), _n in columns_code.most_common():
            code_at.setdefault(c, code)
        rule = None
        if shapes:
            common = shapes.most_common(1)[0][0]
            formula, row = example[common]
            try:
                coef = coefficients(formula)
                refs = [split_ref(ref) for ref in coef]
                if any(r != row for _, r in refs):
                    raise FormulaError("it refers to other rows")
                rule = {col_number(letters): coef[f"{letters}{r}"] for letters, r in refs}
            except FormulaError as exc:
                notes.append(f"The average of the {area} strand ({common}) is not a weighted "
                             f"sum the dashboard can read ({exc}); its indicators are weighted "
                             "equally and its sub-indicators left out.")
        if rule is not None:
            bad = [c for c, w in rule.items() if w <= 0 or c not in code_at]
            if bad:
                notes.append(f"The average of the {area} strand refers to columns without an "
                             f"indicator code or with a negative weight "
                             f"({', '.join(col_letter(c) for c in bad)}); its indicators are "
                             "weighted equally and its sub-indicators left out.")
                rule = None
        if rule is None:
            for s, st in items:
                for col in st.columns:
                    code = codes.get((s.name, st.area, col.score_col))
                    if code:
                        weights.setdefault(code, 1.0 if col.level == "indicator" else 0.0)
            continue
        top = max(rule.values())
        for c, code in code_at.items():
            weights[code] = rule.get(c, 0.0) / top
        common = shapes.most_common(1)[0][0]
        for s, st in items:
            odd = [(row, s.formulas.get((row, st.average_col))) for row, _ in st.rows]
            odd = [(row, v) for row, v in odd if isinstance(v, str) and v.startswith("=")
                   and not _same_rule(v, row, common)]
            if odd:
                row, v = odd[0]
                where = s.cell(row, st.average_col)
                if len(odd) > 1:
                    where += f":{col_letter(st.average_col)}{odd[-1][0]}"
                problems.warning(None, where, v[:80],
                                 f"The {area} average on this sheet is computed differently from "
                                 f"most sheets ({common}). The dashboard scores every country "
                                 "with one rule, so this country's figures may differ from the "
                                 "workbook's (see the comparison).",
                                 "Check the formula in the workbook.")
    return weights, notes


def _same_rule(formula: str, row: int, common: str) -> bool:
    """Whether a row's formula is the common one, on its own row (a formula that reads a
    cell of the next row, as a copied formula can, is not)."""
    if shape(formula) != common:
        return False
    rows = {int(r) for r in re.findall(r"\$?[A-Z]{1,3}\$?(\d+)", formula.upper())}
    return rows <= {row}


KIND_RANK = {"map": 3, "rule": 2, "computed": 1, "none": 0}


def _best_options(texts) -> Options:
    """The most informative answer options among the sheets' versions: an answer map over
    rules over "to be filled…", and the most common text among equals."""
    parsed = [parse_options(t) for t in texts if t]
    if not parsed:
        return Options("", kind="none")
    best = max(KIND_RANK[o.kind] for o in parsed)
    common = Counter(o.text for o in parsed if KIND_RANK[o.kind] == best).most_common(1)[0][0]
    return next(o for o in parsed if o.text == common)


def _most_common(values) -> str:
    vals = [v for v in values if v]
    return Counter(vals).most_common(1)[0][0] if vals else ""


def _indicators(sheets, codes, weights, filename, problems) -> pd.DataFrame:
    meta: dict[str, dict] = {}
    order: list[str] = []
    for s in sheets:
        for st in s.strands:
            for col in st.columns:
                code = codes.get((s.name, st.area, col.score_col))
                if not code:
                    continue
                if code not in meta:
                    meta[code] = {"area": st.area, "levels": [], "titles": [], "descs": [],
                                  "options": [], "cells": []}
                    order.append(code)
                m = meta[code]
                m["levels"].append(col.level)
                m["titles"].append(col.title)
                m["descs"].append(col.description)
                m["options"].append(col.options)
                m["cells"].append(col.header_cell)
    rows = []
    for code in order:
        m = meta[code]
        opts = _best_options(m["options"])
        variants = {" ".join(o.split()) for o in m["options"] if o}
        if len(variants) > 1:
            problems.warning(None, m["cells"][0], code,
                             f"The answer options of {code} differ between sheets "
                             f"({len(variants)} versions); the most common one is used.",
                             "Make the options the same on every sheet.")
        if opts.kind == "rule":
            problems.warning(None, m["cells"][0], code,
                             f"The answer options of {code} are rules over other indicators "
                             f"({opts.text.splitlines()[0][:60]} …): they are kept as text and "
                             "its scores are imported as values, without an answer map.",
                             "Nothing to do unless an answer map is wanted: then write it as "
                             "code=value pairs in the indicators table.")
        rows.append({
            "indicator_id": code, "label": _most_common(m["titles"]) or code,
            "question": _most_common(m["descs"]), "area": m["area"], "phase": PHASE,
            "system": SYSTEM, "target_groups": TARGET_GROUP, "answers": opts.answers or None,
            "answer_options": opts.text or None,
            "weight": float(weights.get(code, 1.0)), "kind": "policy", "direction": 1,
            "unit": "points", "source": f"MIPEX workbook {filename}", "framework": FRAMEWORK,
        })
    return pd.DataFrame(rows)


def _number(v):
    """A score cell's value as a float; None if blank; raises ValueError if unreadable."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError(str(v))
    if isinstance(v, (int, float)):
        return float(v)
    text = str(v).strip().replace(",", ".")
    if not text:
        return None
    return float(text)


def _cell_value(sheet: Sheet, row: int, col: int):
    """The value of a cell: as written, or the cached result of its formula (computed here
    when the workbook has no cached result). Raises ValueError with a reason."""
    written = sheet.formulas.get((row, col))
    if isinstance(written, str) and written.startswith("="):
        cached = sheet.values.get((row, col))
        if cached is not None:
            if isinstance(cached, str) and cached.startswith("#"):
                raise ValueError(f"the formula gives the error {cached}")
            return _number(cached)

        def lookup(ref):
            letters, r = split_ref(ref)
            return _cell_value(sheet, r, col_number(letters))

        try:
            return evaluate(written, lookup)
        except (FormulaError, RecursionError) as exc:
            raise ValueError(f"the formula {written[:60]} cannot be computed: {exc}") from None
    return _number(written)


def _scores(sheets, codes, answers, filename, problems) -> pd.DataFrame:
    rows = []
    off_map: dict[tuple, list] = defaultdict(list)
    for s in sheets:
        region = region_of(s.name)[0]
        for st in s.strands:
            for col in st.columns:
                code = codes.get((s.name, st.area, col.score_col))
                if not code:
                    continue
                amap = {k.split("=")[0] for k in (answers.get(code) or "").split(";") if k}
                for row, year in st.rows:
                    ycell = s.formulas.get((row, col.year_col))
                    if ycell is not None and _year(ycell) != year:
                        problems.warning(None, s.cell(row, col.year_col), _text(ycell)[:60],
                                         f"This year cell does not say {year}, the year of its "
                                         f"row; the score beside it was read as {year}.",
                                         f"Write {year} here.")
                    try:
                        value = _cell_value(s, row, col.score_col)
                    except ValueError as exc:
                        problems.warning(None, s.cell(row, col.score_col),
                                         _text(s.formulas.get((row, col.score_col)))[:60],
                                         f"This score cannot be read ({exc}); it was left out.",
                                         "Write a number from 0 to 100.")
                        value = None
                    if value is not None and not 0 <= value <= 100:
                        problems.warning(None, s.cell(row, col.score_col), f"{value:g}",
                                         "This score is outside 0–100; it was left out.",
                                         "Write a number from 0 to 100.")
                        value = None
                    note = _text(s.formulas.get((row, col.comment_col))) if col.comment_col \
                        else ""
                    if value is None and not note:
                        continue
                    answer = None
                    if value is not None and amap:
                        if _code(value) in amap:
                            answer = _code(value)
                        else:
                            off_map[(code, _code(value))].append(s.cell(row, col.score_col))
                    rows.append({"region_id": region, "indicator_id": code,
                                 "target_group": TARGET_GROUP, "edition": year,
                                 "answer": answer, "value": value, "note": note or None,
                                 "source": f"MIPEX workbook, {s.cell(row, col.score_col)}"})
    for (code, value), cells in off_map.items():
        problems.warning(None, cells[0] + (f" (+{len(cells) - 1})" if len(cells) > 1 else ""),
                         value, f"{value} is not one of the answer options of {code}; it was "
                         "imported as a value without an answer code.",
                         "Check the score against the indicator's answer options.")
    return pd.DataFrame(rows, columns=["region_id", "indicator_id", "target_group", "edition",
                                       "answer", "value", "note", "source"])


def _regions(sheets) -> pd.DataFrame:
    rows = []
    for s in sheets:
        region_id, country, name = region_of(s.name)
        code = s.name.strip().upper()
        rows.append({"region_id": region_id, "name": name, "country": country,
                     "level": "NUTS0", "parent_id": None, "lat": None, "lon": None,
                     "nuts_version": None, "source_code": code if code != region_id else None})
    return pd.DataFrame(rows)


def _figures(sheets, problems) -> pd.DataFrame:
    """The workbook's own strand and overall figures (never imported; compared)."""
    rows = []
    for s in sheets:
        region = region_of(s.name)[0]
        for st in s.strands:
            for row, year in st.rows:
                rows.append(_figure(s, region, year, st.area, frozenset(), row, st.average_col,
                                    problems))
        for row, year in s.overall_rows:
            for col, leaves_out in s.overall_cols.items():
                rows.append(_figure(s, region, year, "overall", leaves_out, row, col, problems))
    return pd.DataFrame(rows, columns=["sheet", "region_id", "year", "what", "leaves_out",
                                       "cell", "value"])


def _figure(s, region, year, what, leaves_out, row, col, problems) -> dict:
    try:
        value = _cell_value(s, row, col)
    except ValueError as exc:
        problems.warning(None, s.cell(row, col), _text(s.formulas.get((row, col)))[:60],
                         f"The workbook's own figure cannot be read ({exc}); it is not compared.",
                         "Nothing to do: the dashboard computes this figure itself.")
        value = None
    return {"sheet": s.name, "region_id": region, "year": year, "what": what,
            "leaves_out": ", ".join(sorted(leaves_out)), "cell": s.cell(row, col),
            "value": value}


# ------------------------------------------------------------------ the check

#: Two figures are the same when they agree to two decimals.
TOLERANCE = 0.005


def check(indicators: pd.DataFrame, scores: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """The dashboard's strand and overall scores next to the workbook's, one row per figure.

    Scores are :func:`scoring.aggregate` by area and :func:`scoring.overall`, with the
    indicators' weights (the workbook's own structure, read from its formulas) and the areas
    weighted equally; missing values are left out. An overall figure is compared with the
    workbook's column that leaves out the strands the dashboard has no score for in that
    year (e.g. "without health" for a year without health). Output: sheet, region_id, year,
    what, cell, workbook, dashboard, difference, same (bool).
    """
    import scoring

    cols = ["sheet", "region_id", "year", "what", "cell", "workbook", "dashboard",
            "difference", "same"]
    if figures.empty:
        return pd.DataFrame(columns=cols)
    ind = indicators[indicators["framework"] == FRAMEWORK] if "framework" in indicators else \
        indicators
    regions = set(figures["region_id"])
    sc = scores[scores["region_id"].isin(regions) & scores["indicator_id"].isin(
        set(ind["indicator_id"]))]
    cube = scoring.prepare(ind, sc)
    by_area = scoring.aggregate(cube, by="area", weights="column")
    by_area = by_area[by_area["target_group"] == TARGET_GROUP]
    area_score = {(str(r), int(e), str(a)): s for r, e, a, s in zip(
        by_area["region_id"], by_area["edition"], by_area["area"], by_area["score"])}
    ov = scoring.overall(cube, weights="column")
    ov = ov[ov["target_group"] == TARGET_GROUP]
    overall_score = {(str(r), int(e)): s for r, e, s in zip(ov["region_id"], ov["edition"],
                                                           ov["score"])}
    areas = sorted(set(map(str, ind["area"])))
    out = []
    strands = figures[figures["what"] != "overall"]
    for f in strands.itertuples():
        dash = area_score.get((f.region_id, int(f.year), f.what), np.nan)
        out.append((f.sheet, f.region_id, f.year, f.what, f.cell, f.value, dash))
    overall = figures[figures["what"] == "overall"]
    for (sheet, region, year), g in overall.groupby(["sheet", "region_id", "year"], sort=False):
        present = {a for a in areas if np.isfinite(area_score.get((region, int(year), a), np.nan))}
        missing = ", ".join(sorted(set(areas) - present))
        pick = g[g["leaves_out"] == missing]
        pick = pick if len(pick) else g[g["leaves_out"] == ""]
        pick = pick if len(pick) else g
        f = pick.iloc[0]
        out.append((sheet, region, year, "overall" + (f" (without {f.leaves_out})"
                                                      if f.leaves_out else ""), f.cell,
                    f.value, overall_score.get((region, int(year)), np.nan)))
    frame = pd.DataFrame(out, columns=cols[:7])
    frame["workbook"] = pd.to_numeric(frame["workbook"], errors="coerce").astype("float64")
    frame["dashboard"] = pd.to_numeric(frame["dashboard"], errors="coerce").astype("float64")
    frame["difference"] = frame["dashboard"] - frame["workbook"]
    frame["same"] = (frame["difference"].abs() < TOLERANCE) | (
        frame["workbook"].isna() & frame["dashboard"].isna())
    return frame
