"""AppTest: the staff side in the sidebar and on the staff page.

A visitor never sees staff controls (with crafted URL parameters or session state too); a
staff member uploads each table's example and publishes; each bad-input class gets its
message and leaves the store byte-identical; a stale publish is refused; a rollback
restores the earlier content exactly. The helpers here are also used by test_auth.py.
"""

from __future__ import annotations

import bcrypt
import pandas as pd
import pytest

from conftest import CSV, tree_hash
from data.config import settings as read_settings
from data.imports import Upload, plan_import, publish_plan
from data.schema import TABLE_ORDER
from data.store import Store

STAFF = ("teststaff", "correct horse battery staple")
APP = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "app.py")


def fresh_caches():
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_store(tmp_path, monkeypatch) -> Store:
    """A store holding the tiny fixture tables, the app pointed at it, one staff account."""
    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    hashed = bcrypt.hashpw(STAFF[1].encode(), bcrypt.gensalt(rounds=4)).decode()
    monkeypatch.setenv("MIPEXR_STAFF_USERS", f"{STAFF[0]}:{hashed}")
    for var in ("MIPEXR_STAFF_MAX_FAILURES", "MIPEXR_STAFF_NAME_MAX_FAILURES", "MIPEXR_TRUSTED_PROXIES",
                "MIPEXR_MAX_UPLOAD_MB", "MIPEXR_MAX_ROWS"):
        monkeypatch.delenv(var, raising=False)
    fresh_caches()
    cfg = read_settings()
    store = Store(cfg.store_path, cfg.keep_versions)
    plan = plan_import(store, [Upload(f"{t}.csv", CSV[t].encode(), t) for t in TABLE_ORDER], cfg)
    assert plan.ok, plan.problems.to_string()
    publish_plan(store, plan, who="fixture", note="fixture")
    yield store
    fresh_caches()


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(APP, default_timeout=30)


def sign_in(at, name=STAFF[0], password=STAFF[1]):
    form = [w for w in at.sidebar.text_input if w.form_id == "staff_sign_in"]
    form[0].input(name)
    form[1].input(password)
    submit = [b for b in at.sidebar.button if b.label == "Sign in"]
    submit[0].click().run()
    return at


def staff_page(at):
    return at.switch_page("pages/staff.py").run()


def nodes(at):
    """Every element of the rendered tree (depth first)."""
    out, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(getattr(node, "children", {}).values())
    return out


def all_text(at) -> str:
    """Everything the app sent to the browser, as text (protos of every element)."""
    return "\n".join(str(n.proto) for n in nodes(at) if getattr(n, "proto", None) is not None)


def report_text(at) -> str:
    """The validation report tables, as text."""
    return "\n".join(df.value.to_csv() for df in at.dataframe)


def staff_at(app_store):
    at = new_app().run()
    sign_in(at)
    assert not at.exception
    return staff_page(at)


def upload(at, name: str, content: bytes, table: str = "auto", mode: str = "upsert"):
    at.sidebar.selectbox(key="staff_table").set_value(table)
    at.sidebar.radio(key="staff_mode").set_value(mode)
    fu = at.sidebar.file_uploader[0]
    fu.clear()
    fu.upload(name, content, "text/csv")
    return at.run()


def pick_event(at, store, i: int):
    """Choose the i-th newest publish in the history section."""
    return at.selectbox(key="staff_history_pick").set_value(len(store.history()) - i).run()


def staff_controls(at) -> list[str]:
    """Labels of anything that uploads, publishes, rolls back or exports."""
    found = [f"uploader {u.label}" for u in at.get("file_uploader")]
    found += [f"button {b.label}" for b in at.button
              if b.label not in ("Sign in", "Sign in with your organisation account", "Sign out")]
    found += [f"download {d.label}" for d in at.get("download_button")
              if not str(d.key or "").startswith("dl-")]  # page data downloads are public
    return found


# ------------------------------------------------------------------ visitors

CRAFTED_PARAMS = [{}, {"staff": "1", "admin": "true"}, {"page": "staff", "section": "history",
                                                        "user": STAFF[0]}]
CRAFTED_STATE = [{}, {"staff": True, "is_staff": True, "_staff_token": "forged-token",
                      "staff_user": STAFF[0], "authenticated": True, "role": "staff",
                      "staff_section": "history"}]


@pytest.mark.parametrize("params", CRAFTED_PARAMS)
@pytest.mark.parametrize("crafted", CRAFTED_STATE)
def test_visitor_sees_no_staff_controls(app_store, params, crafted):
    before = tree_hash(app_store.root)
    at = new_app()
    at.query_params.update(params)
    for k, v in crafted.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception
    assert staff_controls(at) == []
    assert [e.label for e in at.sidebar.expander] == ["Staff"]  # with the sign-in form only
    staff_page(at)
    assert not at.exception
    assert staff_controls(at) == []
    assert "for the index team's staff" in at.info[0].value
    assert not at.dataframe  # no history, report or dictionary
    assert tree_hash(app_store.root) == before


def test_staff_page_by_url_for_a_visitor_shows_only_the_notice(app_store):
    at = new_app()
    at.run()
    at.switch_page("pages/staff.py").run()
    assert [t.value for t in at.title] == ["Data management"]
    assert len(at.main.children) == 2  # the title and the notice


def test_without_accounts_the_sidebar_says_how_to_turn_staff_on(app_store, monkeypatch):
    monkeypatch.delenv("MIPEXR_STAFF_USERS")
    at = new_app().run()
    assert not at.exception
    text = " ".join(c.value for c in at.sidebar.caption)
    assert "Staff features are off" in text and "MIPEXR_STAFF_USERS" in text
    assert "python -m ui.auth hash" in text
    assert not [w for w in at.sidebar.text_input if w.form_id == "staff_sign_in"]
    staff_page(at)
    assert staff_controls(at) == []


def test_oidc_staff_on_the_allow_list(app_store, monkeypatch):
    monkeypatch.delenv("MIPEXR_STAFF_USERS")
    at = new_app()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "x" * 32, "client_id": "id", "client_secret": "s",
                          "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration"}
    at.secrets["staff"] = {"emails": ["Ana@Example.org"]}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.sidebar.button] == ["Sign in with your organisation account"]
    at.user = {"is_logged_in": True, "email": "someone@example.org"}
    staff_page(at)
    assert staff_controls(at) == []
    assert "not on the staff list" in " ".join(c.value for c in at.sidebar.caption)
    at.user = {"is_logged_in": True, "email": "ana@example.org"}
    at.run()
    assert not at.exception
    assert at.sidebar.file_uploader
    assert "Signed in as **ana@example.org**." in [c.value for c in at.sidebar.caption]
    assert at.get("file_uploader") and at.radio(key="staff_section")


# ------------------------------------------------------------------ upload and publish

def published_content(store) -> dict[str, pd.Series]:
    return {t: pd.util.hash_pandas_object(f, index=False) for t, f in store.tables().items()}


@pytest.mark.parametrize("table", list(TABLE_ORDER))
def test_staff_uploads_the_template_example_and_publishes(app_store, table):
    from data.templates import example_template

    at = staff_at(app_store)
    assert at.sidebar.file_uploader, "staff see the uploader"
    before = app_store.current_id()
    upload(at, f"{table}_example.csv", example_template(table))
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert "What will change" in [s.value for s in at.subheader]
    at.text_input(key="staff_note").input(f"example {table}")
    at.button(key="staff_publish").click().run()
    assert not at.exception
    after = app_store.current_id()
    assert after != before
    assert any(after in s.value for s in at.success)
    event = app_store.history()[0]
    assert event["who"] == STAFF[0] and event["note"] == f"example {table}"
    assert event["sources"][0]["name"] == f"{table}_example.csv"
    assert len(event["sources"][0]["sha256"]) == 64
    # the sidebar shows the new version on the same session's next run
    assert any(after in c.value for c in at.sidebar.caption)
    assert not at.sidebar.file_uploader[0].value  # the uploader was emptied


def test_every_table_example_in_one_session(app_store):
    """The example files of the five tables, one after the other, by the same person."""
    from data.templates import example_template

    at = staff_at(app_store)
    for table in TABLE_ORDER:
        upload(at, f"{table}_example.csv", example_template(table), table=table)
        assert not at.error, (table, [e.value for e in at.error])
        at.button(key="staff_publish").click().run()
        assert not at.exception
    assert [e["note"] for e in app_store.history()][:5] == [""] * 5
    assert "P001" in set(app_store.read_table("practices")["practice_id"])


def test_preview_shows_old_to_new(app_store):
    at = staff_at(app_store)
    content = CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,75")
    upload(at, "scores.csv", content.encode(), table="scores")
    changed = [df.value for df in at.dataframe if "change" in df.value.columns]
    assert changed and changed[0].iloc[0]["change"] == "50.0 → 75.0"
    summary = [df.value for df in at.dataframe if "added" in df.value.columns][0]
    assert summary.iloc[0].to_dict() == {"table": "scores", "added": 0, "removed": 0, "changed": 1}


def bad(content: str) -> bytes:
    return content.encode()


BAD_INPUTS = {
    "out of range": (bad(CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,140")),
                     "scores", "'value' must be between 0 and 100."),
    "unknown region": (bad(CSV["scores"].replace("ES62,LM01", "ES99,LM01")), "scores",
                       "Unknown region_id: it is not in the regions table."),
    "unknown indicator": (bad(CSV["scores"].replace("ES51,LM02", "ES51,XX99")), "scores",
                          "Unknown indicator_id: it is not in the indicators table."),
    "answer not in map": (bad(CSV["scores"].replace("ITF3,LM01,TCN,2024,B", "ITF3,LM01,TCN,2024,Z")),
                          "scores", "This answer code is not in the indicator's answer map."),
    "answer and value disagree": (bad(CSV["scores"].replace("ES51,LM01,TCN,2024,A,", "ES51,LM01,TCN,2024,A,50")),
                                  "scores", "The value does not match the value of the answer code."),
    "wrong type": (bad(CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,fifty")),
                   "scores", "'value' must be a number."),
    "duplicate key": (bad(CSV["scores"] + "ES51,LM01,TCN,2024,B,,,\n"), "scores", "Duplicate key"),
    "missing column": (bad(CSV["regions"].replace(",level", "", 1)), "regions", None),
    "bad choice": (bad(CSV["regions"].replace("ES51,Cataluña,ES,NUTS2", "ES51,Cataluña,ES,NUTS9")),
                   "regions", None),
    "empty file": (b"", "auto", "The file is empty."),
    "header only": (bad(CSV["outcomes"].splitlines()[0] + "\n"), "outcomes", "no data rows"),
    "unrecognised columns": (bad("foo,bar\n1,2\n"), "auto", None),
    "not a table": (bytes(range(256)) * 4, "auto", None),
    "too large": (bad(CSV["scores"] + "x" * 2_000_000), "scores", "larger than the limit"),
    "too many rows": (bad(CSV["scores"]), "scores", None),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_each_bad_input_gets_its_message_and_nothing_changes(app_store, monkeypatch, case):
    from data.config import settings

    content, table, expected = BAD_INPUTS[case]
    if case == "too large":
        monkeypatch.setenv("MIPEXR_MAX_UPLOAD_MB", "1")
    if case == "too many rows":
        monkeypatch.setenv("MIPEXR_MAX_ROWS", "3")
    # the app shows exactly the problems the import planner finds
    plan = plan_import(app_store, [Upload(f"{case}.csv", content, None if table == "auto" else table)],
                       settings())
    assert not plan.ok
    messages = set(plan.problems.loc[plan.problems["severity"] == "error", "message"])
    if expected:
        assert any(expected in m for m in messages), messages
    before = tree_hash(app_store.root)
    at = staff_at(app_store)
    upload(at, f"{case}.csv", content, table=table)
    assert not at.exception
    assert at.error and "nothing can be published" in at.error[0].value
    shown = report_text(at)
    for m in messages:
        assert m in shown, (m, shown[:2000])
    assert "staff_publish" not in [b.key for b in at.button]
    assert any(d.label == "Download every problem (CSV)" for d in at.get("download_button"))
    assert tree_hash(app_store.root) == before


def test_stale_publish_is_refused_and_review_again_works(app_store):
    at = staff_at(app_store)
    mine = CSV["scores"].replace("ES62,HE01,TCN,2024,,50", "ES62,HE01,TCN,2024,,75")
    upload(at, "scores.csv", mine.encode(), table="scores")
    # a colleague publishes in the meantime
    cfg = read_settings()
    theirs = CSV["outcomes"].replace("70.1", "71.0")
    publish_plan(app_store, plan_import(app_store, [Upload("o.csv", theirs.encode(), "outcomes")], cfg),
                 who="colleague")
    before = tree_hash(app_store.root)
    colleague_version = app_store.current_id()
    at.run()  # any interaction: the page notices before the publish is even tried
    assert "The data changed since you started" in at.warning[0].value
    at.button(key="staff_publish").click().run()
    assert not at.exception
    assert "The data changed since you started" in at.error[0].value
    assert "Review again" in at.error[0].value
    assert tree_hash(app_store.root) == before and app_store.current_id() == colleague_version
    at.button(key="staff_review_again").click().run()
    assert f"`{colleague_version}`" in at.caption[0].value  # checked against their version now
    at.button(key="staff_publish").click().run()
    assert app_store.current_id() != colleague_version
    now = app_store.tables()
    assert 71.0 in set(now["outcomes"]["value"])  # their change is kept
    assert 75.0 in set(now["scores"]["value"])    # and mine is added


# ------------------------------------------------------------------ history and rollback

def test_rollback_restores_the_previous_content_exactly(app_store):
    original = app_store.current_id()
    content_before = published_content(app_store)
    at = staff_at(app_store)
    change = CSV["regions"].replace("Campania", "Kampanien")
    upload(at, "regions.csv", change.encode(), table="regions")
    at.button(key="staff_publish").click().run()
    changed = app_store.current_id()
    assert changed != original
    at.radio(key="staff_section").set_value("history").run()
    assert not at.exception
    history = at.dataframe[0].value
    assert len(history) == 2 and history.iloc[0]["who"] == STAFF[0]
    assert "sha256" in history.iloc[0]["sources"]
    # what the newest version changed: Campania → Kampanien
    assert any("change" in df.value.columns and "Campania → Kampanien" in set(df.value["change"])
               for df in at.dataframe)
    pick_event(at, app_store, 1)
    assert at.selectbox(key="staff_history_pick").value == 1
    assert f"Version `{original}`" in at.markdown[0].value or any(
        f"`{original}`" in m.value for m in at.markdown)
    assert any(d.label == "CSV" for d in at.get("download_button"))
    at.text_input(key="staff_rollback_note").input("undo the rename")
    at.button(key="staff_rollback").click().run()
    assert not at.exception
    assert app_store.current_id() == original
    after = published_content(app_store)
    assert all(after[t].equals(content_before[t]) for t in TABLE_ORDER)
    event = app_store.history()[0]
    assert event["action"] == "rollback" and event["note"] == "undo the rename"
    assert event["who"] == STAFF[0]
    assert any(original in s.value for s in at.success)


def test_stale_rollback_is_refused(app_store):
    at = staff_at(app_store)
    upload(at, "regions.csv", CSV["regions"].replace("Campania", "Kampanien").encode(), "regions")
    at.button(key="staff_publish").click().run()
    at.radio(key="staff_section").set_value("history").run()
    pick_event(at, app_store, 1)
    cfg = read_settings()
    publish_plan(app_store, plan_import(app_store, [Upload(
        "r.csv", CSV["regions"].replace("Campania", "Campania!").encode(), "regions")], cfg),
        who="colleague")
    before = tree_hash(app_store.root)
    at.button(key="staff_rollback").click().run()
    assert "The data changed since you started" in at.error[0].value
    assert tree_hash(app_store.root) == before


def test_templates_section_offers_every_table_and_the_dictionary(app_store):
    at = staff_at(app_store)
    at.radio(key="staff_section").set_value("templates").run()
    assert not at.exception
    keys = {d.key for d in at.get("download_button")}
    for table in TABLE_ORDER:
        assert {f"tpl_empty_{table}", f"tpl_ex_{table}", f"tpl_xlsx_{table}"} <= keys
    assert {"dict_csv", "dict_xlsx"} <= keys


def test_signed_out_staff_lose_the_controls(app_store):
    at = staff_at(app_store)
    token = at.session_state["_staff_token"]
    at.sidebar.button(key="staff_sign_out").click().run()
    assert staff_controls(at) == []
    # the old token is worthless even if put back
    at.session_state["_staff_token"] = token
    at.run()
    assert staff_controls(at) == []
