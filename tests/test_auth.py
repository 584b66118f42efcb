"""Staff accounts: hashing, constant-time checks, lock-out, tokens, the hash CLI — and that a
password is never logged, echoed or kept."""

from __future__ import annotations

import logging

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


def test_lockout_tracker():
    tr = auth.LockoutTracker(max_failures=3, window=60, lock_for=300)
    assert not tr.failure("Ana", now=0) and not tr.failure("ana ", now=1)
    assert tr.failure("ANA", now=2)  # the third within the window locks (names fold case)
    assert tr.locked_for("ana", now=3) == pytest.approx(299)
    assert tr.locked_for("ana", now=400) == 0
    assert tr.locked_for("ben", now=3) == 0


def test_lockout_window_and_success_reset():
    tr = auth.LockoutTracker(max_failures=3, window=60, lock_for=300)
    tr.failure("a", now=0)
    tr.failure("a", now=10)
    assert not tr.failure("a", now=100)  # the first two fell out of the window
    tr.success("a")
    assert not tr.failure("a", now=101) and not tr.failure("a", now=102)


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

def test_wrong_passwords_lock_out_and_are_never_logged_or_echoed(app_store, monkeypatch, caplog):
    monkeypatch.setenv("MIPEXR_STAFF_MAX_FAILURES", "3")
    secret_attempts = ["Guess-One-7f3a", "Guess-Two-91bc", "Guess-Three-c04d"]
    caplog.set_level(logging.DEBUG)
    at = new_app().run()
    for i, attempt in enumerate(secret_attempts):
        sign_in(at, STAFF[0], attempt)
        assert not at.exception
        errors = [e.value for e in at.sidebar.error]
        if i < 2:
            assert errors == ["Wrong name or password."]
        else:
            assert "locked" in errors[0]
        # the password field is empty again and the password is nowhere on the page
        pw = [w for w in at.sidebar.text_input if w.label == "Password"][0]
        assert pw.value == ""
        text = all_text(at)
        assert attempt not in text
        assert attempt not in repr(dict(at.session_state.items()))
    # locked: even the right password is refused now
    sign_in(at, STAFF[0], STAFF[1])
    assert "locked" in at.sidebar.error[0].value
    assert not at.get("file_uploader") and "_staff_token" not in at.session_state
    # another name is not locked by someone else's failures
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "Failed staff sign-in" in logs and "locked out" in logs
    for attempt in [*secret_attempts, STAFF[1]]:
        assert attempt not in logs
        assert attempt not in caplog.text


def test_lockout_covers_unknown_names_the_same_way(app_store, monkeypatch):
    monkeypatch.setenv("MIPEXR_STAFF_MAX_FAILURES", "2")
    at = new_app().run()
    sign_in(at, "nobody", "x1")
    assert [e.value for e in at.sidebar.error] == ["Wrong name or password."]
    sign_in(at, "nobody", "x2")
    assert "locked" in at.sidebar.error[0].value  # same answer as for a real name


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
