"""Staff command line: ``python -m data <command>``.

    import FILE [FILE ...] [--table T] [--format mipex] [--replace] [--dry-run] [--report CSV]
           [--check CSV] [--who NAME] [--note TEXT]
    history
    rollback VERSION [--who NAME]
    export TABLE [--version V] [--out FILE]
    init                      publish the illustrative default dataset into an empty store
    templates DIR             write the CSV templates and the data dictionary into DIR

Exit codes: 0 done, 1 the files have errors (nothing written), 2 refused (stale or unknown
version), 3 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import pandas as pd

from data import audit
from data.config import settings
from data.export import table_csv
from data.imports import Upload, ensure_default, plan_import, publish_plan
from data.problems import summarise
from data.readers import FORMATS
from data.schema import TABLES
from data.backends import open_store
from data.store import StaleVersionError, Store, StoreError

#: The audit log's "client" of what the command line does.
CLI = "command line"


def _store() -> Store:
    return open_store()  # the local store, or the shared one when a catalog is configured


def cmd_import(args) -> int:
    store = _store()
    for f in args.files:
        if not Path(f).is_file():
            print(f"{f}: no such file.", file=sys.stderr)
            return 1
    uploads = [Upload(Path(f).name, Path(f).read_bytes(), args.table,
                      "replace" if args.replace else "upsert", args.format,
                      clear_empty=args.clear_empty, sheet=args.sheet) for f in args.files]
    plan = plan_import(store, uploads, settings())
    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        for note in plan.notes:
            print(note)
        if len(plan.problems):
            print("Validation report:")
            summary = summarise(plan.problems)
            print(summary.drop(columns=["fix"]).to_string(index=False))
            fixes = summary.drop_duplicates("message")
            fixes = fixes[fixes["fix"].fillna("").astype(str).str.strip() != ""]
            if len(fixes):
                print("How to fix:")
                for message, fix in zip(fixes["message"], fixes["fix"]):
                    print(f"- {message} {fix}")
            if args.report:
                plan.problems.to_csv(args.report, index=False)
                print(f"Every problem, one per row: {args.report}")
        print_checks(plan, args.check)
        if not plan.ok:
            print("\nErrors found: nothing was published.")
            return 1
        print("\nChanges against the current version "
              f"({plan.base_version or 'empty store'}):")
        print(plan.summary().to_string(index=False))
        losses = plan.losses()
        if len(losses):
            print("\nWARNING: publishing removes or blanks data already published:")
            for row in losses.itertuples():
                print(f"  {row.table}: {row.rows:,} rows removed" if row.what == "removed" else
                      f"  {row.table}: '{row.column}' emptied in {row.rows:,} rows")
        for name, d in plan.diffs.items():
            if not d.changed.empty:
                print(f"\nChanged values in {name} (first 20):")
                print(d.changed.head(20).to_string(index=False))
    if args.dry_run:
        print("\nDry run: nothing was published.")
        return 0
    if not plan.changes:
        print("\nNothing changes: nothing was published.")
        return 0
    try:
        version = publish_plan(store, plan, who=args.who, note=args.note)
    except StaleVersionError as exc:
        print(exc)
        return 2
    audit.record("publish", user=args.who, client=CLI, version=version, base=plan.base_version)
    print(f"\nPublished version {version}.")
    return 0


def print_checks(plan, path=None):
    """The comparison with a source's own figures: the differences, and every figure to CSV."""
    for name, frame in plan.checks.items():
        differ = frame[~frame["same"]]
        print(f"\nCheck against the {name} workbook's own figures: {int(frame['same'].sum()):,} "
              f"of {len(frame):,} equal to two decimals.")
        if len(differ):
            print("Differences (dashboard − workbook):")
            print(differ.drop(columns=["same"]).round(4).to_string(index=False))
        if path:
            frame.to_csv(path, index=False)
            print(f"Every figure compared: {path}")


def cmd_history(_args) -> int:
    for e in _store().history():
        kept = "" if e["kept"] else "  (files pruned)"
        rows = ", ".join(f"{k} {v:,}" for k, v in e["rows"].items())
        print(f"{e['time']}  {e['version']}  {e['action']:<8} {e['who']}: {e['note'][:60]}{kept}")
        print(f"    rows: {rows}")
        for s in e.get("sources", []):
            print(f"    source: {s['name']} sha256 {s['sha256'][:16]}… ({s['bytes']:,} bytes)")
    return 0


def cmd_rollback(args) -> int:
    store = _store()
    try:
        version = store.rollback(args.version, base_version=store.current_id(), who=args.who,
                                 note=args.note)
    except StoreError as exc:
        print(exc)
        return 2
    audit.record("rollback", user=args.who, client=CLI, to=args.version, version=version)
    print(f"Version {version} is current again.")
    return 0


def cmd_export(args) -> int:
    store = _store()
    try:
        frame = store.read_table(args.table, args.version)
    except StoreError as exc:
        print(exc)
        return 2
    data = table_csv(frame)
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_init(_args) -> int:
    store = _store()
    version = ensure_default(store)  # also computes the current version's results if missing
    print(f"Published the default dataset as {version}." if version else "The store already has data.")
    entry = store.ensure_results()
    if entry:
        rows = ", ".join(f"{name} {f['rows']:,}" for name, f in entry["files"].items())
        print(f"Results of version {store.current_id()}: {rows}.")
    return 0


def cmd_templates(args) -> int:
    from data.demo import build_demo
    from data.imports import derive
    from data.templates import write_templates

    for path in write_templates(Path(args.dir), derive(build_demo())):
        print(path)
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m data", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    who = getpass.getuser()
    imp = sub.add_parser("import", help="validate files and publish them as a new version")
    imp.add_argument("files", nargs="+")
    imp.add_argument("--table", choices=list(TABLES), help="the table (default: recognised)")
    imp.add_argument("--format", choices=list(FORMATS),
                     help="read the file as this format (default: recognised; mipex = MIPEX's "
                          "published workbook, one sheet per country)")
    imp.add_argument("--check", help="write the comparison with a workbook's own figures to "
                                     "this CSV file")
    imp.add_argument("--replace", action="store_true", help="replace the table instead of upserting")
    imp.add_argument("--clear-empty", action="store_true",
                     help="upsert: empty cells clear published values (default: they keep them)")
    imp.add_argument("--sheet", help="XLSX: the sheet to read (default: the first whose "
                                     "columns fit a table)")
    imp.add_argument("--dry-run", action="store_true", help="report and preview; publish nothing")
    imp.add_argument("--report", help="write every problem to this CSV file")
    imp.add_argument("--who", default=who)
    imp.add_argument("--note", default="")
    imp.set_defaults(func=cmd_import)
    sub.add_parser("history", help="list published versions").set_defaults(func=cmd_history)
    rb = sub.add_parser("rollback", help="make an earlier version current again")
    rb.add_argument("version")
    rb.add_argument("--who", default=who)
    rb.add_argument("--note", default="")
    rb.set_defaults(func=cmd_rollback)
    ex = sub.add_parser("export", help="write a table as CSV")
    ex.add_argument("table", choices=list(TABLES))
    ex.add_argument("--version")
    ex.add_argument("--out")
    ex.set_defaults(func=cmd_export)
    sub.add_parser("init", help="publish the default dataset into an empty store").set_defaults(
        func=cmd_init)
    tp = sub.add_parser("templates", help="write the CSV templates and data dictionary")
    tp.add_argument("dir")
    tp.set_defaults(func=cmd_templates)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
