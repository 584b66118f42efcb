"""data/proposals.py without Streamlit: validation per field, duplicates, the durable queue,
rate limits, approval into a new version."""

from __future__ import annotations

import json
import os

import pytest

from data import proposals as dp
from data.store import StaleVersionError
from lakefix import lake_env, pg_server  # noqa: F401  (fixtures of the lake backend)

VALID = {
    "title": "Mentoring newcomers into nursing jobs", "region_mode": "list", "region_id": "ES51",
    "start_year": 2020, "end_year": None, "areas": ["health"], "target_groups": ["TCN"],
    "authority_role": "direct", "stakeholders": ["NGOs", "a;b"], "funding": ["AMIF"],
    "criteria": {"innovation": "The first regional mentoring scheme for nurses.", "inclusion": ""},
    "summary": "Nurses trained abroad are paired with a mentor in a hospital while their diploma is recognised.",
    "lessons_learnt": "Mentors needed paid time for it.", "transferability_tips": "Start with one hospital.",
    "url": "https://example.org/x", "language": "fr", "email": "ana@example.org",
}


def valid_fields(small_store, **change):
    fields, errors = dp.validate({**VALID, **change}, small_store.tables()["regions"])
    assert errors == {}
    return fields


def test_a_valid_proposal(small_store):
    f = valid_fields(small_store)
    assert f["criteria"] == {"innovation": VALID["criteria"]["innovation"]}  # empty sentence: not claimed
    assert f["stakeholders"] == ["NGOs", "a,b"]  # the list separator cannot sneak in
    assert f["email"] == "ana@example.org" and f["language"] == "fr"


@pytest.mark.parametrize("change, field, message", [
    ({"title": "  "}, "title", "This field is required."),
    ({"title": "x" * 201}, "title", "At most 200 characters (this has 201)."),
    ({"region_id": "ZZ99"}, "region_id", "Choose a region from the list."),
    ({"start_year": 1900}, "start_year", "A year between 1950 and 2100."),
    ({"start_year": "20x0"}, "start_year", "Write a year as four digits, e.g. 2021."),
    ({"end_year": 2010}, "end_year", "The last year is before the first year."),
    ({"target_groups": ["TCN", "refugees"]}, "target_groups", "Not one of the choices: refugees."),
    ({"authority_role": "both"}, "authority_role",
     "Say whether the regional authority takes part directly or indirectly."),
    ({"criteria": {"innovation": "short"}}, "criterion:innovation", "Write at least 10 characters (this has 5)."),
    ({"criteria": {}}, "criteria", "Explain in one sentence how the practice meets at least one of the criteria."),
    ({"url": "javascript:alert(1)"}, "url", "A full web address starting with https:// (or http://), without spaces."),
    ({"url": "https://a b"}, "url", "A full web address starting with https:// (or http://), without spaces."),
    ({"language": "xx"}, "language", "Choose the language the proposal is written in."),
    ({"email": "a@b"}, "email", "This does not look like an e-mail address (name@example.org)."),
    ({"email": "<script>@x.org"}, "email", "This does not look like an e-mail address (name@example.org)."),
    ({"stakeholders": [f"s{i}" for i in range(16)]}, "stakeholders", "At most 15 items."),
])
def test_each_bad_field_gets_its_message(small_store, change, field, message):
    _, errors = dp.validate({**VALID, **change}, small_store.tables()["regions"])
    assert errors == {field: [message]}


def test_unknown_criterion(small_store):
    _, errors = dp.validate({**VALID, "criteria": {"beauty": "A sentence long enough."}},
                            small_store.tables()["regions"])
    assert errors["criteria"][0] == "Unknown criterion: beauty."


def test_a_place_needs_name_country_and_coordinates(small_store):
    regions = small_store.tables()["regions"]
    _, errors = dp.validate({**VALID, "region_mode": "place", "place_lat": 100}, regions)
    assert set(errors) == {"place_name", "place_country", "place_lat", "place_lon"}
    f, errors = dp.validate({**VALID, "region_mode": "place", "place_name": "Sant Boi de Llobregat",
                             "place_country": "es", "place_lat": "41,343", "place_lon": 2.036,
                             "place_parent": "ES51"}, regions)
    assert errors == {}
    assert f["region_id"] == dp.lau_id("ES", "Sant Boi de Llobregat") == "ES-LAU-SANT-BOI-DE-LLOBREGAT"
    assert f["place"]["lat"] == 41.343


def test_text_is_kept_as_text():
    payload = "<img src=x onerror=alert(1)> <script>alert('x')</script> **b** [l](javascript:x)"
    assert dp.clean_text(payload) == payload
    assert dp.clean_text("a\u202eb\x00c\r\nd") == "abc\nd"


def test_the_published_rules_are_the_uploads_rules(small_store):
    f = valid_fields(small_store)
    assert dp.schema_problems(f) == {}
    assert "url" in dp.schema_problems({**f, "url": "ftp://x"})


def test_duplicates_same_region_similar_title(small_store):
    practices = small_store.tables()["practices"]  # P1 "One-stop shop" in ES51
    f = valid_fields(small_store, title="One stop shop!!")
    assert [d["id"] for d in dp.duplicates(f, practices)] == ["P1"]
    assert dp.duplicates(valid_fields(small_store, title="One stop shop!!", region_id="ES62"), practices) == []
    assert dp.duplicates(valid_fields(small_store, title="Language café for parents"), practices) == []
    assert dp.title_similarity("Shop one-stop", "One stop shop") == 1.0
    pending = [{"id": "LAB-20250101-AAAAAAAA", "fields": {"title": "One-stop-shop", "region_id": "ES51"}}]
    kinds = [d["kind"] for d in dp.duplicates(f, practices.iloc[0:0], pending)]
    assert kinds == ["proposal"]


# ------------------------------------------------------------------ the queue

def test_submit_is_durable_and_atomic(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    receipt = q.submit(valid_fields(small_store), "s1", dp.Limits())
    assert dp.RECEIPT.match(receipt)
    files = os.listdir(tmp_path / "q" / "pending")
    assert files == [f"{receipt}.json"]  # no temporary file left behind
    rec = json.loads((tmp_path / "q" / "pending" / files[0]).read_text())
    assert rec["email"] == "ana@example.org" and "email" not in rec["fields"]
    again = dp.Queue(tmp_path / "q")  # a new process
    assert [r["id"] for r in again.pending()] == [receipt]


def test_get_never_builds_a_path_from_arbitrary_text(tmp_path):
    q = dp.Queue(tmp_path / "q")
    assert q.get("../../etc/passwd") is None and q.get(None) is None


def test_rate_limits_per_client_global_and_queue_size(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    f = valid_fields(small_store)
    limits = dp.Limits(per_client=3, per_window=4, window=3600, max_pending=100)
    t0 = 1_700_000_000.0
    for i in range(3):
        q.submit(f, "s1", limits, now=t0 + i)
    with pytest.raises(dp.Refused) as exc:
        q.submit(f, "s1", limits, now=t0 + 10)
    assert exc.value.kind == "client" and exc.value.retry_after == pytest.approx(3590)
    assert q.count_pending() == 3
    q.submit(f, "s2", limits, now=t0 + 20)  # another client: the 4th in the hour
    with pytest.raises(dp.Refused) as exc:
        q.submit(f, "s3", limits, now=t0 + 30)
    assert exc.value.kind == "global" and exc.value.retry_after == pytest.approx(3570)
    assert q.count_pending() == 4
    q.submit(f, "s1", limits, now=t0 + 3601)  # the window moved on
    assert q.count_pending() == 5
    with pytest.raises(dp.Refused) as exc:
        q.submit(f, "s9", dp.Limits(per_client=9, per_window=99, window=60, max_pending=5), now=t0 + 9999)
    assert exc.value.kind == "full" and q.count_pending() == 5
    # decided proposals still count for the window, not for the queue size
    for rec in q.pending()[:2]:
        q.reject(rec["id"], "ana", "test")
    q.submit(f, "s9", dp.Limits(per_client=9, per_window=99, window=60, max_pending=5), now=t0 + 9999)


def test_limits_from_env():
    env = {"MIPEXR_PROPOSALS_PER_CLIENT": "1", "MIPEXR_PROPOSALS_PER_HOUR": "7",
           "MIPEXR_PROPOSALS_WINDOW_MINUTES": "10", "MIPEXR_PROPOSALS_MAX_QUEUE": "9",
           "MIPEXR_PROPOSALS_MIN_SECONDS": "2"}
    assert dp.Limits.from_env(env) == dp.Limits(1, 7, 600.0, 9, 2.0)
    assert dp.Limits.from_env({"MIPEXR_PROPOSALS_PER_CLIENT": "lots"}) == dp.Limits()


def test_queue_dir(tmp_path):
    from data.config import Settings

    local = Settings(store_path=tmp_path / "store")
    assert dp.queue_dir(local, env={}) == tmp_path / "store" / "proposals"
    assert dp.queue_dir(local, env={"MIPEXR_PROPOSALS_DIR": str(tmp_path / "p")}) == tmp_path / "p"
    lake = Settings(store_path=tmp_path / "store", catalog="postgres:dbname=x", data_path=str(tmp_path / "lake"))
    assert dp.queue_dir(lake, env={}) == tmp_path / "lake" / "proposals"


def test_approve_publishes_a_new_version_with_who(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    receipt = q.submit(valid_fields(small_store), "s1", dp.Limits())
    base = small_store.current_id()
    version = q.approve(receipt, small_store, who="ana", base_version=base)
    assert small_store.current_id() == version != base
    event = small_store.history()[0]
    assert event["who"] == "ana" and receipt in event["note"] and "ana@example.org" not in json.dumps(event)
    row = small_store.tables()["practices"].set_index("practice_id").loc[receipt]
    assert row["language"] == "fr" and row["criteria"] == "innovation"
    assert row["summary"].endswith("REGIN criteria —\ninnovation: The first regional mentoring scheme for nurses.")
    rec = q.get(receipt)
    assert rec["status"] == "approved" and rec["version"] == version and q.pending() == []
    with pytest.raises(dp.QueueError):
        q.approve(receipt, small_store, who="ben", base_version=version)


def test_approve_keeps_illustrative_flags(tmp_path, small_store):
    tables = small_store.tables()
    tables["outcomes"].loc[0, "value"] = 12.5  # new content: a new version
    base = small_store.publish(tables, base_version=small_store.current_id(), who="t",
                               illustrative={"practices": True})
    q = dp.Queue(tmp_path / "q")
    receipt = q.submit(valid_fields(small_store), "s1", dp.Limits())
    version = q.approve(receipt, small_store, who="ana", base_version=base)
    assert small_store.manifest(version)["illustrative"]["practices"] is True


def test_stale_approval_changes_nothing(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    receipt = q.submit(valid_fields(small_store), "s1", dp.Limits())
    seen = small_store.current_id()
    small_store.publish(small_store.tables(), base_version=seen, who="other", note="touch")
    with pytest.raises(StaleVersionError):
        q.approve(receipt, small_store, who="ana", base_version="0" * 16)
    assert q.get(receipt)["status"] == "pending"


def test_approve_a_place_adds_a_lau_region_once(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    place = {"region_mode": "place", "place_name": "Sant Boi", "place_country": "ES", "place_lat": 41.34,
             "place_lon": 2.03, "place_parent": "ES51"}
    r1 = q.submit(valid_fields(small_store, **place), "s1", dp.Limits())
    r2 = q.submit(valid_fields(small_store, **place, title="Another practice in Sant Boi"), "s2", dp.Limits())
    q.approve(r1, small_store, who="ana", base_version=small_store.current_id())
    q.approve(r2, small_store, who="ana", base_version=small_store.current_id())
    t = small_store.tables()
    reg = t["regions"][t["regions"]["region_id"] == "ES-LAU-SANT-BOI"]
    assert len(reg) == 1 and reg.iloc[0]["level"] == "LAU" and reg.iloc[0]["parent_id"] == "ES51"
    assert set(t["practices"].loc[t["practices"]["region_id"] == "ES-LAU-SANT-BOI", "practice_id"]) == {r1, r2}


def test_approval_interrupted_after_publish_is_not_published_twice(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    receipt = q.submit(valid_fields(small_store), "s1", dp.Limits())
    fields = q.get(receipt)["fields"]
    tables = dp.with_proposal(small_store.tables(), fields, receipt)
    published = small_store.publish(tables, base_version=small_store.current_id(), who="ana")
    n = len(small_store.history())
    assert q.approve(receipt, small_store, who="ana", base_version=published) == published
    assert len(small_store.history()) == n and q.get(receipt)["status"] == "approved"


def test_reject_needs_a_reason_and_publishes_nothing(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    receipt = q.submit(valid_fields(small_store), "s1", dp.Limits())
    before = small_store.current_id()
    with pytest.raises(ValueError):
        q.reject(receipt, "ana", "   ")
    rec = q.reject(receipt, "ana", "Out of scope.")
    assert rec["status"] == "rejected" and rec["reason"] == "Out of scope." and rec["decided_by"] == "ana"
    assert small_store.current_id() == before and q.pending() == []
    assert [r["id"] for r in q.decided()] == [receipt]


def test_edit_records_who_and_what(tmp_path, small_store):
    q = dp.Queue(tmp_path / "q")
    receipt = q.submit(valid_fields(small_store), "s1", dp.Limits())
    q.edit(receipt, valid_fields(small_store, title="A better title for it"), "ana")
    rec = q.get(receipt)
    assert rec["fields"]["title"] == "A better title for it"
    assert rec["events"][-1] == {**rec["events"][-1], "who": "ana", "action": "edited", "fields": ["title"]}


def test_no_streamlit_in_the_data_layer():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(dp.__file__).read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any("streamlit" in (m or "") for m in names | mods)


# ------------------------------------------------------------------ both store backends

@pytest.mark.parametrize("backend", ["local", "lake"])
def test_approve_into_either_backend(backend, request, settings, tmp_path):
    from conftest import CSV
    from data.imports import Upload, plan_import, publish_plan
    from data.schema import TABLE_ORDER
    from lakefix import make_store

    store, env = make_store(backend, request, settings)
    plan = plan_import(store, [Upload(f"{t}.csv", CSV[t].encode(), t) for t in TABLE_ORDER], settings)
    publish_plan(store, plan, who="fixture")
    q = dp.Queue(tmp_path / "q")
    fields, errors = dp.validate(VALID, store.tables()["regions"])
    assert errors == {}
    receipt = q.submit(fields, "s1", dp.Limits())
    version = q.approve(receipt, store, who="ana", base_version=store.current_id())
    assert store.current_id() == version and store.history()[0]["who"] == "ana"
    assert receipt in set(store.tables()["practices"]["practice_id"])
