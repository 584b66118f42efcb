"""The schema is the one definition: templates, dictionary, validation and the default
data must all agree with it."""

from __future__ import annotations



from conftest import ROOT
from data.demo import build_demo
from data.export import table_csv
from data.imports import Upload, derive, plan_import
from data.schema import TABLE_ORDER, TABLES
from data.store import Store
from data.templates import dictionary, empty_template, example_template


def test_committed_templates_match_the_schema():
    tables = derive(build_demo())
    for t in TABLE_ORDER:
        assert (ROOT / "templates" / f"{t}_template.csv").read_bytes() == empty_template(t), (
            f"templates/{t}_template.csv is stale: run `python -m data templates templates`")
        assert (ROOT / "templates" / f"{t}_example.csv").read_bytes() == example_template(t, tables[t])
    assert (ROOT / "templates" / "data_dictionary.csv").read_bytes() == table_csv(dictionary())


def test_dictionary_covers_every_column():
    d = dictionary()
    for t, spec in TABLES.items():
        assert d[d["table"] == t]["column"].tolist() == spec.names


def test_templates_have_schema_columns():
    for t, spec in TABLES.items():
        header = empty_template(t).decode("utf-8-sig").strip().split(",")
        assert header == spec.names


def test_default_dataset_passes_the_upload_validation(settings):
    """The demo data, exported as CSV, goes through the same checks as any upload."""
    tables = build_demo()
    store = Store(settings.store_path)
    uploads = [Upload(f"{t}.csv", table_csv(tables[t]), t) for t in TABLE_ORDER]
    plan = plan_import(store, uploads, settings)
    errors = plan.problems[plan.problems["severity"] == "error"]
    assert errors.empty, errors.head(10).to_string()
    for t in TABLE_ORDER:
        assert len(plan.tables[t]) == len(tables[t])


def test_example_templates_import_cleanly(small_store, settings):
    """Each filled example is a valid upload against the default data."""
    from data.imports import ensure_default

    store = Store(settings.store_path.parent / "default")
    ensure_default(store)
    for t in TABLE_ORDER:
        content = (ROOT / "templates" / f"{t}_example.csv").read_bytes()
        plan = plan_import(store, [Upload(f"{t}_example.csv", content)], settings)
        assert plan.ok, plan.problems.to_string()
        assert plan.uploaded == {t: f"{t}_example.csv"}
