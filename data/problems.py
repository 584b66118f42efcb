"""A list of problems found in an upload: where, what, and how to fix it.

Problems are collected, never raised one at a time, so that a staff member sees every
problem of a file at once. Errors block a publish; warnings are shown and do not.
Bulk checks add many rows at once (``add_rows``) so that a million-row file with one bad
column does not build a million Python objects.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ["severity", "table", "row", "column", "value", "message", "fix"]


class Problems:
    def __init__(self, table: str = ""):
        self.table = table
        self._parts: list[pd.DataFrame] = []
        self._rows: list[dict] = []

    def _add(self, severity, row, column, value, message, fix):
        self._rows.append({"severity": severity, "table": self.table, "row": row,
                           "column": column, "value": "" if value is None else str(value),
                           "message": message, "fix": fix})

    def error(self, row, column, value, message, fix):
        self._add("error", row, column, value, message, fix)

    def warning(self, row, column, value, message, fix):
        self._add("warning", row, column, value, message, fix)

    def add_rows(self, severity: str, rows, column, values, message: str, fix: str):
        """Add one problem per row: ``rows`` and ``values`` are aligned sequences."""
        rows = pd.Index(rows)
        if len(rows) == 0:
            return
        part = pd.DataFrame({
            "severity": severity, "table": self.table,
            "row": pd.array(rows, dtype="Int64"), "column": column,
            "value": pd.Series(values, dtype="str").to_numpy(), "message": message, "fix": fix,
        })
        self._parts.append(part)

    def extend(self, other: "Problems"):
        self._parts.append(other.frame)

    @property
    def frame(self) -> pd.DataFrame:
        parts = list(self._parts)
        if self._rows:
            rows = pd.DataFrame(self._rows, columns=COLUMNS)
            rows["row"] = pd.array(rows["row"], dtype="Int64")
            parts.append(rows)
        parts = [p for p in parts if len(p)]
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str")
                                 for c in COLUMNS})
        out = pd.concat(parts, ignore_index=True)[COLUMNS]
        return out.sort_values(["severity", "table", "row"], kind="stable",
                               na_position="first").reset_index(drop=True)

    @property
    def errors(self) -> pd.DataFrame:
        f = self.frame
        return f[f["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        f = self.frame
        return f[f["severity"] == "warning"]

    @property
    def has_errors(self) -> bool:
        return any(r["severity"] == "error" for r in self._rows) or any(
            (p["severity"] == "error").any() for p in self._parts)

    def __len__(self):
        return len(self._rows) + sum(len(p) for p in self._parts)


def summarise(problems: pd.DataFrame) -> pd.DataFrame:
    """Group problems by table, column and message: how many rows, and the first few rows."""
    if problems.empty:
        return pd.DataFrame(columns=["severity", "table", "column", "message", "fix", "count",
                                     "rows", "example"])
    g = problems.fillna({"column": ""}).groupby(
        ["severity", "table", "column", "message", "fix"], sort=False, dropna=False)
    out = g.agg(count=("message", "size"),
                rows=("row", lambda r: ", ".join(str(x) for x in r.dropna().head(10))
                      + (" …" if r.notna().sum() > 10 else "")),
                example=("value", "first")).reset_index()
    return out
