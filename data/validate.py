"""Text cells → typed rows, and every problem found on the way.

Two pure steps:

* :func:`coerce` checks one table on its own (columns, types, ranges, vocabularies,
  required cells, duplicate keys, text that looks like a spreadsheet formula) and returns
  the typed frame in schema order;
* :func:`check_references` checks the tables that would be published together (unknown
  regions and indicators, target groups, answer codes, answers that disagree with values).

Neither writes anything. All checks are vectorised: a million-row file is checked column
by column, never row by row.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data.answers import score_values
from data.export import unescape
from data.problems import Problems
from data.schema import LIST_SEP, PANDAS_DTYPES, TABLES, Column, parse_answers

FORMULA_START = ("=", "+", "-", "@")
NUTS_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
NUTS_LENGTH = {"NUTS0": 2, "NUTS1": 3, "NUTS2": 4, "NUTS3": 5}
COUNTRY_ALIASES = {"EL": "GR", "UK": "GB"}


def coerce(table: str, frame: pd.DataFrame, problems: Problems, *, max_rows: int) -> pd.DataFrame:
    """Check one table's text cells and return the typed frame (schema columns, schema order).

    ``frame`` holds text (as read by ``data.readers``) indexed by spreadsheet row number.
    Rows with an error in a cell stay in the output with that cell empty; the caller must
    not publish when ``problems.has_errors``.
    """
    spec = TABLES[table]
    problems.table = table
    if frame.empty:
        problems.error(None, None, "", f"The {table} file has no data rows.",
                       "Add at least one row below the header.")
        return _empty(table)
    if len(frame) > max_rows:
        problems.error(None, None, f"{len(frame):,} rows",
                       f"The file has more than the limit of {max_rows:,} rows.",
                       "Split it, or ask an administrator to raise MIPEXR_MAX_ROWS.")
        return _empty(table)
    _check_columns(spec, frame, problems)
    out = pd.DataFrame(index=frame.index)
    for col in spec.columns:
        if col.name in frame.columns:
            text = frame[col.name].astype("str").str.strip()
            out[col.name] = _convert(col, text, problems)
        else:
            out[col.name] = _missing_column(col, len(frame), frame.index)
    _check_required(spec, out, frame, problems)
    _check_duplicates(spec, out, problems)
    _check_table_rules(table, out, problems)
    return out


def _empty(table: str) -> pd.DataFrame:
    from data.schema import empty_frame

    return empty_frame(table)


def _missing_column(col: Column, n: int, index) -> pd.Series:
    if col.default is not None:
        return pd.Series([col.default] * n, index=index, dtype=PANDAS_DTYPES[col.dtype])
    return pd.Series([None] * n, index=index, dtype=PANDAS_DTYPES[col.dtype])


def _check_columns(spec, frame: pd.DataFrame, problems: Problems):
    missing = [c for c in spec.required if c not in frame.columns]
    for name in missing:
        problems.error(1, name, "", f"The required column '{name}' is missing.",
                       f"Add a column named '{name}' ({spec.column(name).help}) — the template "
                       "has every column.")
    known = set(spec.names)
    for name in frame.columns:
        if name not in known:
            close = [k for k in spec.names if k.lower() == name.lower().replace(" ", "_")]
            fix = (f"Rename it to '{close[0]}'." if close else
                   f"Remove it, or rename it to one of: {', '.join(spec.names)}.")
            problems.error(1, name, name, f"'{name}' is not a column of the {spec.name} table.", fix)
    dupes = frame.columns[frame.columns.duplicated()].unique()
    for name in dupes:
        problems.error(1, name, name, f"The column '{name}' appears more than once.",
                       "Keep only one column with this name.")


def _convert(col: Column, text: pd.Series, problems: Problems) -> pd.Series:
    blank = text.eq("")
    if col.dtype in ("str", "list"):
        # the apostrophe the dashboard's exports put before formula-like text goes: an
        # exported table uploaded again changes nothing
        out = unescape(text).where(~blank, None).astype("str")
        if col.dtype == "list":
            out = _normalise_list(out)
        _check_choices(col, out, problems)
        _warn_formulas(col, out, problems)
        return out
    numeric = _to_number(text, blank)
    bad = numeric.isna() & ~blank
    problems.add_rows("error", text.index[bad], col.name, text[bad],
                      f"'{col.name}' must be a number.",
                      "Write a plain number such as 50 or 12.5 (no %, no text).")
    if col.dtype == "int":
        frac = numeric.notna() & (numeric != np.floor(numeric.fillna(0)))
        problems.add_rows("error", text.index[frac], col.name, text[frac],
                          f"'{col.name}' must be a whole number.", "Remove the decimals.")
        numeric = numeric.where(~frac)
    if col.lo is not None or col.hi is not None:
        lo = -np.inf if col.lo is None else col.lo
        hi = np.inf if col.hi is None else col.hi
        out_of_range = numeric.notna() & ((numeric < lo) | (numeric > hi))
        problems.add_rows("error", text.index[out_of_range], col.name, text[out_of_range],
                          f"'{col.name}' must be between {_fmt(col.lo)} and {_fmt(col.hi)}.",
                          f"Correct the value. {col.help}")
        numeric = numeric.where(~out_of_range)
    if col.choices is not None:
        bad_choice = numeric.notna() & ~numeric.isin(col.choices)
        problems.add_rows("error", text.index[bad_choice], col.name, text[bad_choice],
                          f"'{col.name}' must be one of: {', '.join(map(str, col.choices))}.",
                          f"Use one of the allowed values. {col.help}")
        numeric = numeric.where(~bad_choice)
    return numeric.round().astype("Int64") if col.dtype == "int" else numeric.astype("float64")


def _to_number(text: pd.Series, blank: pd.Series) -> pd.Series:
    """Text → float (NaN where blank or not a number); a decimal comma is accepted.

    Arrow's cast is tried first because it is several times faster than ``pd.to_numeric``
    on a million strings; it fails as a whole on any bad cell, and then the slower path
    finds which cells are bad.
    """
    cleaned = text.str.replace(",", ".", regex=False).where(~blank, None)
    try:
        arr = pa.array(cleaned, type=pa.string(), from_pandas=True)
        return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False),
                         index=text.index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(cleaned, errors="coerce").astype("float64")


def _fmt(x):
    return "any" if x is None else f"{x:g}"


def _normalise_list(series: pd.Series) -> pd.Series:
    """Trim items, drop empty ones, keep order: ' a ;b;; ' → 'a;b'."""
    def norm(s):
        return LIST_SEP.join(p.strip() for p in s.split(LIST_SEP) if p.strip()) or None

    present = series.notna()
    if not present.any():
        return series
    uniq = pd.unique(series[present])
    mapping = {u: norm(u) for u in uniq}
    out = series.copy()
    out[present] = series[present].map(mapping)
    return out.astype("str")


def _check_choices(col: Column, out: pd.Series, problems: Problems):
    if col.choices is None:
        return
    present = out.dropna()
    if present.empty:
        return
    allowed = set(map(str, col.choices))
    if col.dtype == "list":
        items = present.str.split(LIST_SEP).explode()
        bad_items = items[~items.isin(allowed)]
        rows, values = bad_items.index, bad_items
    else:
        bad = present[~present.isin(allowed)]
        rows, values = bad.index, bad
    problems.add_rows("error", rows, col.name, values,
                      f"'{col.name}' must be one of: {', '.join(map(str, col.choices))}.",
                      "Use one of the allowed values, spelt exactly as listed"
                      + (f", separated by '{LIST_SEP}'." if col.dtype == "list" else "."))


def _warn_formulas(col: Column, out: pd.Series, problems: Problems):
    present = out.dropna()
    if present.empty:
        return
    formula = present.str.startswith(FORMULA_START)
    problems.add_rows("warning", present.index[formula], col.name, present[formula],
                      "This text starts like a spreadsheet formula.",
                      "It is kept as text and exported with a leading apostrophe so that no "
                      "spreadsheet runs it. Remove the leading character if it is a mistake.")


def _check_required(spec, out: pd.DataFrame, frame: pd.DataFrame, problems: Problems):
    for name in spec.required:
        if name not in frame.columns:
            continue  # already reported as a missing column
        text = frame[name].astype("str").str.strip()
        empty = text.eq("")
        problems.add_rows("error", out.index[empty], name, text[empty],
                          f"'{name}' is required and is empty.",
                          f"Fill it in: {spec.column(name).help}")


def _check_duplicates(spec, out: pd.DataFrame, problems: Problems):
    key = list(spec.key)
    keyed = out[key].dropna()
    dup = keyed.duplicated(keep=False)
    if not dup.any():
        return
    d = keyed[dup]
    first_row = d.reset_index().groupby(key, dropna=False)["row"].transform("min")
    first_row.index = d.index
    later = d.index != first_row.to_numpy()
    values = d[later].astype("str").agg(" / ".join, axis=1)
    problems.add_rows("error", d.index[later], ", ".join(key), values,
                      f"Duplicate key: another row has the same {' + '.join(key)}.",
                      "Keep one row per key; the first such row is row "
                      + ", ".join(str(r) for r in sorted(set(first_row[later].tolist()))[:5]) + ".")


def _check_table_rules(table: str, out: pd.DataFrame, problems: Problems):
    if table == "regions":
        _check_region_codes(out, problems)
    elif table == "indicators":
        _check_answer_maps(out, problems)
        tg = out["target_groups"].dropna()
        bad = tg[tg.str.split(LIST_SEP).map(lambda items: not items)]
        problems.add_rows("error", bad.index, "target_groups", bad,
                          "'target_groups' needs at least one group.", "Write TCN, BIP or TCN;BIP.")
    elif table == "practices":
        url = out["url"].dropna()
        bad = url[~url.str.match(r"^https?://", case=False)]
        problems.add_rows("error", bad.index, "url", bad, "'url' must start with http:// or https://.",
                          "Give a full web address, e.g. https://www.example.org/page.")
        years = out[["start_year", "end_year"]].dropna()
        rev = years[years["end_year"] < years["start_year"]]
        problems.add_rows("error", rev.index, "end_year", rev["end_year"].astype("str"),
                          "'end_year' is before 'start_year'.", "Swap or correct the years.")


def _check_region_codes(out: pd.DataFrame, problems: Problems):
    ids, level, country = out["region_id"], out["level"], out["country"]
    nuts = level.isin(NUTS_LENGTH.keys()) & ids.notna()
    pattern_bad = nuts & ~ids.fillna("").str.match(NUTS_PATTERN)
    problems.add_rows("error", out.index[pattern_bad], "region_id", ids[pattern_bad],
                      "A NUTS region_id is 2 capital letters followed by up to 3 letters or digits.",
                      "Use the official NUTS code, e.g. ES51 (level LAU for municipalities).")
    want = level.map(NUTS_LENGTH)
    length_bad = nuts & ~pattern_bad & (ids.str.len() != want)
    problems.add_rows("error", out.index[length_bad], "level",
                      (level + " / " + ids)[length_bad],
                      "The level does not match the length of the NUTS code "
                      "(NUTS0: 2 characters, NUTS1: 3, NUTS2: 4, NUTS3: 5).",
                      "Correct the level or the code.")
    cbad = country.notna() & ~country.fillna("").str.match(r"^[A-Z]{2}$")
    problems.add_rows("error", out.index[cbad], "country", country[cbad],
                      "'country' must be a two-letter ISO code in capitals.", "E.g. ES, IT, SE.")
    prefix = ids.str[:2].replace(COUNTRY_ALIASES)
    mismatch = nuts & ~pattern_bad & ~cbad & country.notna() & (prefix != country)
    problems.add_rows("error", out.index[mismatch], "country", (country + " / " + ids)[mismatch],
                      "The country does not match the first two letters of the NUTS code.",
                      "Correct the country (Greece is GR in ISO, EL in NUTS).")


def _check_answer_maps(out: pd.DataFrame, problems: Problems):
    answers = out["answers"].dropna()
    for row, text in answers.items():  # one per indicator: a few hundred at most
        try:
            amap = parse_answers(text)
        except ValueError as exc:
            problems.error(row, "answers", text, f"The answer map cannot be read: {exc}.",
                           "Write it as code=value pairs separated by ';', e.g. A=100;B=50;C=0.")
            continue
        bad = {k: v for k, v in amap.items() if not 0 <= v <= 100}
        if bad:
            problems.error(row, "answers", text, "Answer values must be between 0 and 100.",
                           "Rescale the values to 0–100 (100 = most favourable).")


# ---------------------------------------------------------------- references

def check_references(tables: dict[str, pd.DataFrame], uploaded: set[str],
                     problems: dict[str, Problems]) -> dict[str, pd.DataFrame]:
    """Check that the tables to be published fit together.

    ``tables`` are the merged tables (current version + upload); rows that came from the
    upload keep their spreadsheet row number as index, other rows have index < 0.
    Errors go to ``problems[table]``. Returns the tables with outcome rows for unknown
    regions dropped (reported as a warning: Eurostat files cover every region in Europe).
    """
    regions = set(tables["regions"]["region_id"].dropna())
    ind = tables["indicators"]
    out = dict(tables)
    if "scores" in uploaded or "regions" in uploaded or "indicators" in uploaded:
        _check_score_refs(tables["scores"], ind, regions, problems["scores"])
    if "practices" in uploaded or "regions" in uploaded:
        pr = tables["practices"]
        bad = pr["region_id"].notna() & ~pr["region_id"].isin(regions)
        _report(problems["practices"], pr, bad, "region_id",
                "Unknown region_id: it is not in the regions table.",
                "Use a region_id from the regions table (see the template), or add the region first.")
    if "outcomes" in uploaded or "regions" in uploaded:
        oc = tables["outcomes"]
        bad = oc["region_id"].notna() & ~oc["region_id"].isin(regions)
        if bad.any():
            codes = sorted(oc.loc[bad, "region_id"].unique())
            problems["outcomes"].warning(
                None, "region_id", ", ".join(codes[:15]) + (" …" if len(codes) > 15 else ""),
                f"{int(bad.sum()):,} rows for {len(codes)} regions that are not in the regions table "
                "will not be imported.",
                "If you need their outcomes, add those regions to the regions table first "
                "(for NUTS regions: import Eurostat's NUTS code list), then import this file again.")
            out["outcomes"] = oc[~bad]
    if "regions" in uploaded:
        reg = tables["regions"]
        parent = reg["parent_id"].notna() & ~reg["parent_id"].isin(regions)
        if parent.any():
            problems["regions"].add_rows(
                "warning", reg.index[parent & (reg.index >= 0)], "parent_id",
                reg.loc[parent & (reg.index >= 0), "parent_id"],
                "The parent region is not in the regions table.",
                "Add the parent region, or leave parent_id empty.")
    return out


def _report(problems: Problems, frame: pd.DataFrame, mask: pd.Series, column: str, message: str,
            fix: str):
    """Report rows of the upload by row number; rows of the current version as one summary."""
    new = mask & (frame.index >= 0)
    problems.add_rows("error", frame.index[new], column, frame.loc[new, column], message, fix)
    old = mask & (frame.index < 0)
    if old.any():
        vals = frame.loc[old, column].astype("str").unique()
        problems.error(None, column, ", ".join(vals[:10]),
                       f"{int(old.sum()):,} rows already published would break: {message}",
                       "Keep those entries in the table you are replacing, or remove the rows "
                       "that refer to them first.")


def _check_score_refs(sc: pd.DataFrame, ind: pd.DataFrame, regions: set, problems: Problems):
    bad_region = sc["region_id"].notna() & ~sc["region_id"].isin(regions)
    _report(problems, sc, bad_region, "region_id",
            "Unknown region_id: it is not in the regions table.",
            "Check the code (NUTS codes are capitals, e.g. ES51) or add the region first.")
    known = sc["indicator_id"].notna() & sc["indicator_id"].isin(ind["indicator_id"])
    bad_ind = sc["indicator_id"].notna() & ~known
    _report(problems, sc, bad_ind, "indicator_id",
            "Unknown indicator_id: it is not in the indicators table.",
            "Check the code, or add the indicator to the indicators table first.")
    pairs = ind[["indicator_id", "target_groups"]].dropna().assign(
        target_group=lambda d: d["target_groups"].str.split(LIST_SEP)).explode("target_group")
    valid = pd.MultiIndex.from_arrays([pairs["indicator_id"], pairs["target_group"].str.strip()])
    tg_ok = pd.MultiIndex.from_arrays([sc["indicator_id"].fillna(""),
                                       sc["target_group"].fillna("")]).isin(valid)
    bad_tg = known & sc["target_group"].notna() & ~tg_ok
    _report(problems, sc, bad_tg, "target_group",
            "This target group is not one of the indicator's target groups.",
            "Use a group listed in the indicator's target_groups column (TCN or BIP).")
    rule = score_values(sc, ind)  # the one answer-map rule (data.answers)
    unknown_answer = known & pd.Series(rule.unknown, index=sc.index)
    _report(problems, sc, unknown_answer, "answer",
            "This answer code is not in the indicator's answer map.",
            "Use one of the codes in the indicator's 'answers' column, or give a value instead.")
    disagree = known & pd.Series(rule.disagree, index=sc.index)
    _report(problems, sc, disagree, "value",
            "The value does not match the value of the answer code.",
            "Give the answer code or the value, or make them agree with the answer map.")

