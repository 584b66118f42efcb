"""From uploaded files to a reviewed publish: read → validate → merge → diff → publish.

:func:`plan_import` does everything except writing: it returns an :class:`ImportPlan` with
every problem found and, when there are no errors, the tables that would be published and
what would change. :func:`publish_plan` writes the plan as a new version — refused if the
store moved on since the plan was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data.config import Settings
from data.diff import TableDiff, diff_table
from data.problems import Problems
from data.readers import read_file
from data.schema import TABLE_ORDER, TABLES
from data.store import Source, Store, canonical
from data.validate import check_references, coerce, resolve_values

MODES = ("upsert", "replace")


@dataclass
class Upload:
    name: str
    content: bytes
    table: str | None = None   # None: recognise it from the columns
    mode: str = "upsert"       # upsert by key, or replace the whole table


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

    @property
    def ok(self) -> bool:
        return not (self.problems["severity"] == "error").any()

    @property
    def changes(self) -> bool:
        return any(not d.empty for d in self.diffs.values())

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([d.summary() for d in self.diffs.values()],
                            columns=["table", "added", "removed", "changed"])


def merge_table(table: str, current: pd.DataFrame, upload: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Upsert (rows of the upload replace rows with the same key; others are kept) or replace.

    Rows that come from the upload keep their spreadsheet row numbers as index; kept rows
    get negative numbers, so later checks can tell the two apart.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if mode == "replace" or current.empty:
        return upload
    key = list(TABLES[table].key)
    current = current.set_axis(pd.RangeIndex(-len(current), 0))
    up_keys = pd.MultiIndex.from_frame(upload[key].astype("str").fillna(""))
    cur_keys = pd.MultiIndex.from_frame(current[key].astype("str").fillna(""))
    kept = current[~cur_keys.isin(up_keys)]
    return pd.concat([kept, upload])


def derive(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Fill in what follows from other data: score values from answer codes, and practice
    coordinates from their region's when not given."""
    out = dict(tables)
    sc = tables["scores"].copy()
    resolved = resolve_values(sc, tables["indicators"])
    sc["value"] = resolved.where(resolved.notna(), sc["value"])
    out["scores"] = sc
    pr = tables["practices"].copy()
    if len(pr):
        reg = tables["regions"].set_index("region_id")
        for c in ("lat", "lon"):
            pr[c] = pr[c].fillna(pr["region_id"].map(reg[c]))
    out["practices"] = pr
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
    staged: dict[str, tuple[pd.DataFrame, str]] = {}
    known_ind = set(current["indicators"]["indicator_id"].dropna())
    for i, up in enumerate(uploads):
        step(0.1 + 0.4 * i / max(len(uploads), 1), f"Reading {up.name}")
        plan.sources.append(Source.of(up.name, up.content, up.table or ""))
        read = read_file(up.content, up.name, up.table, max_bytes=settings.max_upload_bytes,
                         indicator_ids=known_ind | _indicator_ids_in(uploads, settings))
        plan.formats[up.name] = read.fmt
        target = problems.get(read.table) if read.table else None
        (target or general).extend(read.problems)
        if read.problems.has_errors or read.table is None:
            continue
        if read.table in staged:
            general.error(None, None, up.name,
                          f"Two files were given for the {read.table} table.",
                          "Upload one file per table (combine them first).")
            continue
        plan.sources[-1] = Source.of(up.name, up.content, read.table)
        step(0.2 + 0.4 * i / max(len(uploads), 1), f"Checking {up.name}")
        p = Problems(read.table)
        typed = coerce(read.table, read.frame, p, max_rows=settings.max_rows)
        problems[read.table].extend(p)
        staged[read.table] = (typed, up.mode)
        plan.uploaded[read.table] = up.name
    step(0.7, "Checking references between tables")
    # Rows already published get negative index numbers; uploaded rows keep their row numbers.
    merged = {t: f.set_axis(pd.RangeIndex(-len(f), 0)) for t, f in current.items()}
    for table, (typed, mode) in staged.items():
        merged[table] = merge_table(table, current[table], typed, mode)
    if staged:  # also when rows have errors: the user should see every problem at once
        merged = check_references(merged, set(staged), problems)
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
                  if t in staged or t in ("scores", "practices")}
    plan.diffs = {t: d for t, d in plan.diffs.items() if t in staged or not d.empty}
    was = manifest.get("illustrative", {})
    plan.illustrative = {t: (bool(was.get(t)) and staged.get(t, (None, "upsert"))[1] == "upsert")
                         for t in TABLE_ORDER}
    step(1.0, "Ready to review")
    return plan


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
    """
    from data.demo import DESCRIPTION, build_demo
    from data.store import StaleVersionError

    if store.current_id() is not None:
        return None
    tables = derive(build_demo())
    try:
        return store.publish(tables, base_version=None, who="default dataset", note=DESCRIPTION,
                             illustrative={t: t != "regions" for t in TABLE_ORDER},
                             action="default")
    except StaleVersionError:
        return None
