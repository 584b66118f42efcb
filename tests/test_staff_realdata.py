"""AppTest: staff load real files through the sidebar — MIPEX's workbook (with the check
against its own figures), and edit the measure catalogue in place; a rejected file leaves
the store byte-identical."""

from __future__ import annotations

import pytest

from conftest import SHARED, tree_hash
from data.schema import framework_of
from mipexfix import workbook
from test_staff_apptest import app_store, staff_at  # noqa: F401  (fixture)

REAL = SHARED / "mipex" / "mipex_EU_2020-2024.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_xlsx(at, name: str, content: bytes, kind: str = "mipex", mode: str = "upsert"):
    at.sidebar.selectbox(key="staff_table").set_value(kind)
    at.sidebar.radio(key="staff_mode").set_value(mode)
    fu = at.sidebar.file_uploader[0]
    fu.clear()
    fu.upload(name, content, XLSX)
    return at.run()


def text_of(elements) -> str:
    return " ".join(str(e.value) for e in elements)


@pytest.mark.skipif(not REAL.exists(), reason="shared MIPEX workbook not present")
def test_sidebar_upload_of_the_mipex_workbook(app_store):  # noqa: F811
    at = staff_at(app_store)
    assert "mipex" in at.sidebar.selectbox(key="staff_table").options or any(
        "MIPEX workbook" in o for o in at.sidebar.selectbox(key="staff_table").options)
    upload_xlsx(at, REAL.name, REAL.read_bytes())
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    info = text_of(at.info)
    assert "MIPEX workbook: 28 country sheets, 79 indicators in 8 strands" in info.replace("\\", "")
    assert "Check against the MIPEX workbook's own figures" in [s.value for s in at.subheader]
    assert "1,141 of 1,143 strand and overall scores" in text_of(at.warning)
    differ = next(d.value for d in at.dataframe if "Workbook" in d.value.columns)
    assert set(differ["Cell"]) == {"SI!B46", "SI!B7"}
    # every unreadable cell is in the report, with its address
    report = "\n".join(d.value.to_csv() for d in at.dataframe)
    for cell in ("PT!G51", "SK!AZ27", "FI!H75"):
        assert cell in report
    at.button(key="staff_publish").click().run()
    assert not at.exception
    tabs = app_store.tables()
    assert (framework_of(tabs["indicators"]) == "MIPEX").sum() == 79
    assert app_store.history()[0]["sources"][0]["name"] == REAL.name


def test_sidebar_upload_recognises_a_workbook_and_a_rejected_one_changes_nothing(
        app_store):  # noqa: F811
    at = staff_at(app_store)
    upload_xlsx(at, "mipex.xlsx", workbook(), kind="auto")
    assert not at.error, [e.value for e in at.error]
    assert "read as mipex" in text_of(at.caption)
    before = tree_hash(app_store.root)
    upload_xlsx(at, "not-a-workbook.xlsx", b"PK\x03\x04 broken", kind="mipex")
    assert not at.exception
    assert at.error and "nothing can be published" in text_of(at.error)
    assert not [b for b in at.button if b.key == "staff_publish"]
    assert tree_hash(app_store.root) == before


def test_staff_edit_the_measure_catalogue(app_store):  # noqa: F811
    at = staff_at(app_store)
    at.radio(key="staff_section").set_value("catalogue").run()
    assert not at.exception, [e.value for e in at.exception]
    editor = at.get("arrow_data_frame") or at.dataframe
    assert editor  # the catalogue is shown for editing
    before = tree_hash(app_store.root)
    at.button(key="staff_catalogue_check").click().run()
    assert not at.exception
    assert "This upload changes nothing" in text_of(at.info)
    assert tree_hash(app_store.root) == before


def test_staff_edit_a_label_in_the_catalogue_and_publish(app_store):  # noqa: F811
    at = staff_at(app_store)
    at.radio(key="staff_section").set_value("catalogue").run()
    at.session_state["staff_catalogue_editor"] = {
        "edited_rows": {0: {"label": "Employment rate (20–64), by citizenship"}},
        "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="staff_catalogue_check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    changed = next(d.value for d in at.dataframe if "change" in d.value.columns)
    assert changed.iloc[0]["change"] == ("Employment rate, 20–64 → "
                                         "Employment rate (20–64), by citizenship")
    at.button(key="staff_publish").click().run()
    assert not at.exception
    assert app_store.tables()["measures"]["label"].tolist() == [
        "Employment rate (20–64), by citizenship"]
