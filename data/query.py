"""Read-only DuckDB over one version of the store.

Every query goes through :meth:`Reader.query` with ``?`` parameters; identifiers that
come from widgets (a table or column name) are checked against the schema first. DuckDB
connections are not safe to share between threads and Streamlit runs each session in its
own thread, so each thread gets its own cursor on the shared in-memory database.
"""

from __future__ import annotations

import threading

import duckdb
import pandas as pd

from data.schema import TABLES, conform
from data.store import Store


class Reader:
    """Views ``regions``, ``indicators``, ``scores``, ``practices``, ``outcomes`` over one
    version of either store backend (see :meth:`data.store.Store.attach`). The version never
    changes under a reader: make a new reader for a new version (the app caches readers on
    the version id)."""

    def __init__(self, store: Store, version: str | None = None):
        self.store = store
        self.version = version or store.current_id()
        self._con = duckdb.connect(":memory:", config={"threads": 2})
        # Each backend makes the views its own way and then locks the connection down:
        # queries read this version's data and nothing else, and write nowhere.
        store.attach(self._con, self.version)
        self._local = threading.local()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run parameterised SQL and return a DataFrame."""
        return self._cursor().execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        """A whole table, typed as in the schema."""
        check_identifier(name, TABLES)
        return conform(name, self.query(f"SELECT * FROM {name}"))

    def distinct(self, table: str, column: str) -> list:
        """Sorted distinct non-null values of a column."""
        check_identifier(table, TABLES)
        check_identifier(column, TABLES[table].names)
        rows = self.query(f"SELECT DISTINCT {column} AS v FROM {table} WHERE {column} IS NOT NULL "
                          "ORDER BY v")
        return rows["v"].tolist()

    def overall_by_region(self, edition: int, target_group: str) -> pd.DataFrame:
        """Overall score per region by the MIPEX rule, in SQL (used at scale and in the
        benchmark): unweighted mean of indicator values into each area, then of areas.
        Indicators with no value are dropped (never counted as 0)."""
        return self.query(OVERALL_SQL, [edition, target_group])

    def close(self):
        self._con.close()


OVERALL_SQL = """
WITH v AS (
    SELECT s.region_id, i.area, s.value
    FROM scores s JOIN indicators i USING (indicator_id)
    WHERE s.edition = ? AND s.target_group = ? AND s.value IS NOT NULL AND i.kind = 'policy'
), by_area AS (
    SELECT region_id, area, avg(value) AS score FROM v GROUP BY region_id, area
)
SELECT region_id, avg(score) AS overall, count(*) AS areas
FROM by_area GROUP BY region_id ORDER BY region_id
"""


def check_identifier(name: str, allowed) -> str:
    """Raise ``ValueError`` unless ``name`` is one of ``allowed`` (a whitelist)."""
    if name not in allowed:
        raise ValueError(f"'{name}' is not an allowed name here.")
    return name
