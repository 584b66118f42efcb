"""AppTest: the staff page never lets a publish remove or blank data by one click (issue 16,
problems 7 and 9), and hostile files get a plain message in the sidebar flow (problem 11)."""

from __future__ import annotations

import pytest

from conftest import CSV, tree_hash
from test_staff_apptest import app_store, staff_at, upload  # noqa: F401 (fixture)

PRACTICES_TWO = CSV["practices"] + CSV["practices"].splitlines()[1].replace("P1,", "P2,") + "\n"
NUTS_LIST = ("\ufeffCountry code;NUTS Code;NUTS label;NUTS level;Country order;#;;\n"
             "ES;ES51;Cataluña;2;1;2;;\nES;ES62;Región de Murcia;2;1;3;;\n")


def publish_button(at):
    return at.button(key="staff_publish")


def warnings(at) -> str:
    return "\n".join(w.value for w in at.warning)


def test_replace_needs_the_acknowledgement_and_the_typed_name_and_resets(app_store):  # noqa: F811
    at = staff_at(app_store)
    upload(at, "two.csv", PRACTICES_TWO.encode(), table="practices")
    publish_button(at).click().run()
    assert len(app_store.read_table("practices")) == 2

    upload(at, "one.csv", CSV["practices"].encode(), table="practices", mode="replace")
    assert not at.exception
    assert "Publishing this removes or blanks data that is published now:" in warnings(at)
    assert "Practices (Integration Lab): 1 rows removed" in warnings(at)
    assert publish_button(at).disabled
    ack = [c for c in at.checkbox if str(c.key).startswith("staff_ack_")][0]
    ack.check().run()
    assert publish_button(at).disabled, "the table name is not typed yet"
    confirm = [w for w in at.text_input if str(w.key).startswith("staff_replace_practices")][0]
    confirm.input("Practices").run()
    assert publish_button(at).disabled
    assert any("Type the table name exactly: practices" in e.value for e in at.error)
    confirm = [w for w in at.text_input if str(w.key).startswith("staff_replace_practices")][0]
    confirm.input("practices").run()
    before = tree_hash(app_store.root)
    assert not publish_button(at).disabled
    publish_button(at).click().run()
    assert not at.exception
    assert tree_hash(app_store.root) != before
    assert list(app_store.read_table("practices")["practice_id"]) == ["P1"]
    # the next upload starts from the safe choice again
    assert at.sidebar.radio(key="staff_mode").value == "upsert"
    assert not [w for w in at.text_input if str(w.key).startswith("staff_replace_")]


def test_nuts_list_upsert_keeps_coordinates_and_says_so_on_the_page(app_store):  # noqa: F811
    at = staff_at(app_store)
    assert at.sidebar.checkbox(key="staff_clear_empty").value is False
    upload(at, "nuts.csv", NUTS_LIST.encode())
    assert not at.exception
    notes = "\n".join(i.value for i in at.info).replace("\\", "")  # markdown-escaped
    assert "4 empty cells kept the values already published (lat 2, lon 2)" in notes
    assert "removes or blanks" not in warnings(at)
    assert not publish_button(at).disabled
    at.sidebar.checkbox(key="staff_clear_empty").check().run()
    assert "Regions: 'lat' emptied in 2 rows" in warnings(at)
    assert publish_button(at).disabled
    before = tree_hash(app_store.root)
    [c for c in at.checkbox if str(c.key).startswith("staff_ack_")][0].check().run()
    publish_button(at).click().run()
    assert tree_hash(app_store.root) != before
    regions = app_store.read_table("regions").set_index("region_id")
    assert regions.loc[["ES51", "ES62"], "lat"].isna().all()
    assert at.sidebar.checkbox(key="staff_clear_empty").value is False  # reset


@pytest.mark.parametrize("name,content,message", [
    ("bin.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "This file is a program"),
    ("bom.csv", b"\xef\xbb\xbf", "The file is empty: it holds only a byte-order mark"),
    ("cut.xlsx", b"PK\x03\x04" + b"\x14\x00" * 200, "The Excel workbook is damaged or incomplete"),
])
def test_hostile_files_in_the_sidebar_get_a_plain_message(app_store, name, content,  # noqa: F811
                                                           message):
    before = tree_hash(app_store.root)
    at = staff_at(app_store)
    upload(at, name, content)
    assert not at.exception
    report = "\n".join(df.value.to_csv() for df in at.dataframe)
    assert message in report
    assert not [b for b in at.button if b.key == "staff_publish"]
    assert tree_hash(app_store.root) == before


def test_a_publish_and_a_rollback_keep_no_old_version_alive(app_store):  # noqa: F811
    """Problem 12: once another version is current, nothing of the app keeps the tables of
    the one before (the memory itself is measured by bench/bench_memory.py)."""
    import gc
    import weakref

    from data.config import settings
    from data.imports import Upload, plan_import, publish_plan
    from ui import state

    root = str(app_store.root)
    first = state.version()
    old_scores = weakref.ref(state._all_tables(root, first)["scores"])
    old_cube = weakref.ref(state._cube(root, first))
    bigger = CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,75")
    plan = plan_import(app_store, [Upload("s.csv", bigger.encode(), "scores")], settings())
    second = publish_plan(app_store, plan, who="t")
    del plan
    assert state.version() == second  # a page run after the publish
    new_scores = weakref.ref(state._all_tables(root, second)["scores"])
    gc.collect()
    assert old_scores() is None and old_cube() is None
    app_store.rollback(first, base_version=second, who="t")
    assert state.version() == first
    state._all_tables(root, first)
    gc.collect()
    assert new_scores() is None


def test_a_proposal_field_states_its_limit_and_refuses_longer_text_visibly(app_store):  # noqa: F811
    """Problem 11: a paste over 5,000 characters was silently dropped by the browser (the
    widget's own limit); now the field states the limit, keeps the text, and sending says
    how long it is."""
    from test_proposals_apptest import GOOD, fill, prefix, propose_page, queue_of, receipt_of, send

    long = "Nurses trained abroad are paired with a mentor. " * 130  # 6,240 characters
    at = fill(propose_page(), {**GOOD, "summary": long})
    area = at.text_area(key=f"{prefix(at)}_summary")
    assert area.proto.max_chars == 0  # no browser-side limit that drops a paste
    assert "At most 5,000 characters." in area.help
    send(at)
    assert receipt_of(at) is None
    errors = [e.value for e in at.error]
    assert any(f"At most 5000 characters (this has {len(long.strip()):,})" in e
               or f"At most 5000 characters (this has {len(long.strip())})" in e
               for e in errors), errors
    assert at.text_area(key=f"{prefix(at)}_summary").value == long  # kept for shortening
    assert queue_of(app_store).count_pending() == 0


def test_a_workbooks_sheet_can_be_chosen_on_the_page(app_store):  # noqa: F811
    """Problem 8: every sheet is listed, the one read is named, another can be chosen."""
    from test_import_hardening import scores_rows, workbook

    changed = [r[:] for r in scores_rows()]
    changed[1][4] = "B"
    content = workbook(("Scores", scores_rows()), ("Scores v2", changed))
    at = staff_at(app_store)
    upload(at, "book.xlsx", content, table="scores")
    assert not at.exception
    notes = "\n".join(i.value for i in at.info).replace("\\", "")
    assert "sheet 'Scores' was read (its columns fit). Not read: 'Scores v2'." in notes
    assert "This upload changes nothing" in notes
    box = [s for s in at.selectbox if str(s.key).startswith("staff_sheet_")][0]
    assert box.options == ["Recognised: Scores", "Scores", "Scores v2"]
    box.set_value("Scores v2").run()
    assert not at.exception
    notes = "\n".join(i.value for i in at.info).replace("\\", "")
    assert "sheet 'Scores v2' was read (the one chosen)" in notes
    assert any("Scores: 0 added, 1 changed, 0 removed" in e.label for e in at.expander)
