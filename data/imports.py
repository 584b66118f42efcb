"""From uploaded files to a reviewed publish: read → validate → merge → diff → publish.

:func:`plan_import` does everything except writing: it returns an :class:`ImportPlan` with
every problem found and, when there are no errors, the tables that would be published and
what would change. :func:`publish_plan` writes the plan as a new version — refused if the
store moved on since the plan was made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.answers import score_values
from data.config import Settings
from data.diff import TableDiff, diff_table
from data.problems import Problems
from data.readers import as_text, read_file
from data.schema import TABLE_ORDER, TABLES, framework_of
from data.store import Source, Store, canonical
from data.validate import check_references, coerce

MODES = ("upsert", "replace")
#: Row numbers of rows an import adds on its own (suggested countries, catalogue entries)
#: start here, apart from the uploaded rows' spreadsheet numbers.
SUGGESTED_ROWS = 10**9


@dataclass
class Upload:
    name: str
    content: bytes
    table: str | None = None   # None: recognise it from the columns
    mode: str = "upsert"       # upsert by key, or replace the whole table
    fmt: str | None = None     # None: recognise the layout; "mipex": MIPEX's workbook
    #: Upsert only: empty cells clear published values (off: they keep them).
    clear_empty: bool = False
    sheet: str | None = None   # XLSX: the sheet to read (None: the first whose columns fit)


@dataclass
class ImportPlan:
    base_version: str | None
    problems: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    diffs: dict[str, TableDiff] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    uploaded: dict[str, str] = field(default_factory=dict)   # table → file name
    formats: dict[str, str] = field(default_factory=dict)    # file name → detected format
    illustrative: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)           # what was read, in words
    #: Checks of the data against a source's own figures: name → one row per figure
    #: (``"mipex"``: :func:`data.mipex.check`, the workbook's strand and overall scores).
    checks: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Upsert: published values an empty cell of the upload did not blank, table → column → n.
    kept: dict[str, dict[str, int]] = field(default_factory=dict)
    #: XLSX files: file name → every sheet of the workbook, and the one read.
    sheets: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    #: Tables an upload replaces whole ("replace" mode).
    replaced: list[str] = field(default_factory=list)
    #: Names this plan apart from any other (the interface keys its confirmations on it).
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def ok(self) -> bool:
        return not (self.problems["severity"] == "error").any()

    @property
    def changes(self) -> bool:
        return any(not d.empty for d in self.diffs.values())

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([d.summary() for d in self.diffs.values()],
                            columns=["table", "added", "removed", "changed"])

    def losses(self) -> pd.DataFrame:
        """What a publish would remove or blank: one row per table and column (``column``
        empty for removed rows) with the number of rows — the summary a staff member must
        acknowledge before publishing."""
        return data_losses(self.diffs)


def merge_table(table: str, current: pd.DataFrame, upload: pd.DataFrame, mode: str,
                scope: pd.Series | None = None, *, clear_empty: bool = False,
                given: set[str] | None = None, kept: dict[str, int] | None = None
                ) -> pd.DataFrame:
    """Upsert (rows of the upload replace rows with the same key; others are kept) or replace.

    In an upsert, an empty cell of the upload does not blank a value already published: the
    row keeps that value (a NUTS code list has no coordinates; upserting it must not erase
    the regions' latitude and longitude). ``clear_empty=True`` is the staff member's explicit
    request for empty cells to clear values. Columns the file does not have (``given`` are
    the ones it has; None: all) are kept the same way. ``kept``, if given, receives the number
    of published values kept per column.

    ``scope`` (a boolean mask over ``current``) limits "replace" to those rows: replacing a
    framework's indicators keeps the other frameworks'. Rows that come from the upload keep
    their spreadsheet row numbers as index; kept rows get negative numbers, so later checks
    can tell the two apart.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    current = current.set_axis(pd.RangeIndex(-len(current), 0))
    if mode == "replace":
        if scope is None:
            return upload
        current = current[~scope.to_numpy(bool)]
    if current.empty:
        return upload
    key = list(TABLES[table].key)
    up_keys = pd.MultiIndex.from_frame(upload[key].astype("str").fillna(""))
    cur_keys = pd.MultiIndex.from_frame(current[key].astype("str").fillna(""))
    if mode == "upsert":
        upload = _keep_published(table, current, upload, cur_keys.get_indexer(up_keys),
                                 clear_empty=clear_empty, given=given, kept=kept)
    kept_rows = current[~cur_keys.isin(up_keys)]
    return pd.concat([kept_rows, upload])


def _keep_published(table: str, current: pd.DataFrame, upload: pd.DataFrame, pos: np.ndarray,
                    *, clear_empty: bool, given: set[str] | None, kept: dict | None
                    ) -> pd.DataFrame:
    """The upload with its empty cells (and the columns it lacks) filled from the published
    row of the same key (``pos``: that row's position in ``current``, -1 for a new row)."""
    matched = pos >= 0
    if not matched.any():
        return upload
    out = upload.copy()
    at = np.where(matched, pos, 0)
    for col in TABLES[table].names:
        if col in TABLES[table].key or col not in out.columns or col not in current.columns:
            continue
        if clear_empty and (given is None or col in given):
            continue
        published = current[col].to_numpy()[at]
        has_value = matched & ~pd.isna(published)
        lacks = given is not None and col not in given
        fill = has_value & _all_empty(upload, LINKED.get((table, col), (col,)), given)
        for other in UNLESS_CHANGED.get((table, col), ()):
            fill &= (upload[other].astype("str").to_numpy()
                     == current[other].astype("str").to_numpy()[at])
        if not fill.any():
            continue
        values = out[col].to_numpy(dtype=object, copy=True)
        values[fill] = published[fill]
        out[col] = pd.Series(values, index=out.index).astype(out[col].dtype)
        if kept is not None and not lacks:
            kept[col] = kept.get(col, 0) + int(fill.sum())
    return out


#: Cells that state one fact together: an upsert keeps the published ones only when the
#: upload leaves all of them empty (an answer code and its value; a point's two coordinates).
LINKED = {("scores", "answer"): ("answer", "value"), ("scores", "value"): ("answer", "value"),
          ("practices", "lat"): ("lat", "lon"), ("practices", "lon"): ("lat", "lon"),
          ("regions", "lat"): ("lat", "lon"), ("regions", "lon"): ("lat", "lon")}
#: ...and only when these cells did not change (a practice's point follows its region).
UNLESS_CHANGED = {("practices", "lat"): ("region_id",), ("practices", "lon"): ("region_id",)}


def _all_empty(frame: pd.DataFrame, cols, given: set[str] | None) -> np.ndarray:
    """Rows where the upload leaves every one of ``cols`` empty (a column the file does not
    have counts as empty)."""
    empty = np.ones(len(frame), dtype=bool)
    for c in cols:
        if c in frame.columns and (given is None or c in given):
            empty &= pd.isna(frame[c]).to_numpy()
    return empty


def data_losses(diffs: dict[str, TableDiff]) -> pd.DataFrame:
    """Rows removed and published values emptied, per table (and column), from the diffs."""
    rows = []
    for table, d in diffs.items():
        if len(d.removed):
            rows.append({"table": table, "column": "", "what": "removed", "rows": len(d.removed)})
        if len(d.changed):
            emptied = d.changed[d.changed["new"].isna() | d.changed["new"].isin(["<NA>", "nan",
                                                                                 "None"])]
            emptied = emptied[emptied["old"].notna() & ~emptied["old"].isin(["<NA>", "nan",
                                                                              "None"])]
            for col, n in emptied.groupby("column", sort=False).size().items():
                rows.append({"table": table, "column": col, "what": "emptied", "rows": int(n)})
    return pd.DataFrame(rows, columns=["table", "column", "what", "rows"])


def add_missing(table: str, merged: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``merged`` plus the rows of ``rows`` whose key it does not have yet."""
    key = list(TABLES[table].key)
    have = pd.MultiIndex.from_frame(merged[key].astype("str").fillna(""))
    new = pd.MultiIndex.from_frame(rows[key].astype("str").fillna(""))
    return pd.concat([merged, rows[~new.isin(have)]])


def derive(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Fill in what follows from other data: score values from answer codes, and practice
    coordinates from their region's when not given."""
    out = dict(tables)
    sc = tables["scores"].copy()
    # the answer-map rule (data.answers): a known code's value, else the value given
    rule = score_values(sc, tables["indicators"])
    sc["value"] = pd.Series(rule.value, index=sc.index).where(~rule.unknown, sc["value"])
    out["scores"] = sc
    pr = tables["practices"].copy()
    if len(pr):
        reg = tables["regions"].set_index("region_id")
        for c in ("lat", "lon"):
            pr[c] = pr[c].fillna(pr["region_id"].map(reg[c]))
    out["practices"] = pr
    return out


def _framework_scope(table: str, current: dict, framework: str) -> pd.Series | None:
    """The current rows a "replace" of one framework's file replaces."""
    ind = current["indicators"]
    in_fw = framework_of(ind) == framework
    if table == "indicators":
        return in_fw
    if table == "scores":
        return current["scores"]["indicator_id"].isin(set(ind.loc[in_fw, "indicator_id"]))
    return None


def _locate(problems: Problems, where: pd.Series | None) -> Problems:
    """Problems found in rows read from a workbook, pointed at the workbook's cells."""
    if where is None or not len(problems):
        return problems
    frame = problems.frame
    cells = frame["row"].map(lambda r: where.get(r) if pd.notna(r) else None)
    frame["column"] = [f"{c} ({col})" if isinstance(c, str) else col
                       for c, col in zip(cells, frame["column"])]
    frame["row"] = frame["row"].where(cells.isna())
    out = Problems(problems.table)
    out._parts.append(frame)
    return out


def plan_import(store: Store, uploads: list[Upload], settings: Settings,
                progress=None) -> ImportPlan:
    """Validate ``uploads`` against the current version and compute what would change.

    ``progress(fraction, text)``, if given, is called as the steps advance.
    """
    def step(f, text):
        if progress:
            progress(f, text)

    base = store.current_id()
    current = store.tables(base)
    manifest = store.manifest(base) if base else {}
    problems: dict[str, Problems] = {t: Problems(t) for t in TABLE_ORDER}
    general = Problems("upload")
    plan = ImportPlan(base, pd.DataFrame())
    staged: dict[str, tuple[pd.DataFrame, Upload, object, set[str]]] = {}
    suggested: dict[str, list[pd.DataFrame]] = {}
    figures: list[pd.DataFrame] = []
    nuts_lists: list[tuple[pd.DataFrame, int]] = []
    known_ind = set(current["indicators"]["indicator_id"].dropna())
    for i, up in enumerate(uploads):
        step(0.1 + 0.4 * i / max(len(uploads), 1), f"Reading {up.name}")
        plan.sources.append(Source.of(up.name, up.content, up.table or ""))
        read = read_file(up.content, up.name, up.table, max_bytes=settings.max_upload_bytes,
                         indicator_ids=known_ind | _indicator_ids_in(uploads, settings),
                         fmt=up.fmt, sheet=up.sheet)
        plan.formats[up.name] = read.fmt
        if read.sheets:
            plan.sheets[up.name] = (read.sheets, read.sheet)
        plan.notes += [f"{up.name}: {n}" for n in read.notes]
        target = problems.get(read.table) if read.table else None
        (target or general).extend(read.problems)
        if read.problems.has_errors or read.table is None:
            continue
        frames = read.frames()
        clash = [t for t in frames if t in staged]
        if clash:
            general.error(None, None, up.name,
                          f"Two files were given for the {clash[0]} table.",
                          "Upload one file per table (combine them first).")
            continue
        plan.sources[-1] = Source.of(up.name, up.content, "+".join(frames))
        step(0.2 + 0.4 * i / max(len(uploads), 1), f"Checking {up.name}")
        for table, frame in frames.items():
            p = Problems(table)
            typed = coerce(table, frame, p, max_rows=settings.max_rows)
            problems[table].extend(_locate(p, read.where.get(table)))
            staged[table] = (typed, up, read, set(frame.columns))
            plan.uploaded[table] = up.name
        for table, frame in read.suggested.items():
            p = Problems(table)
            typed = coerce(table, frame, p, max_rows=settings.max_rows)
            problems[table].extend(p)
            # numbered apart from any uploaded rows of the table (those keep their row numbers)
            start = SUGGESTED_ROWS * (1 + len(suggested.get(table, [])))
            suggested.setdefault(table, []).append(
                typed.set_axis(pd.RangeIndex(start, start + len(typed))))
        if read.figures is not None:
            figures.append(read.figures)
        if read.fmt == "nuts-list" and read.nuts_version:
            nuts_lists.append((staged["regions"][0], read.nuts_version))
    step(0.7, "Checking references between tables")
    # Rows already published get negative index numbers; uploaded rows keep their row numbers.
    merged = {t: f.set_axis(pd.RangeIndex(-len(f), 0)) for t, f in current.items()}
    for table, (typed, up, read, given) in staged.items():
        scope = _framework_scope(table, current, read.framework) if read.framework else None
        kept: dict[str, int] = {}
        merged[table] = merge_table(table, current[table], typed, up.mode, scope,
                                    clear_empty=up.clear_empty, given=given, kept=kept)
        if up.mode == "replace":
            plan.replaced.append(table)
        if kept:
            plan.kept[table] = kept
            counts = ", ".join(f"{col} {n:,}" for col, n in kept.items())
            plan.notes.append(
                f"{up.name}: {sum(kept.values()):,} empty cells kept the values already "
                f"published ({counts}): in an upsert an empty cell does not clear a value. "
                "Choose 'Empty cells clear values' to clear them.")
    touched = set(staged)
    for table, frames in suggested.items():
        for rows in frames:
            before = len(merged[table])
            merged[table] = add_missing(table, merged[table], rows)
            if len(merged[table]) > before:
                touched.add(table)
    if "outcomes" in touched:  # every measure gets a catalogue entry, built from the data
        extra = _catalogue_for_new_measures(merged, problems["measures"])
        if extra is not None:
            merged["measures"] = add_missing("measures", merged["measures"], extra)
            touched.add("measures")
    for frame, version in nuts_lists:
        report_nuts_changes(current["regions"], frame, version, problems["regions"])
    if touched:  # also when rows have errors: the user should see every problem at once
        merged = check_references(merged, touched, problems)
    all_problems = Problems()
    all_problems.extend(general)
    for t in TABLE_ORDER:
        all_problems.extend(problems[t])
    plan.problems = all_problems.frame
    if not staged and not len(all_problems):
        general.error(None, None, "", "No file was given.", "Choose a file to upload.")
        plan.problems = general.frame
    if not plan.ok or not staged:
        return plan
    step(0.8, "Computing the changes")
    merged = derive(merged)
    plan.tables = {t: canonical(t, merged[t]) for t in TABLE_ORDER}
    plan.diffs = {t: diff_table(t, current[t], plan.tables[t]) for t in TABLE_ORDER
                  if t in touched or t in ("scores", "practices")}
    plan.diffs = {t: d for t, d in plan.diffs.items() if t in touched or not d.empty}
    was = manifest.get("illustrative", {})
    plan.illustrative = {t: bool(was.get(t)) and (t not in staged or staged[t][1].mode == "upsert")
                         for t in TABLE_ORDER}
    if figures:
        step(0.9, "Comparing with the workbook's own figures")
        plan.checks["mipex"] = _mipex_check(plan.tables, pd.concat(figures, ignore_index=True))
        same = plan.checks["mipex"]
        plan.notes.append(f"{int(same['same'].sum()):,} of {len(same):,} strand and overall "
                          "figures the dashboard computes equal the workbook's to two decimals.")
    step(1.0, "Ready to review")
    return plan


def _mipex_check(tables: dict, figures: pd.DataFrame) -> pd.DataFrame:
    from data import mipex

    return mipex.check(tables["indicators"].assign(framework=framework_of(tables["indicators"])),
                       tables["scores"], figures)


def _catalogue_for_new_measures(merged: dict, problems: Problems) -> pd.DataFrame | None:
    """Catalogue rows for measures of the outcomes that the catalogue lacks."""
    from data.measures import suggest

    oc, cat = merged["outcomes"], merged["measures"]
    missing = set(oc["measure"].dropna()) - set(cat["measure"].dropna())
    if not missing:
        return None
    rows = suggest(oc[oc["measure"].isin(missing)])
    unknown = rows[rows["note"].notna()]["measure"].tolist()
    if unknown:
        problems.warning(None, "measure", ", ".join(unknown[:10]),
                         "The dashboard does not know these outcome measures: their catalogue "
                         "entries use the code as the label and no policy area.",
                         "Download the measures table, set label, direction, areas and groups, "
                         "and upload it.")
    typed = coerce("measures", as_text(rows), Problems("measures"), max_rows=len(rows) + 1)
    start = SUGGESTED_ROWS * 100
    return typed.set_axis(pd.RangeIndex(start, start + len(typed)))


def report_nuts_changes(current: pd.DataFrame, new: pd.DataFrame, version: int,
                        problems: Problems):
    """Regions of the other NUTS version whose code the new list lacks, reported in words:
    the code's name in the new list if it moved (same name, new code), else the new list's
    codes at the same level in the same parent region that the data does not have in the
    other version — candidates, not a guess."""
    other = current[current["nuts_version"].notna() & (current["nuts_version"] != version)
                    & current["level"].isin(["NUTS1", "NUTS2", "NUTS3"])]
    if other.empty or new.empty:
        return
    new_ids = set(new["region_id"].dropna())
    countries = set(new["country"].dropna())
    gone = other[~other["region_id"].isin(new_ids) & other["country"].isin(countries)]
    old_ids = set(other["region_id"])
    by_name = {(str(n).casefold(), lvl): r for r, n, lvl in zip(new["region_id"], new["name"],
                                                               new["level"])}
    moves = {}
    for row in gone.itertuples():
        moved = by_name.get((str(row.name).casefold(), row.level))
        if moved and moved not in old_ids:
            moves[row.region_id] = moved
    for row in gone.itertuples():
        was = int(row.nuts_version)
        if row.region_id in moves:
            text = (f"{row.region_id} ({row.name}, NUTS {was}) is {moves[row.region_id]} in "
                    f"NUTS {version}: same name, new code.")
        else:
            parent = row.region_id[:-1]
            cands = new[(new["level"] == row.level) & (new["parent_id"] == parent)
                        & ~new["region_id"].isin(old_ids | set(moves.values()))]
            listed = "; ".join(f"{r} {n}" for r, n in zip(cands["region_id"], cands["name"]))
            text = (f"{row.region_id} ({row.name}, NUTS {was}) is not in the NUTS {version} "
                    "list." + (f" NUTS {version} codes in {parent} that the data has no NUTS "
                               f"{was} row for: {listed}." if listed else ""))
        problems.warning(None, "region_id", row.region_id, text,
                         f"Data published under {row.region_id} stays under that code; map it "
                         f"to the NUTS {version} code(s) if the figures should move.")


def _indicator_ids_in(uploads: list[Upload], settings: Settings) -> set[str]:
    """Indicator ids from an indicators file uploaded together with wide-form scores."""
    for up in uploads:
        if up.table == "indicators":
            read = read_file(up.content, up.name, "indicators", max_bytes=settings.max_upload_bytes)
            if "indicator_id" in read.frame.columns:
                return set(read.frame["indicator_id"].str.strip())
    return set()



def publish_plan(store: Store, plan: ImportPlan, *, who: str, note: str = "") -> str:
    """Publish a reviewed plan. Raises ``StaleVersionError`` if the data changed meanwhile."""
    if not plan.ok:
        raise ValueError("This import has errors; it cannot be published.")
    return store.publish(plan.tables, base_version=plan.base_version, who=who, note=note,
                         sources=plan.sources, illustrative=plan.illustrative,
                         canonical_tables=True)


def ensure_default(store: Store) -> str | None:
    """Publish the embedded illustrative dataset when the store is empty (a fresh clone).

    Returns the new version id, or None when the store already had data. Safe when two
    processes start at once: the second one's publish is refused as stale and ignored.
    The version published carries its results (:mod:`scoring.results`); a current version
    published before results existed gets them here, at start, rather than on the first
    page (:meth:`data.store.Store.ensure_results`).
    """
    from data.demo import DESCRIPTION, build_demo
    from data.store import StaleVersionError

    if store.current_id() is not None:
        store.ensure_results()
        return None
    tables = derive(build_demo())
    try:
        return store.publish(tables, base_version=None, who="default dataset", note=DESCRIPTION,
                             illustrative={t: t != "regions" for t in TABLE_ORDER},
                             action="default")
    except StaleVersionError:
        return None
