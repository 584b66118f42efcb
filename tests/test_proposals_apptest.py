"""AppTest: "Propose a practice" end to end.

A visitor sends a valid proposal and gets a receipt; invalid ones get messages on their
fields; a visitor never reaches the queue; staff approve one (it is on the practices page and
its map in the new version, with who approved it in the history) and reject one (it never
appears); the queue survives a restart and a new data version; the N+1th submission in the
window is refused and the queue does not grow.
"""

from __future__ import annotations

import json

import pytest

from data import proposals as dp
from data.imports import Upload, plan_import, publish_plan
from data.config import settings as read_settings
from test_staff_apptest import (STAFF, all_text, app_store, fresh_caches, new_app, sign_in,  # noqa: F401
                                staff_controls, staff_page)

GOOD = {
    "title": "Mentoring newcomers into nursing jobs",
    "start_year": 2020,
    "areas": ["health", "labour market"],
    "target_groups": ["TCN", "BIP"],
    "authority_role": "direct",
    "stakeholders": ["NGOs", "Hospital Clínic"],
    "funding": ["AMIF"],
    "summary": "Nurses trained abroad are paired with a mentor in a regional hospital for a year while "
               "their diploma is recognised.",
    "lessons_learnt": "Mentors needed paid time; volunteers dropped out after three months.",
    "transferability_tips": "Start with one hospital whose HR department already recruits abroad.",
    "url": "https://example.org/mentoring",
    "email": "proposer@example.org",
}
CRITERION = "A joint steering group of the region, two municipalities and the hospital."


def queue_of(store) -> dp.Queue:
    return dp.Queue(store.root / "proposals")


def propose_page(at=None):
    at = at or new_app().run()
    at.switch_page("pages/propose.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def prefix(at) -> str:
    return next(w.key for w in at.radio if w.key and w.key.endswith("_region_mode")).rsplit("_region_mode", 1)[0]


def fill(at, values: dict, region="ES51", criteria=None):
    p = prefix(at)
    at.text_input(key=f"{p}_title").input(values.get("title", ""))
    if region is not None:
        at.selectbox(key=f"{p}_region_id").set_value(region)
    if values.get("start_year") is not None:
        at.number_input(key=f"{p}_start_year").set_value(values["start_year"])
    if values.get("end_year") is not None:
        at.number_input(key=f"{p}_end_year").set_value(values["end_year"])
    at.multiselect(key=f"{p}_areas").set_value(values.get("areas", []))
    at.multiselect(key=f"{p}_target_groups").set_value(values.get("target_groups", []))
    if values.get("authority_role"):
        at.radio(key=f"{p}_authority_role").set_value(values["authority_role"])
    at.multiselect(key=f"{p}_stakeholders").set_value(values.get("stakeholders", []))
    at.multiselect(key=f"{p}_funding").set_value(values.get("funding", []))
    for i, sentence in (criteria if criteria is not None else {3: CRITERION}).items():
        at.text_area(key=f"{p}_crit_{i}").input(sentence)
    for name in ("summary", "lessons_learnt", "transferability_tips"):
        at.text_area(key=f"{p}_{name}").input(values.get(name, ""))
    at.text_input(key=f"{p}_url").input(values.get("url", ""))
    at.text_input(key=f"{p}_email").input(values.get("email", ""))
    return at


def press(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def send(at):
    return press(at, "Send the proposal")


def receipt_of(at) -> str | None:
    import re

    for s in at.success:
        m = re.search(r"LAB-\d{8}-[A-Z2-7]{8}", s.value)
        if m:
            return m.group(0)
    return None


def submit_good(title=GOOD["title"], region="ES51") -> str:
    at = fill(propose_page(), {**GOOD, "title": title}, region=region)
    send(at)
    receipt = receipt_of(at)
    assert receipt, [e.value for e in at.error]
    return receipt


# ------------------------------------------------------------------ visitors

def test_a_visitor_sends_a_valid_proposal_and_gets_a_receipt(app_store):
    at = fill(propose_page(), GOOD)
    send(at)
    receipt = receipt_of(at)
    assert receipt and dp.RECEIPT.match(receipt)
    rec = queue_of(app_store).get(receipt)
    assert rec["status"] == "pending" and rec["email"] == GOOD["email"]
    assert rec["fields"]["title"] == GOOD["title"]
    assert rec["fields"]["criteria"] == {"multi-level governance": CRITERION}
    assert "email" not in rec["fields"]
    # the form is empty again, the receipt stays above it
    assert at.text_input(key=f"{prefix(at)}_title").value == ""
    assert at.get("file_uploader") == []  # visitors never upload files
    # nothing was published
    assert app_store.history()[0]["who"] == "fixture"


def test_preview_renders_the_card_and_the_map_and_sends_nothing(app_store):
    at = fill(propose_page(), {**GOOD, "title": "<script>alert(1)</script> **x**"})
    press(at, "Preview")
    assert queue_of(app_store).count_pending() == 0
    assert at.get("deck_gl_json_chart")
    # the card's title, escaped: Markdown shows it literally
    assert r"\<script\>alert\(1\)\<\/script\> \*\*x\*\*" in [s.value for s in at.subheader]
    assert any("Nurses trained abroad" in m.value for m in at.markdown)


@pytest.mark.parametrize("change, field, message", [
    ({"title": ""}, "title", "This field is required."),
    ({"title": "abc"}, "title", "Write at least 5 characters (this has 3)."),
    ({"summary": "Too short."}, "summary", "Write at least 50 characters"),
    ({"email": "not-an-address"}, "email", "does not look like an e-mail address"),
    ({"email": ""}, "email", "This field is required."),
    ({"url": "javascript:alert(1)"}, "url", "A full web address starting with https://"),
    ({"start_year": 2020, "end_year": 2019}, "end_year", "The last year is before the first year."),
    ({"areas": []}, "areas", "Choose at least one."),
    ({"authority_role": None}, "authority_role", "directly or indirectly"),
    ({"target_groups": []}, "target_groups", "Choose at least one."),
    ({"transferability_tips": "Copy it."}, "transferability_tips", "Write at least 20 characters (this has 8)."),
])
def test_invalid_proposals_get_a_message_on_their_field(app_store, change, field, message):
    at = fill(propose_page(), {**GOOD, **change})
    send(at)
    assert receipt_of(at) is None
    errors = [e.value for e in at.error]
    assert any(message in e for e in errors), errors
    assert any("Please correct the fields marked above (1)" in e for e in errors), errors
    assert queue_of(app_store).count_pending() == 0
    # the visitor's text is kept for correcting
    if change.get("title") is None:
        assert at.text_input(key=f"{prefix(at)}_title").value == GOOD["title"]


def test_missing_region_and_criteria_are_reported(app_store):
    at = fill(propose_page(), GOOD, region=None, criteria={})
    send(at)
    errors = " | ".join(e.value for e in at.error)
    assert "Choose the region" in errors and "at least one of the criteria" in errors
    assert queue_of(app_store).count_pending() == 0


def test_a_place_not_in_the_list(app_store):
    at = propose_page()
    p = prefix(at)
    at.radio(key=f"{p}_region_mode").set_value("place").run()
    fill(at, GOOD, region=None)
    at.text_input(key=f"{p}_place_name").input("Sant Boi de Llobregat")
    at.selectbox(key=f"{p}_place_country").set_value("ES")
    at.number_input(key=f"{p}_place_lat").set_value(41.343)
    at.number_input(key=f"{p}_place_lon").set_value(2.036)
    at.selectbox(key=f"{p}_place_parent").set_value("ES51")
    send(at)
    receipt = receipt_of(at)
    assert receipt, [e.value for e in at.error]
    f = queue_of(app_store).get(receipt)["fields"]
    assert f["region_id"] == "ES-LAU-SANT-BOI-DE-LLOBREGAT"
    assert f["place"] == {"name": "Sant Boi de Llobregat", "country": "ES", "parent_id": "ES51",
                          "lat": 41.343, "lon": 2.036}


def test_a_visitor_never_reaches_the_queue(app_store):
    submit_good()
    at = new_app()
    at.session_state["staff_section"] = "proposals"
    at.session_state["_staff_token"] = "forged"
    at.run()
    staff_page(at)
    assert not at.exception
    assert staff_controls(at) == []
    text = all_text(at)
    assert GOOD["title"] not in text and GOOD["email"] not in text
    assert not at.dataframe


# ------------------------------------------------------------------ staff

def staff_queue(at=None):
    at = at or new_app().run()
    sign_in(at)
    staff_page(at)
    at.radio(key="staff_section").set_value("proposals").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def practices_page(params: dict):
    at = new_app()
    at.query_params.update(params)
    at.run()
    at.switch_page("pages/practices.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_staff_approve_one_and_reject_another(app_store):
    keep = submit_good()
    drop = submit_good(title="Language café in the library", region="ITF3")
    before = app_store.current_id()
    at = staff_queue()
    assert len(at.dataframe[0].value) == 2
    assert GOOD["email"] in all_text(at)  # staff see the contact
    # reject the second: a reason is needed
    at.selectbox(key="mod_pick").set_value(drop).run()
    press(at, "Reject")
    assert any("Give a reason" in e.value for e in at.error)
    at.text_input(key=f"mod_{drop}_reason").input("Not a regional practice.")
    press(at, "Reject")
    assert queue_of(app_store).get(drop)["status"] == "rejected"
    assert queue_of(app_store).get(drop)["reason"] == "Not a regional practice."
    assert app_store.current_id() == before
    # approve the first
    at.selectbox(key="mod_pick").set_value(keep).run()
    assert at.get("deck_gl_json_chart")  # the map preview
    press(at, "Approve and publish")
    assert any(f"Proposal {keep} approved" in s.value for s in at.success), [e.value for e in at.error]
    rec = queue_of(app_store).get(keep)
    assert rec["status"] == "approved" and rec["decided_by"] == STAFF[0]
    event = app_store.history()[0]
    assert event["who"] == STAFF[0] and keep in event["note"] and event["action"] == "proposal"
    assert event["version"] == app_store.current_id() != before
    assert GOOD["email"] not in json.dumps(app_store.history())
    practices = app_store.tables()["practices"]
    row = practices[practices["practice_id"] == keep].iloc[0]
    assert row["title"] == GOOD["title"] and row["areas"] == "health;labour market"
    assert "multi-level governance: " + CRITERION in row["summary"]
    assert GOOD["email"] not in practices.to_csv()
    assert not practices["title"].eq("Language café in the library").any()
    assert "No proposal is waiting for review." in [i.value for i in at.info]

    # on the practices page: in the list, on the map, and its card
    fresh_caches()
    page = practices_page({"practice": keep})
    assert keep in page.dataframe[0].value["practice_id"].tolist()
    deck = json.loads(page.get("deck_gl_json_chart")[0].proto.json)
    points = next(layer for layer in deck["layers"] if layer["id"] == "practices")["data"]
    assert keep in [d.get("practice_id") for d in points]
    assert GOOD["title"] in all_text(page)
    assert "Language café" not in all_text(page)


def test_staff_edit_then_approve_a_place(app_store):
    at = propose_page()
    p = prefix(at)
    at.radio(key=f"{p}_region_mode").set_value("place").run()
    fill(at, GOOD, region=None)
    at.text_input(key=f"{p}_place_name").input("Torre Annunziata")
    at.selectbox(key=f"{p}_place_country").set_value("IT")
    at.number_input(key=f"{p}_place_lat").set_value(40.75)
    at.number_input(key=f"{p}_place_lon").set_value(14.45)
    send(at)
    receipt = receipt_of(at)
    at = staff_queue()
    assert any("adds the region IT-LAU-TORRE-ANNUNZIATA" in i.value for i in at.info)
    prefix_ = next(w.key for w in at.text_input if w.key and w.key.startswith(f"mod_{receipt}_")
                   and w.key.endswith("_title")).rsplit("_title", 1)[0]
    at.text_input(key=f"{prefix_}_title").input("Mentoring nurses in Torre Annunziata")
    press(at, "Save changes")
    assert any("saved" in s.value for s in at.success), [e.value for e in at.error]
    assert queue_of(app_store).get(receipt)["fields"]["title"] == "Mentoring nurses in Torre Annunziata"
    press(at, "Approve and publish")
    tables = app_store.tables()
    region = tables["regions"].set_index("region_id").loc["IT-LAU-TORRE-ANNUNZIATA"]
    assert region["level"] == "LAU" and region["name"] == "Torre Annunziata"
    row = tables["practices"].set_index("practice_id").loc[receipt]
    assert row["title"] == "Mentoring nurses in Torre Annunziata" and row["lat"] == 40.75
    # every page still runs with the new LAU region
    fresh_caches()
    for page in ("overview", "region", "compare", "gaps", "practices", "methodology"):
        at = new_app().run()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])


def test_duplicates_are_flagged(app_store):
    submit_good(title="One stop shop!", region="ES51")  # the fixture has "One-stop shop" in ES51
    at = staff_queue()
    assert any("Possible duplicate" in w.value and "P1" in w.value for w in at.warning)
    assert "P1" in at.dataframe[0].value["possible duplicate"].iloc[0]


def test_stale_approval_is_refused_and_the_proposal_stays(app_store):
    receipt = submit_good()
    at = staff_queue()
    # someone publishes meanwhile
    cfg = read_settings()
    from conftest import CSV
    changed = CSV["outcomes"].replace("70.1", "71.0").encode()
    plan = plan_import(app_store, [Upload("outcomes.csv", changed, "outcomes")], cfg)
    publish_plan(app_store, plan, who="someone else")
    press(at, "Approve and publish")
    assert any("The data changed" in e.value for e in at.error)
    assert queue_of(app_store).get(receipt)["status"] == "pending"
    at.run()
    press(at, "Approve and publish")
    assert queue_of(app_store).get(receipt)["status"] == "approved"


def test_the_queue_survives_a_restart_and_a_new_version(app_store):
    receipt = submit_good()
    # a new data version meanwhile
    cfg = read_settings()
    from conftest import CSV
    changed = CSV["outcomes"].replace("70.1", "72.0").encode()
    publish_plan(app_store, plan_import(app_store, [Upload("outcomes.csv", changed, "outcomes")], cfg),
                 who="someone")
    fresh_caches()  # a restart: nothing cached in the process survives
    at = staff_queue()
    assert at.dataframe[0].value["receipt"].tolist() == [receipt]
    assert GOOD["title"] in all_text(at)


def test_rate_limit_refuses_the_next_one_and_the_queue_does_not_grow(app_store, monkeypatch):
    monkeypatch.setenv("MIPEXR_PROPOSALS_PER_CLIENT", "2")
    at = propose_page()
    for i in range(2):
        fill(at, {**GOOD, "title": f"Practice number {i} of this session"})
        send(at)
        assert receipt_of(at)
    assert queue_of(app_store).count_pending() == 2
    fill(at, {**GOOD, "title": "The third practice of this session"})
    send(at)
    assert any("most proposals allowed" in e.value and "Nothing was sent" in e.value for e in at.error)
    assert queue_of(app_store).count_pending() == 2
    # another visitor is still welcome (AppTest has no connection: every session is "local")
    monkeypatch.setattr("ui.clients.current", lambda: "203.0.113.77")
    submit_good(title="Another visitor's practice")
    assert queue_of(app_store).count_pending() == 3


def test_global_limit_and_full_queue(app_store, monkeypatch):
    monkeypatch.setenv("MIPEXR_PROPOSALS_PER_HOUR", "1")
    submit_good()
    at = fill(propose_page(), GOOD)
    send(at)
    assert any("many proposals right now" in e.value for e in at.error)
    monkeypatch.setenv("MIPEXR_PROPOSALS_PER_HOUR", "50")
    monkeypatch.setenv("MIPEXR_PROPOSALS_MAX_QUEUE", "1")
    at = fill(propose_page(), GOOD)
    send(at)
    assert any("queue of proposals waiting for review is full" in e.value for e in at.error)
    assert queue_of(app_store).count_pending() == 1


def test_the_practices_page_links_to_the_form(app_store):
    at = practices_page({})
    links = [el for el in at.get("page_link")]
    assert any("Propose a practice" in str(el.proto) for el in links)
