"""What changes between two versions of a table: rows added, removed, and changed values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.schema import TABLES


@dataclass
class TableDiff:
    table: str
    added: pd.DataFrame      # full rows
    removed: pd.DataFrame    # full rows
    changed: pd.DataFrame    # key columns + column, old, new (one row per changed cell)
    n_changed_rows: int

    @property
    def empty(self) -> bool:
        return self.added.empty and self.removed.empty and self.changed.empty

    def summary(self) -> dict:
        return {"table": self.table, "added": len(self.added), "removed": len(self.removed),
                "changed": self.n_changed_rows}


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    both_na = a.isna().to_numpy() & b.isna().to_numpy()
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        av = pd.to_numeric(a, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bv = pd.to_numeric(b, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        eq = np.isclose(av, bv, rtol=0, atol=1e-9)
        return eq | both_na
    eq = (a.astype("str").to_numpy() == b.astype("str").to_numpy())
    return np.asarray(eq, dtype=bool) & ~(a.isna().to_numpy() ^ b.isna().to_numpy()) | both_na


def diff_table(table: str, old: pd.DataFrame, new: pd.DataFrame) -> TableDiff:
    """Compare two versions of ``table`` by its key."""
    key = list(TABLES[table].key)
    cols = [c for c in TABLES[table].names if c not in key]
    old = old.reset_index(drop=True)
    new = new.reset_index(drop=True)
    no_change = pd.DataFrame(columns=key + ["column", "old", "new"])
    if old.empty or new.empty:  # a first import or a cleared table: no join needed
        return TableDiff(table, new[key + cols], old[key + cols], no_change, 0)
    merged = old.merge(new, on=key, how="outer", suffixes=("__old", "__new"), indicator=True)
    added = merged[merged["_merge"] == "right_only"]
    removed = merged[merged["_merge"] == "left_only"]
    both = merged[merged["_merge"] == "both"]
    added = added[key + [f"{c}__new" for c in cols]].rename(columns=lambda c: c.removesuffix("__new"))
    removed = removed[key + [f"{c}__old" for c in cols]].rename(columns=lambda c: c.removesuffix("__old"))
    parts, changed_rows = [], np.zeros(len(both), dtype=bool)
    for c in cols:
        differs = ~_same(both[f"{c}__old"], both[f"{c}__new"])
        if differs.any():
            changed_rows |= differs
            part = both.loc[differs, key].copy()
            part["column"] = c
            part["old"] = both.loc[differs, f"{c}__old"].astype("str").to_numpy()
            part["new"] = both.loc[differs, f"{c}__new"].astype("str").to_numpy()
            parts.append(part)
    changed = pd.concat(parts, ignore_index=True) if parts else no_change
    return TableDiff(table, added.reset_index(drop=True), removed.reset_index(drop=True),
                     changed, int(changed_rows.sum()))
