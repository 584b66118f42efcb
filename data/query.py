"""Read-only DuckDB over one version of the store: the app's one read path.

Every query goes through :meth:`Reader.query` with ``?`` parameters; identifiers that
come from widgets (a table or column name) are checked against the schema first. DuckDB
connections are not safe to share between threads and Streamlit runs each session in its
own thread, so each thread gets its own cursor on the shared in-memory database.

A view asks for what it shows and nothing more (issue 18): the ranked list or its top N
(:meth:`Reader.overall`), one unit's results (:meth:`Reader.unit_results`), one area across
units (:meth:`Reader.axis_column`), … — over the version's raw tables and the results
computed at publish (:mod:`scoring.results`). Every query has a row cap (``max_rows``:
:class:`QueryTooLarge` rather than 24M rows in a process) and a time limit (``timeout``
seconds: the query is interrupted and :class:`QueryTimeout` raised, so one slow query
cannot hold a server thread).
"""

from __future__ import annotations

import threading

import duckdb
import pandas as pd

from data.schema import DEFAULT_FRAMEWORK, TABLES, conform
from data.store import Store

#: Rows one query may return; more is a view asking for too much (page it, or aggregate).
MAX_ROWS = 200_000
#: Seconds one query may run before it is interrupted.
TIMEOUT = 10.0
#: The results tables (scoring.results.NAMES; spelt out so reading needs no scoring import).
RESULTS = ("res_scores", "res_ranks", "res_peers", "res_similar", "res_priorities",
           "res_outcomes")


class QueryTooLarge(Exception):
    """A query would return more rows than the reader's cap."""

    def __init__(self, cap: int):
        super().__init__(f"The query returns more than {cap:,} rows, the most one view may "
                         "read at once. Ask for fewer (a page of the list, one region, one "
                         "area) or raise the reader's max_rows.")
        self.cap = cap


class QueryTimeout(Exception):
    """A query ran longer than the reader's time limit and was interrupted."""

    def __init__(self, seconds: float):
        super().__init__(f"The query took longer than {seconds:g} s and was stopped. Try a "
                         "narrower view, or ask the administrator to raise the time limit.")
        self.seconds = seconds


class Reader:
    """Views ``regions``, ``indicators``, ``scores``, ``practices``, ``outcomes`` over one
    version of either store backend (see :meth:`data.store.Store.attach`). The version never
    changes under a reader: make a new reader for a new version (the app caches readers on
    the version id)."""

    def __init__(self, store: Store, version: str | None = None, *, max_rows: int = MAX_ROWS,
                 timeout: float = TIMEOUT):
        self.store = store
        self.version = version or store.current_id()
        self.max_rows, self.timeout = max_rows, timeout
        # a version published before results existed gets them now (once, atomically)
        ensure = getattr(store, "ensure_results", None)
        if ensure is not None and self.version is not None:
            ensure(self.version)
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

    def query(self, sql: str, params: list | dict | None = None, *,
              max_rows: int | None = None) -> pd.DataFrame:
        """Run parameterised SQL and return a DataFrame — at most ``max_rows`` rows (else
        :class:`QueryTooLarge`; only one row more than the cap is ever read) within the
        reader's time limit (else :class:`QueryTimeout`)."""
        cap = self.max_rows if max_rows is None else max_rows
        cur = self._cursor()
        timed_out = threading.Event()

        def stop():
            timed_out.set()
            cur.interrupt()

        timer = threading.Timer(self.timeout, stop)
        timer.daemon = True
        timer.start()
        try:
            rel = cur.execute(sql, params or [])
            rows = rel.fetch_df_chunk(vectors_per_chunk=max(1, (cap + 1) // 2048 + 1)) \
                if rel.description is not None else pd.DataFrame()
        except (duckdb.InterruptException, RuntimeError) as exc:
            if timed_out.is_set():
                raise QueryTimeout(self.timeout) from exc
            raise
        finally:
            timer.cancel()
        if len(rows) > cap:
            raise QueryTooLarge(cap)
        return rows

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

    # ------------------------------------------------------------------ what views read
    def overall(self, framework: str, group: str, edition: int, limit: int | None = None,
                offset: int = 0) -> pd.DataFrame:
        """The ranked list (the Overview's table): rank with its band, overall score,
        coverage, areas, rank in the country, name — best first, units without a score last;
        ``limit``/``offset`` for a page of it (the top 50)."""
        sql = OVERALL_RANKED_SQL + (" LIMIT ? OFFSET ?" if limit is not None else
                                    " OFFSET ?")
        params = [framework, group, int(edition)]
        params += [int(limit), int(offset)] if limit is not None else [int(offset)]
        return self.query(sql, params)

    def unit_results(self, framework: str, region: str, group: str, edition: int
                     ) -> pd.DataFrame:
        """Every stored score of one unit: overall and each area, phase, system and
        area × phase pair."""
        return self.query(
            "SELECT axis, key, key2, score, coverage, n_present, n_total FROM res_scores "
            "WHERE framework = ? AND region_id = ? AND target_group = ? AND edition = ? "
            "ORDER BY axis, key, key2", [framework, str(region), group, int(edition)])

    def axis_column(self, framework: str, axis: str, key: str, group: str, edition: int,
                    key2: str | None = None) -> pd.DataFrame:
        """One value of an axis (an area…) across every unit: region_id, score, coverage."""
        return self.query(
            "SELECT region_id, score, coverage, n_present, n_total FROM res_scores "
            "WHERE framework = ? AND axis = ? AND key = ? AND key2 IS NOT DISTINCT FROM ? "
            "AND target_group = ? AND edition = ? ORDER BY region_id",
            [framework, axis, key, key2, group, int(edition)])

    def peer_means(self, framework: str, group: str, edition: int, peer_set: str = "all"
                   ) -> pd.DataFrame:
        """Mean, total and count of a peer set ("all" or a country code) on every axis."""
        return self.query(
            "SELECT axis, key, mean, total, n FROM res_peers WHERE framework = ? AND "
            "target_group = ? AND edition = ? AND peer_set = ? ORDER BY axis, key",
            [framework, group, int(edition), peer_set])

    def similar(self, framework: str, region: str, group: str, edition: int, n: int = 5
                ) -> pd.DataFrame:
        """The ``n`` most similar units, nearest first (with their names)."""
        return self.query(
            "SELECT s.other_id AS region_id, r.name, s.distance, s.n_common, s.position "
            "FROM res_similar s LEFT JOIN regions r ON r.region_id = s.other_id "
            "WHERE s.framework = ? AND s.region_id = ? AND s.target_group = ? AND "
            "s.edition = ? AND s.position <= ? ORDER BY s.position",
            [framework, str(region), group, int(edition), int(n)])

    def priorities(self, framework: str, region: str, group: str, edition: int,
                   peer_set: str = "all") -> pd.DataFrame:
        """One unit's areas in priority order against a peer set ("all" or "country")."""
        return self.query(
            "SELECT area, score, coverage, peer_mean, n_peers, shortfall, priority, \"order\", "
            "reason, position FROM res_priorities WHERE framework = ? AND region_id = ? AND "
            "target_group = ? AND edition = ? AND peer_set = ? ORDER BY position",
            [framework, str(region), group, int(edition), peer_set])

    def unit_scores(self, framework: str, region: str, group: str, edition: int
                    ) -> pd.DataFrame:
        """The raw indicator rows of one unit (the drill-down): for "ALL", every target
        group's rows."""
        groups = None if group == "ALL" else [group]
        return self.query(
            "SELECT s.* FROM scores s JOIN indicators i USING (indicator_id) "
            "WHERE s.region_id = ? AND s.edition = ? "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], s.target_group)) "
            f"AND {FRAMEWORK_SQL} = ? ORDER BY s.indicator_id, s.target_group",
            [str(region), int(edition), groups, groups, framework])

    def outcome_pairs(self, framework: str, group: str, edition: int, measure: str,
                      region: str | None = None) -> pd.DataFrame:
        """Policy score and outcome gap of a measure, every unit or one (``region``)."""
        return self.query(
            "SELECT * EXCLUDE (framework, target_group, edition) FROM res_outcomes WHERE "
            "framework = ? AND target_group = ? AND edition = ? AND measure = ? AND "
            "(?::VARCHAR IS NULL OR region_id = ?) ORDER BY region_id",
            [framework, group, int(edition), measure, region, region])

    def regions(self, columns=("region_id", "name", "country"), ids=None) -> pd.DataFrame:
        """Some columns of the regions table, for all units or the ``ids`` given."""
        cols = [check_identifier(c, TABLES["regions"].names) for c in columns]
        select = ", ".join(f'"{c}"' for c in cols)
        if ids is None:
            return self.query(f"SELECT {select} FROM regions ORDER BY region_id")
        return self.query(f"SELECT {select} FROM regions WHERE list_contains(?::VARCHAR[], "
                          "region_id) ORDER BY region_id", [[str(i) for i in ids]])

    def count(self, table: str) -> int:
        """Rows of a raw or results table."""
        check_identifier(table, (*TABLES, *RESULTS))
        return int(self.query(f"SELECT count(*) AS n FROM {table}")["n"].iloc[0])

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


#: An indicator's framework in SQL, as data.schema.framework_of (empty → the default).
FRAMEWORK_SQL = ("coalesce(nullif(trim(i.framework), ''), " + "'" +
                 DEFAULT_FRAMEWORK.replace("'", "''") + "')")

OVERALL_RANKED_SQL = """
SELECT k.rank, k.rank_low, k.rank_high, k.region_id, r.name, k.country, k.overall AS score,
       k.coverage, k.areas_scored, k.areas_total, k.rank_country, k.rank_country_low,
       k.rank_country_high, k.n
FROM res_ranks k LEFT JOIN regions r ON r.region_id = k.region_id
WHERE k.framework = ? AND k.target_group = ? AND k.edition = ?
ORDER BY k.rank NULLS LAST, r.name, k.region_id
"""


def check_identifier(name: str, allowed) -> str:
    """Raise ``ValueError`` unless ``name`` is one of ``allowed`` (a whitelist)."""
    if name not in allowed:
        raise ValueError(f"'{name}' is not an allowed name here.")
    return name
