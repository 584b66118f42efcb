"""Staff accounts: hashing, constant-time checks, lock-out, tokens, the hash CLI — and that a
password is never logged, echoed or kept."""

from __future__ import annotations

import re

import bcrypt
import pytest

from test_staff_apptest import STAFF, all_text, app_store, new_app, sign_in  # noqa: F401
from ui import auth

H4 = bcrypt.hashpw(b"right password", bcrypt.gensalt(rounds=4)).decode()


def test_parse_users():
    assert auth.parse_users(f" ana:{H4} , ben:{H4},bad, :x,carl:") == {"ana": H4, "ben": H4}
    assert auth.parse_users(None) == {}


def test_check_password():
    users = {"ana": H4}
    assert auth.check_password(users, "ana", "right password")
    assert not auth.check_password(users, "ana", "wrong password")
    assert not auth.check_password(users, "nobody", "right password")
    assert not auth.check_password(users, "ana", "right password" + "x" * 100)
    assert not auth.check_password({"ana": "not-a-hash"}, "ana", "right password")


def test_unknown_names_cost_a_hash_check_too(monkeypatch):
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(auth.bcrypt, "checkpw", lambda p, h: calls.append(h) or real(p, h))
    auth.check_password({"ana": H4}, "nobody", "x")
    assert len(calls) == 1 and calls[0].startswith(b"$2b$04$")  # a dummy at the same cost


def test_hash_password_roundtrip_and_limit():
    h = auth.hash_password("a long enough password", rounds=4)
    assert auth.check_password({"u": h}, "u", "a long enough password")
    with pytest.raises(ValueError):
        auth.hash_password("x" * 73, rounds=4)


def test_backoff_doubles_and_is_capped():
    from data.limits import backoff

    assert backoff([0, 1], after=3, base=30, cap=3600, now=2) == 0
    assert backoff([0, 1, 2], after=3, base=30, cap=3600, now=2) == 30  # the 3rd locks for 30 s
    assert backoff([0, 1, 2, 40], after=3, base=30, cap=3600, now=40) == 60  # then 60 s, 120 s…
    assert backoff(list(range(30)), after=3, base=30, cap=3600, now=29) == 3600


def test_throttle_per_client_and_per_name(tmp_path):
    """Problem 4: one client's failures pause that client, not the name for everyone else;
    many clients' failures on one name pause the name; a success clears both."""
    from data.limits import SQLiteCounters

    c = SQLiteCounters(tmp_path / "limits.sqlite")
    th = auth.Throttle(client_free=3, name_free=6, base=30, cap=3600, window=86400)
    def failure(name, client, now):
        assert th.attempt(c, name, client, now=now) == 0  # allowed, and counted until a success
        return th.wait(c, name, client, now=now)

    for i in range(2):
        assert failure("ana", "203.0.113.1", now=i) == 0
    assert failure("Ana ", "203.0.113.1", now=2) == 30  # names fold case and spaces
    assert th.attempt(c, "ana", "203.0.113.1", now=3) == 29  # refused: not counted
    assert th.wait(c, "ana", "203.0.113.1", now=3) == 29
    assert th.wait(c, "ben", "203.0.113.1", now=3) == 29  # the client is paused, whatever the name
    assert th.wait(c, "ana", "198.51.100.7", now=3) == 0  # the real Ana, elsewhere, is not
    assert failure("ana", "203.0.113.1", now=40) == 60  # back-off doubles
    # two more clients fail on the same name: the name's 6th failure pauses it for everyone
    failure("ana", "192.0.2.1", now=50)
    assert th.wait(c, "ana", "198.51.100.7", now=52) == 0
    failure("ana", "192.0.2.3", now=53)
    assert th.wait(c, "ana", "198.51.100.7", now=54) == 29
    th.success(c, "ana", "198.51.100.7")
    assert th.wait(c, "ana", "198.51.100.7", now=55) == 0
    # a second process (another SQLiteCounters on the same file) sees the same counts
    other = SQLiteCounters(tmp_path / "limits.sqlite")
    assert th.wait(other, "x", "203.0.113.1", now=41) == pytest.approx(59)


def test_token_registry(monkeypatch):
    reg = auth.TokenRegistry()
    token = reg.issue("ana", "password", 60)
    assert len(token) >= 40 and reg.lookup(token).name == "ana"
    assert reg.lookup("forged") is None and reg.lookup(True) is None and reg.lookup(None) is None
    reg.revoke(token)
    assert reg.lookup(token) is None
    short = reg.issue("ana", "password", 0.0)
    assert reg.lookup(short) is None  # expired


def test_cli_hash(monkeypatch, capsys):
    answers = iter(["a long enough password", "a long enough password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert auth.main(["hash", "--rounds", "4"]) == 0
    out = capsys.readouterr().out.strip()
    assert bcrypt.checkpw(b"a long enough password", out.encode())
    assert "a long enough password" not in out


def test_cli_hash_refuses_mismatch_and_short(monkeypatch, capsys):
    answers = iter(["a long enough password", "another password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert auth.main(["hash"]) == 2
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "short")
    assert auth.main(["hash"]) == 2


# ------------------------------------------------------------------ in the app

def test_wrong_passwords_lock_out_and_are_never_logged_or_echoed(app_store, monkeypatch, tmp_path):
    """Problems 4 and 5: failures pause sign-in; the audit log has time, client, user and
    action for every attempt, and never a password — not even one typed as the name."""
    monkeypatch.setenv("MIPEXR_STAFF_MAX_FAILURES", "3")
    audit_file = tmp_path / "audit.log"
    monkeypatch.setenv("MIPEXR_AUDIT_LOG", str(audit_file))
    secret_attempts = ["Guess-One-7f3a", "Guess-Two-91bc", "Guess-Three-c04d"]
    at = new_app().run()
    for i, attempt in enumerate(secret_attempts):
        sign_in(at, STAFF[0], attempt)
        assert not at.exception
        errors = [e.value for e in at.sidebar.error]
        if i < 2:
            assert errors == ["Wrong name or password."]
        else:
            assert "Too many failed attempts" in errors[0] and "30 seconds" in errors[0]
        # the password field is empty again and the password is nowhere on the page
        pw = [w for w in at.sidebar.text_input if w.label == "Password"][0]
        assert pw.value == ""
        text = all_text(at)
        assert attempt not in text
        assert attempt not in repr(dict(at.session_state.items()))
    # paused: even the right password is refused now, and a reload (a new session) does not help
    sign_in(at, STAFF[0], STAFF[1])
    assert "Too many failed attempts" in at.sidebar.error[0].value
    assert not at.get("file_uploader") and "_staff_token" not in at.session_state
    again = new_app().run()
    sign_in(again, STAFF[0], STAFF[1])
    assert "Too many failed attempts" in again.sidebar.error[0].value
    # a password typed into the name field is logged as "unknown name"
    sign_in(again, "Hunter2-typed-as-name", "x")
    lines = audit_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ audit action=sign-in outcome=\S+ user=\S+ .*client=local", ln)
               for ln in lines), lines
    assert [ln.split("outcome=")[1].split()[0] for ln in lines] == \
        ["failure", "failure", "failure", "refused-locked", "refused-locked", "refused-locked"]
    assert f"user={STAFF[0]}" in lines[0] and 'user="unknown name"' in lines[-1]
    log_text = audit_file.read_text(encoding="utf-8")
    for attempt in [*secret_attempts, STAFF[1], "Hunter2-typed-as-name"]:
        assert attempt not in log_text


def test_lockout_covers_unknown_names_the_same_way(app_store, monkeypatch):
    monkeypatch.setenv("MIPEXR_STAFF_MAX_FAILURES", "2")
    at = new_app().run()
    sign_in(at, "nobody", "x1")
    assert [e.value for e in at.sidebar.error] == ["Wrong name or password."]
    sign_in(at, "nobody", "x2")
    assert "Too many failed attempts" in at.sidebar.error[0].value  # same answer as for a real name


def test_successful_sign_in_and_sign_out_are_audited(app_store, monkeypatch, tmp_path):
    audit_file = tmp_path / "audit.log"
    monkeypatch.setenv("MIPEXR_AUDIT_LOG", str(audit_file))
    at = new_app().run()
    sign_in(at)
    [b for b in at.sidebar.button if b.label == "Sign out"][0].click().run()
    lines = audit_file.read_text(encoding="utf-8").splitlines()
    assert "action=sign-in outcome=success" in lines[0] and f"user={STAFF[0]}" in lines[0]
    assert "action=sign-out outcome=ok" in lines[1] and "client=local" in lines[1]
    assert STAFF[1] not in audit_file.read_text(encoding="utf-8")


def test_right_password_signs_in_with_a_token_not_a_flag(app_store):
    at = new_app().run()
    sign_in(at)
    assert not at.exception
    token = at.session_state["_staff_token"]
    assert isinstance(token, str) and len(token) >= 40
    assert STAFF[1] not in all_text(at)
    assert at.get("file_uploader")
    # a second session cannot use a made-up token
    other = new_app()
    other.session_state["_staff_token"] = token[:-2] + "xx"
    other.run()
    assert not other.get("file_uploader")
