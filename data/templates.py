"""Templates and the data dictionary, generated from the schema (never written by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data.export import table_csv
from data.schema import DOWNLOAD_RULES, LIST_SEP, TABLES


def dictionary(table: str | None = None) -> pd.DataFrame:
    """One row per column: table, column, type, required, allowed values, meaning, example;
    then (table "downloads") the rules every downloaded table follows, e.g. its rounding."""
    rows = []
    for spec in TABLES.values():
        if table and spec.name != table:
            continue
        for c in spec.columns:
            kind = {"str": "text", "int": "whole number", "float": "number",
                    "list": f"list separated by '{LIST_SEP}'"}[c.dtype]
            allowed = ", ".join(map(str, c.choices)) if c.choices else (
                f"{c.lo:g} to {c.hi:g}" if c.lo is not None and c.hi is not None else "")
            rows.append({"table": spec.name, "column": c.name, "type": kind,
                         "required": "yes" if c.required else "no",
                         "key": "yes" if c.name in spec.key else "no",
                         "allowed": allowed, "meaning": c.help, "example": c.example})
    if table in (None, "downloads"):  # what the numbers of every downloaded table are
        for name, kind, meaning, example in DOWNLOAD_RULES:
            rows.append({"table": "downloads", "column": name, "type": kind, "required": "no",
                         "key": "no", "allowed": "", "meaning": meaning, "example": example})
    return pd.DataFrame(rows)


def empty_template(table: str) -> bytes:
    """A CSV with only the header row."""
    return table_csv(pd.DataFrame(columns=TABLES[table].names))


def example_template(table: str, frame: pd.DataFrame | None = None, n: int = 5) -> bytes:
    """A filled example: the first ``n`` rows of ``frame`` (e.g. the published data), or the
    schema's example row when no frame is given."""
    if frame is None or frame.empty:
        spec = TABLES[table]
        frame = pd.DataFrame([{c.name: c.example for c in spec.columns}])
    return table_csv(frame.head(n))


def write_templates(directory: Path, examples: dict[str, pd.DataFrame]) -> list[Path]:
    """Write ``<table>_template.csv``, ``<table>_example.csv`` and ``data_dictionary.csv``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        for suffix, content in (("template", empty_template(table)),
                                ("example", example_template(table, examples.get(table)))):
            path = directory / f"{table}_{suffix}.csv"
            path.write_bytes(content)
            written.append(path)
    path = directory / "data_dictionary.csv"
    path.write_bytes(table_csv(dictionary()))
    written.append(path)
    return written
