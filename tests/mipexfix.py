"""A small workbook in MIPEX's published layout, built with openpyxl (so its formulas have
no cached results, as in a file written by a program: the reader computes them).

Two country sheets (DE, GR — Greece is EL in NUTS), years 2020–2021 (2019 and 2022 on DE
only; DE has no health scores in 2019, so its 2019 overall is the "without health" one), two
strands:

* "Labour Market Mobility Strand": ``aa1`` (a sub-indicator code that the average uses),
  ``ab7ab8`` (a combined code, options 100/67/33/0), ``ab9`` (an indicator whose score is
  the average of two sub-indicators ``ab9a``/``ab9b``), average ``=AVERAGE(E,H,K)``;
* "Health Strand": ``145a`` and ``146a`` (counted half each) and ``152c``, average
  ``=AVERAGE((E+H)/2,K)``; ``bb28``-style rule options on ``152c``.

Header cells carry stray spaces. GR!E16 holds "n/a" (unreadable), GR!M9 a comment outside
every triplet. Figures (hand-computed): DE 2020 labour = (50 + 67 + 75)/3 = 64; health =
((100 + 50)/2 + 0)/2 = 37.5; overall = (64 + 37.5)/2 = 50.75.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

LABOUR_OPTIONS = "100 - All of them\n50 - A and (C or certain categories of B)\n0 - Only A or none"
COMBINED_OPTIONS = "100 - Both\n67 - All of them has access to 1) \n33 - Some\n0 - None"
RULE_OPTIONS = "0 - 152a=0 & 152b=0\n50 - 152a=50 & 152b=50\n100 - 152a=100"
COMPUTED = "TO BE FILLED AUTOMATICALLY"

# sheet → year → (aa1, ab7ab8, ab9a, ab9b, 145a, 146a, 152c)
DATA = {
    "DE": {2019: (50, 67, 100, 50, None, None, None),  # before the health strand existed
           2020: (50, 67, 100, 50, 100, 50, 0), 2021: (100, 67, 100, 50, 100, 50, 50),
           2022: (100, 100, 100, 100, 100, 100, 100)},
    "GR": {2020: (0, 33, 0, 50, 50, 50, 100), 2021: (0, 33, 0, 50, 50, 50, 100)},
}
COMMENT = "Law 4/2019, art. 2: equal access for permanent residents."


def _strand(ws, top: int, name: str, letter: str, cols: list[tuple], years: list[int],
            values: dict, average: str):
    """One strand block from row ``top``; ``cols``: (level, code, title, options) per
    triplet after the strand's own; ``average``: the formula with {r} for the row."""
    ws.cell(top, 1, "Policy strand")
    ws.cell(top, 2, name)
    labels = ["Indicator", "Sub-indicator", "Title ", "Description ", "Answer options "]
    for i, lab in enumerate(labels):
        ws.cell(top + 1 + i, 1, lab)
    ws.cell(top + 1, 2, letter)
    ws.cell(top + 3, 2, name.replace(" Strand", ""))
    ws.cell(top + 4, 2, "Average of the strand")
    ws.cell(top + 5, 2, COMPUTED)
    header = top + 6
    for k in range(len(cols) + 1):
        c = 1 + 3 * k
        ws.cell(header, c, "Year " if k else "Year")
        ws.cell(header, c + 1, " Score " if k else "Score")
        ws.cell(header, c + 2, "Comments ")
    for k, (level, code, title, options) in enumerate(cols, start=1):
        c = 2 + 3 * k
        ws.cell(top + (1 if level == "indicator" else 2), c, code)
        ws.cell(top + 3, c, title)
        ws.cell(top + 4, c, f"Question about {title.lower()}?")
        ws.cell(top + 5, c, options)
    for j, year in enumerate(years):
        r = header + 1 + j
        ws.cell(r, 1, year)
        if any(v is not None for v in values[year]):  # a strand with no score has no average
            ws.cell(r, 2, average.format(r=r))
        for k, _ in enumerate(cols, start=1):
            ws.cell(r, 1 + 3 * k, year)
            v = values[year][k - 1]
            if v is not None:
                ws.cell(r, 2 + 3 * k, v)
    return header + 1, header + len(years)


def workbook(extra_sheet: bool = False) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    if extra_sheet:
        wb.create_sheet("Read me").cell(1, 1, "Scores of the MIPEX policy indicators.")
    for sheet, by_year in DATA.items():
        ws = wb.create_sheet(sheet)
        years = sorted(by_year)
        ws.cell(1, 1, "Overall Scores")
        ws.cell(2, 1, "Year")
        ws.cell(2, 2, "Overall Score (with health)")
        ws.cell(2, 3, "Overall Score (with/out health)")
        top = 4 + len(years)
        lab_cols = [("sub", "aa1", "Immediate access to labour market", LABOUR_OPTIONS),
                    ("indicator", "ab7ab8", "Education and vocational training", COMBINED_OPTIONS),
                    ("indicator", "ab9", "Recognition of qualifications", COMPUTED),
                    ("sub", "ab9a", "a. Procedure", LABOUR_OPTIONS),
                    ("sub", "ab9b", "b. Fees", LABOUR_OPTIONS)]
        lab_values = {y: (v[0], v[1], None, v[2], v[3]) for y, v in by_year.items()}
        first, last = _strand(ws, top, "Labour Market Mobility Strand", "a", lab_cols, years,
                              lab_values, "=AVERAGE(E{r},H{r},K{r})")
        for j in range(len(years)):
            r = first + j
            ws.cell(r, 11, f"=AVERAGE(N{r},Q{r})")  # ab9 = mean of ab9a and ab9b
        ws.cell(first + years.index(2020), 6, COMMENT)  # the coder's comment on aa1, 2020
        top2 = last + 2
        health_cols = [("indicator", "145a", "a. Conditions for legal migrants", LABOUR_OPTIONS),
                       ("indicator", "146a", "a. Conditions for asylum-seekers", LABOUR_OPTIONS),
                       ("indicator", "152c", "Information for migrants", RULE_OPTIONS)]
        health_values = {y: v[4:] for y, v in by_year.items()}
        h_first, _ = _strand(ws, top2, "Health Strand", "h", health_cols, years, health_values,
                             "=AVERAGE((E{r}+H{r})/2,K{r})")
        for j, year in enumerate(years):
            r = 3 + j
            ws.cell(r, 1, year)
            ws.cell(r, 2, f"=AVERAGE(B{first + j},B{h_first + j})")
            ws.cell(r, 3, f"=AVERAGE(B{first + j})")
        if sheet == "GR":
            ws.cell(h_first, 5, "n/a")  # unreadable: GR!E<row>
            ws.cell(first, 13, "a stray note")  # outside every triplet: GR!M<row>
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cell_rows() -> dict:
    """Where the fixture puts things, for assertions: {sheet: {"labour": first row,
    "health": first row}}."""
    out = {}
    for sheet, by_year in DATA.items():
        n = len(by_year)
        top = 4 + n
        first = top + 7
        last = first + n - 1
        out[sheet] = {"labour": first, "health": last + 2 + 7}
    return out
