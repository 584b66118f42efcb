"""The staff command line does what the README says."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, tree_hash


def run(args, store, tmp_path):
    env = {"MIPEXR_STORE": str(store), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "data", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_init_import_history_rollback_export(tmp_path):
    store = tmp_path / "store"
    out = run(["init"], store, tmp_path)
    assert out.returncode == 0 and "Published the default dataset" in out.stdout
    first = run(["history"], store, tmp_path).stdout.split()[1]

    bad = tmp_path / "scores.csv"
    bad.write_text("region_id,indicator_id,target_group,edition,answer\nES51,LM01,TCN,2024,Q\n")
    before = tree_hash(store)
    out = run(["import", str(bad), "--dry-run"], store, tmp_path)
    assert out.returncode == 1
    assert "This answer code is not in the indicator's answer map." in out.stdout
    assert "nothing was published" in out.stdout
    assert tree_hash(store) == before

    good = tmp_path / "fix.csv"
    good.write_text("region_id,indicator_id,target_group,edition,answer\nES51,LM01,TCN,2024,C\n")
    out = run(["import", str(good), "--dry-run"], store, tmp_path)
    assert out.returncode == 0 and "Dry run" in out.stdout and "scores" in out.stdout
    assert tree_hash(store) == before
    out = run(["import", str(good), "--note", "correct LM01", "--who", "staff"], store, tmp_path)
    assert out.returncode == 0 and "Published version" in out.stdout
    hist = run(["history"], store, tmp_path).stdout
    assert "correct LM01" in hist and "fix.csv" in hist

    out = run(["rollback", first, "--who", "staff"], store, tmp_path)
    assert out.returncode == 0
    assert run(["history"], store, tmp_path).stdout.split()[1] == first

    export = tmp_path / "regions.csv"
    out = run(["export", "regions", "--out", str(export)], store, tmp_path)
    assert out.returncode == 0 and "Cataluña" in export.read_text(encoding="utf-8-sig")


def test_the_command_line_report_says_how_to_fix(tmp_path):
    """The report printed each problem without its fix: MIPEX's country CSV (columns
    "Country, MIPEX") got only "The columns match none of the tables."."""
    store = tmp_path / "store"
    assert run(["init"], store, tmp_path).returncode == 0
    odd = tmp_path / "mipex_by_country.csv"
    odd.write_text("Country,MIPEX\nSweden,86\n")
    out = run(["import", str(odd)], store, tmp_path)
    assert out.returncode == 1
    assert "The columns match none of the tables." in out.stdout
    assert "How to fix:" in out.stdout
    assert "Choose the table you are uploading, or start from its template." in out.stdout
