"""Both stores read versions published before the schema grew (the measures table, the
framework, answer_options and source_code columns), and publish new ones; a MIPEX workbook
and the measure catalogue publish and read back the same on both."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from conftest import CSV
from data.imports import Upload, plan_import, publish_plan
from data.query import Reader
from data.schema import DEFAULT_FRAMEWORK, TABLE_ORDER, framework_of
from lakefix import BACKENDS, lake_env, make_store, pg_server  # noqa: F401
from mipexfix import workbook


def fixture_uploads():
    return [Upload(f"{t}.csv", CSV[t].encode(), t) for t in TABLE_ORDER]


def test_a_local_version_from_before_the_new_table_and_columns(settings):
    from data.store import Store

    store = Store(settings.store_path)
    publish_plan(store, plan_import(store, fixture_uploads(), settings), who="t")
    version = store.current_id()
    folder = store.version_dir(version)
    (folder / "measures.parquet").unlink()  # as written before the table existed
    ind = pq.read_table(folder / "indicators.parquet").drop(["framework", "answer_options"])
    pq.write_table(ind, folder / "indicators.parquet")
    tabs = store.tables(version)
    assert tabs["measures"].empty and list(tabs["measures"].columns)[0] == "measure"
    assert set(framework_of(tabs["indicators"])) == {DEFAULT_FRAMEWORK}
    reader = Reader(store, version)
    assert reader.query("SELECT count(*) AS n FROM measures")["n"].item() == 0
    assert len(reader.table("indicators")) == 4
    # and the next publish writes the new table
    plan = plan_import(store, [Upload("m.xlsx", workbook())], settings)
    assert plan.ok, plan.problems.to_string()
    publish_plan(store, plan, who="t")
    assert (framework_of(store.tables()["indicators"]) == "MIPEX").sum() == 8


@pytest.mark.parametrize("backend", BACKENDS)
def test_mipex_and_the_catalogue_on_both_backends(backend, request, settings):
    store, _ = make_store(backend, request, settings)
    publish_plan(store, plan_import(store, fixture_uploads(), settings), who="t")
    plan = plan_import(store, [Upload("m.xlsx", workbook())], settings)
    assert plan.ok, plan.problems.to_string()
    publish_plan(store, plan, who="t")
    tabs = store.tables()
    assert (framework_of(tabs["indicators"]) == "MIPEX").sum() == 8
    assert tabs["regions"].set_index("region_id").loc["EL", "source_code"] == "GR"
    assert tabs["measures"]["measure"].tolist() == ["employment_rate_20_64"]
    reader = Reader(store, store.current_id())
    q = "SELECT count(*) AS n FROM indicators WHERE framework = ?"
    assert reader.query(q, ["MIPEX"])["n"].item() == 8


def test_a_lake_made_before_the_new_columns_gets_them(request, settings):
    store, _ = make_store("lake", request, settings)
    cur = store._cursor()
    # an older lake: its regions table without source_code, no measures table yet
    cur.execute("CREATE TABLE lake.main.regions (region_id VARCHAR, name VARCHAR, country "
                "VARCHAR, level VARCHAR, parent_id VARCHAR, lat DOUBLE, lon DOUBLE, "
                "nuts_version BIGINT)")
    before = cur.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
    assert not store._existed("measures", before)
    assert store.read_table("measures", _snapshot=before).empty
    publish_plan(store, plan_import(store, fixture_uploads(), settings), who="t")
    cols = {r[0] for r in cur.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'lake' AND "
        "table_name = 'regions'").fetchall()}
    assert "source_code" in cols
    assert len(store.tables()["regions"]) == 4
    assert store._existed("measures", store.snapshot())
