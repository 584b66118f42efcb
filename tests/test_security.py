"""Issue 16, problems 1–6, in AppTest and in plain Python (the real-browser payload test is
tests/browser/test_payloads_browser.py; the URL fuzz test is tests/test_url_fuzz.py).

1–2  untrusted text is escaped where it is shown (approval notes, publish notes, notices)
3    proposal limits hold across new sessions from one client; another client still gets through;
     the proof-of-human step; bulk reject
4    (tests/test_auth.py: throttle per client and per name)
5    audit lines: time, client, user, action for publish, rollback and moderation; no secret
6    the error boundary: a plain message with an id, the traceback only in the log; a binary
     uploaded as CSV never shows a traceback; the deploy recipe closes /_stcore/metrics
"""

from __future__ import annotations

import logging
import re
import threading

import pytest

from data import audit, limits
from data import proposals as dp
from test_proposals_apptest import (GOOD, fill, prefix, propose_page, queue_of, receipt_of, send,  # noqa: F401
                                    staff_queue, submit_good)
from test_staff_apptest import STAFF, all_text, app_store, new_app, sign_in, staff_page  # noqa: F401
from tests.conftest import ROOT
from ui import clients

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ audit action=(\S+) outcome=(\S+) user=(\S+|\"[^\"]*\") "
                  r"client=(\S+)")


@pytest.fixture
def audit_file(tmp_path, monkeypatch):
    path = tmp_path / "audit.log"
    monkeypatch.setenv("MIPEXR_AUDIT_LOG", str(path))
    return path


def audit_lines(path) -> list[tuple[str, str, str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    out = []
    for ln in lines:
        m = LINE.match(ln)
        assert m, ln  # every line has time, action, outcome, user and client
        out.append(m.groups())
    return out


# ------------------------------------------------------------------ 1–2: escaping

def test_approval_note_on_the_overview_is_text(app_store):
    """Problem 1: an approved proposal's title reaches the Overview's "What this data is"."""
    payload = "[Verify your account](http://attacker.invalid/phish) ![t](http://attacker.invalid/track.png)"
    tables = app_store.tables()
    tables["practices"].loc[0, "title"] = payload  # the approved proposal: a new version
    app_store.publish(tables, base_version=app_store.current_id(), who="ana",
                      note=f"Proposal LAB-1 approved: {payload}")
    at = new_app().run()
    shown = [m.value for m in at.markdown if "Verify your account" in m.value]
    assert shown and all("](http" not in s and "![" not in s for s in shown), shown
    assert all("\\[Verify your account\\]" in s for s in shown)


def test_reflected_notice_is_text(app_store):
    """Problem 2: ?edition=… puts the link's text in a notice; it stays text."""
    at = new_app()
    at.query_params["edition"] = "2024 [Your session expired - sign in again](http://attacker.invalid)"
    at.run()
    notices = [i.value for i in at.info if "session expired" in i.value]
    assert notices and "\\[Your session expired" in notices[0] and "](http" not in notices[0]


# ------------------------------------------------------------------ 3: limits that hold

class Connection:
    """What the session's connection says (the peer address and X-Forwarded-For headers)."""

    def __init__(self, monkeypatch):
        self.peer, self.forwarded = "10.0.0.2", []
        monkeypatch.setattr(clients, "connection", lambda: (self.peer, list(self.forwarded)))


def test_reload_spam_hits_the_client_limit_and_another_client_gets_through(app_store, monkeypatch, audit_file):
    """Problem 3: every proposal from a new session (a reload) of one client counts against
    that client; a second client behind the same proxy is still welcome."""
    monkeypatch.setenv("MIPEXR_PROPOSALS_PER_CLIENT", "2")
    monkeypatch.setenv("MIPEXR_TRUSTED_PROXIES", "10.0.0.2")
    conn = Connection(monkeypatch)
    conn.forwarded = ["203.0.113.10"]
    for i in range(2):
        submit_good(title=f"Practice number {i} from a fresh session")  # a new session each time
    at = fill(propose_page(), {**GOOD, "title": "The third one, after a reload"})
    send(at)
    assert receipt_of(at) is None
    assert any("most proposals allowed" in e.value and "Nothing was sent" in e.value for e in at.error)
    assert queue_of(app_store).count_pending() == 2
    # a forged X-Forwarded-For sent *through* the proxy does not help: nginx appends the real one
    conn.forwarded = ["198.51.100.99, 203.0.113.10"]
    at = fill(propose_page(), {**GOOD, "title": "Spoofed address in front"})
    send(at)
    assert receipt_of(at) is None
    # the proxy's own address is not trusted unless configured: a direct client is its address
    monkeypatch.setenv("MIPEXR_TRUSTED_PROXIES", "")
    conn.peer, conn.forwarded = "203.0.113.10", ["192.0.2.1"]
    at = fill(propose_page(), {**GOOD, "title": "Direct, with a made-up header"})
    send(at)
    assert receipt_of(at) is None
    # another visitor behind the proxy
    monkeypatch.setenv("MIPEXR_TRUSTED_PROXIES", "10.0.0.2")
    conn.peer, conn.forwarded = "10.0.0.2", ["198.51.100.7"]
    assert submit_good(title="A legitimate proposer's practice")
    assert queue_of(app_store).count_pending() == 3
    outcomes = [(a, o, c) for a, o, _u, c in audit_lines(audit_file) if a == "proposal-submit"]
    assert [o for _a, o, _c in outcomes] == ["ok", "ok", "refused-client", "refused-client", "refused-client", "ok"]
    assert outcomes[0][2] == "203.0.113.10" and outcomes[-1][2] == "198.51.100.7"


def test_client_address_rules():
    trusted = clients.trusted_networks("10.0.0.0/8, 2001:db8::1, not-an-address")
    assert clients.client_address("10.1.2.3", ["203.0.113.5"], trusted) == "203.0.113.5"
    assert clients.client_address("203.0.113.5", ["10.9.9.9"], trusted) == "203.0.113.5"  # header ignored
    assert clients.client_address("10.1.2.3", ["198.51.100.1, 203.0.113.5, 10.0.0.7"], trusted) == "203.0.113.5"
    assert clients.client_address("10.1.2.3", ["garbage, 10.0.0.9"], trusted) == "10.0.0.9"
    assert clients.client_address("2001:db8::1", ["[2001:db8::77]:443"], trusted) == "2001:db8::77"
    assert clients.client_address(None, ["203.0.113.5"], []) == clients.LOCAL
    assert clients.client_address("10.1.2.3", [], trusted) == "10.1.2.3"


def test_proposal_limit_is_shared_by_processes_and_counted_once(tmp_path, small_store):
    """The counters live in SQLite beside the store: two queue objects (two processes) and
    concurrent submissions see one count; the last place is taken once."""
    from tests.test_proposals import valid_fields

    f = valid_fields(small_store)
    rules = dp.Limits(per_client=5, per_window=5, window=3600, max_pending=100)
    results = []

    def one():
        q = dp.Queue(tmp_path / "q", limits.SQLiteCounters(limits.counters_path(tmp_path / "q")))
        try:
            results.append(q.submit(f, "203.0.113.1", rules))
        except dp.Refused as exc:
            results.append(exc.kind)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(r.startswith("LAB-") for r in results) == 5 and results.count("client") == 3
    assert dp.Queue(tmp_path / "q").count_pending() == 5
    assert limits.counters_path(tmp_path / "store") == tmp_path / "store-limits.sqlite"


def test_window_limit_rule():
    assert limits.window_limit([0, 10, 20], 3, 100, now=30) == 70
    assert limits.window_limit([0, 10, 20], 3, 100, now=101) == 0
    assert limits.window_limit([], 0, 100, now=0) == 100


def test_proof_of_human_minimum_time_and_trap(app_store, monkeypatch, audit_file):
    monkeypatch.setenv("MIPEXR_PROPOSALS_MIN_SECONDS", "3600")
    at = fill(propose_page(), GOOD)
    send(at)
    assert receipt_of(at) is None
    assert any("at least 3600 seconds" in e.value and "Nothing was sent" in e.value for e in at.error)
    assert queue_of(app_store).count_pending() == 0
    # a person who took the time gets through; a robot that fills every field does not
    monkeypatch.setenv("MIPEXR_PROPOSALS_MIN_SECONDS", "0")
    at = fill(propose_page(), GOOD)
    at.text_input(key=f"{prefix(at)}_website").input("http://spam.example")
    send(at)
    assert receipt_of(at) is None and queue_of(app_store).count_pending() == 0
    at = fill(propose_page(), GOOD)
    send(at)
    assert receipt_of(at)
    assert [o for a, o, _u, _c in audit_lines(audit_file)] == ["refused-fast", "refused-trap", "ok"]


def test_bulk_reject_everything_from_one_sender(app_store, monkeypatch, audit_file):
    conn = Connection(monkeypatch)
    conn.peer = "203.0.113.66"
    spam = [submit_good(title=f"Cheap watches number {i}") for i in range(3)]
    conn.peer = "198.51.100.5"
    good = submit_good(title="Language café in the library", region="ITF3")
    at = staff_queue()
    at.selectbox(key="mod_pick").set_value(spam[0]).run()
    next(b for b in at.button if b.key == "mod_bulk_same").click().run()
    assert at.multiselect(key="mod_bulk_pick").value == spam
    at.text_input(key="mod_bulk_reason").input("Spam.")
    next(b for b in at.button if b.key == "mod_bulk_reject").click().run()
    assert not at.exception
    q = queue_of(app_store)
    assert [q.get(r)["status"] for r in spam] == ["rejected"] * 3 and q.get(good)["status"] == "pending"
    assert any("3 proposals rejected" in s.value for s in at.success)
    rejects = [(o, u) for a, o, u, _c in audit_lines(audit_file) if a == "proposal-reject"]
    assert rejects == [("ok", STAFF[0])]
    assert all(r in audit_file.read_text() for r in spam)


# ------------------------------------------------------------------ 5: audit lines

def test_publish_rollback_and_approval_are_audited(app_store, audit_file):
    receipt = submit_good()
    at = staff_queue()
    at.selectbox(key="mod_pick").set_value(receipt).run()
    next(b for b in at.button if b.label == "Approve and publish").click().run()
    assert not at.exception
    approved = app_store.current_id()
    # roll back to the version before the approval, through the staff page
    from data.store import Store

    store = Store(app_store.root)
    before = [e["version"] for e in store.history() if e["version"] != approved][0]
    new = store.rollback(before, base_version=approved, who=STAFF[0])
    assert new
    lines = audit_lines(audit_file)
    actions = [(a, o, u) for a, o, u, _c in lines]
    assert ("proposal-approve", "ok", STAFF[0]) in actions
    assert ("sign-in", "success", STAFF[0]) in actions
    text = audit_file.read_text()
    assert STAFF[1] not in text and GOOD["email"] not in text


def test_cli_publish_and_rollback_are_audited(tmp_path, monkeypatch, audit_file, capsys):
    from data.__main__ import main

    monkeypatch.setenv("MIPEXR_STORE", str(tmp_path / "store"))
    from tests.conftest import CSV

    src = tmp_path / "regions.csv"
    src.write_text(CSV["regions"], encoding="utf-8")
    for table in ("regions", "indicators", "scores", "practices", "outcomes", "measures"):
        (tmp_path / f"{table}.csv").write_text(CSV[table], encoding="utf-8")
    code = main(["import", *[str(tmp_path / f"{t}.csv") for t in ("regions", "indicators", "scores", "practices",
                                                                   "outcomes", "measures")],
                 "--who", "ana", "--note", "first"])
    assert code == 0, capsys.readouterr()
    lines = audit_lines(audit_file)
    assert lines[-1][:3] == ("publish", "ok", "ana")
    assert 'client="command line"' in audit_file.read_text().splitlines()[-1]


def test_audit_line_never_carries_a_forged_line():
    text = audit.line("sign-in", user="x\n2026-01-01T00:00:00Z audit action=publish", client="1.2.3.4",
                      outcome="failure")
    assert "\n" not in text and 'user="x2026-01-01T00:00:00Z audit action=publish"' in text


# ------------------------------------------------------------------ 6: no traceback

def test_error_boundary_shows_an_id_and_logs_the_traceback(app_store, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise KeyError("/srv/secret/path/in/a/traceback")

    monkeypatch.setattr("ui.profile.overview_parts", broken)
    caplog.set_level(logging.ERROR, logger="mipexr.errors")
    at = new_app().run()
    assert not at.exception
    msg = [e.value for e in at.error if "could not be shown" in e.value]
    assert msg and "/srv/secret" not in all_text(at) and "Traceback" not in all_text(at)
    error_id = re.search(r"id ([0-9A-F]{8})", msg[0]).group(1)
    record = next(r for r in caplog.records if error_id in r.getMessage())
    assert record.exc_info and "KeyError" in record.getMessage()
    # the sidebar and the navigation still work: the visitor can go on
    assert at.sidebar.selectbox


def test_binary_uploaded_as_csv_never_shows_a_traceback(app_store):
    at = new_app().run()
    sign_in(at)
    at.sidebar.file_uploader[0].upload("scores.csv", bytes(range(256)) * 64 + b"\x00\x01ELF", "text/csv")
    at.run()
    staff_page(at)
    assert not at.exception, [e.value for e in at.exception]
    text = all_text(at)
    assert "Traceback" not in text and "_csv.Error" not in text and "File \"/" not in text


def test_deploy_recipe_closes_the_metrics_endpoint():
    nginx = (ROOT / "deploy" / "nginx.conf.template").read_text()
    block = re.search(r"location \^~ /_stcore/metrics \{\s*return 404;", nginx)
    assert block and nginx.index("/_stcore/metrics") < nginx.index("location / {")
    for cfg in (ROOT / ".streamlit" / "config.toml", ROOT / "deploy" / "streamlit-config.toml"):
        assert 'showErrorDetails = "none"' in cfg.read_text()


def test_a_failing_callback_shows_a_plain_message(app_store, monkeypatch):
    """Widget callbacks run before the page: they have their own boundary."""
    def broken(name, password):
        raise RuntimeError("/srv/secret/path")

    monkeypatch.setattr("ui.auth.sign_in", broken)
    at = sign_in(new_app().run())
    assert not at.exception
    assert any("could not be shown" in e.value for e in at.error)
    assert "/srv/secret" not in all_text(at)
    pw = [w for w in at.sidebar.text_input if w.label == "Password"][0]
    assert pw.value == ""  # the password was cleared before the failure
