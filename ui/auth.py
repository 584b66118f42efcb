"""Who is staff: password accounts (bcrypt) and OpenID Connect sign-in, with a lock-out.

Two ways to be staff, both configured outside the repository:

* **Staff accounts** — ``[staff] users = {name = "<bcrypt hash>"}`` in ``.streamlit/secrets.toml``
  and/or the environment variable ``MIPEXR_STAFF_USERS="name:<hash>,name2:<hash>"``. Make a
  hash with ``python -m ui.auth hash`` (it prompts; the password is never an argument).
* **OpenID Connect** — an ``[auth]`` section in ``secrets.toml`` (Streamlit's ``st.login``) and
  an allow-list ``[staff] emails = ["someone@example.org"]``.

With neither, staff features are off. Staff status is never a flag in ``st.session_state``:
a successful password sign-in issues a random token held in a server-side registry, and the
session keeps only the token, so no crafted session key or URL parameter makes anyone staff.
Repeated failures lock a name out for a while (the tracker is shared by every session of the
process). Passwords are never logged, echoed or kept: the form clears them on submit.

Optional settings (``[staff]`` in secrets, or the environment): ``max_failures`` /
``MIPEXR_STAFF_MAX_FAILURES`` (5), ``failure_window_minutes`` (15), ``lockout_minutes`` /
``MIPEXR_STAFF_LOCKOUT_MINUTES`` (15), ``session_hours`` (8).
"""

from __future__ import annotations

import logging
import os
import secrets as pysecrets
import sys
import threading
import time
from dataclasses import dataclass, field

import bcrypt
import streamlit as st

log = logging.getLogger("mipexr.auth")

TOKEN_KEY = "_staff_token"
ENV_USERS = "MIPEXR_STAFF_USERS"
MAX_PASSWORD_BYTES = 72  # bcrypt's limit


# ------------------------------------------------------------------ pure parts

def parse_users(text: str | None) -> dict[str, str]:
    """``"ana:$2b$...,ben:$2b$..."`` → ``{"ana": "$2b$...", "ben": "$2b$..."}``.

    bcrypt hashes contain neither ``:`` nor ``,``; items without a name or a hash are skipped.
    """
    users = {}
    for item in (text or "").split(","):
        name, sep, hashed = item.strip().partition(":")
        if sep and name.strip() and hashed.strip():
            users[name.strip()] = hashed.strip()
    return users


def hash_password(password: str, rounds: int = 12) -> str:
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ValueError(f"A password can be at most {MAX_PASSWORD_BYTES} bytes long.")
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds=rounds)).decode("ascii")


_dummy_hashes: dict[int, bytes] = {}


def _dummy_hash(rounds: int) -> bytes:
    """A hash of a random password at the same cost, so unknown names take as long."""
    if rounds not in _dummy_hashes:
        _dummy_hashes[rounds] = bcrypt.hashpw(pysecrets.token_bytes(16).hex().encode(),
                                              bcrypt.gensalt(rounds=rounds))
    return _dummy_hashes[rounds]


def _rounds(hashed: str) -> int:
    parts = hashed.split("$")
    try:
        return min(max(int(parts[2]), 4), 31)
    except (IndexError, ValueError):
        return 12


def check_password(accounts: dict[str, str], name: str, password: str) -> bool:
    """True when ``password`` matches ``name``'s bcrypt hash.

    ``bcrypt.checkpw`` compares in constant time; an unknown name is checked against a dummy
    hash of the same cost, so the time taken does not tell which names exist.
    """
    hashed = accounts.get(name)
    rounds = _rounds(hashed if hashed else next(iter(accounts.values()), "$2b$12$"))
    data = password.encode("utf-8")[:MAX_PASSWORD_BYTES + 1]
    too_long = len(data) > MAX_PASSWORD_BYTES
    data = data[:MAX_PASSWORD_BYTES]
    if hashed is None:
        bcrypt.checkpw(data, _dummy_hash(rounds))
        return False
    try:
        ok = bcrypt.checkpw(data, hashed.encode("ascii"))
    except ValueError:
        log.error("The stored password hash of staff account %r is not a bcrypt hash.", name)
        bcrypt.checkpw(data, _dummy_hash(rounds))
        return False
    return ok and not too_long


@dataclass
class LockoutTracker:
    """Failed sign-ins per name: ``max_failures`` within ``window`` seconds lock the name for
    ``lock_for`` seconds. Thread-safe; one instance serves every session of the process."""

    max_failures: int = 5
    window: float = 15 * 60
    lock_for: float = 15 * 60
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def _key(name: str) -> str:
        return name.strip().casefold()

    def locked_for(self, name: str, now: float | None = None) -> float:
        """Seconds left of a lock-out of ``name`` (0 when not locked)."""
        now = time.time() if now is None else now
        with self._lock:
            return max(0.0, self._locked_until.get(self._key(name), 0.0) - now)

    def failure(self, name: str, now: float | None = None) -> bool:
        """Record a failure; return True when it locks the name."""
        now = time.time() if now is None else now
        key = self._key(name)
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < self.window] + [now]
            if len(recent) >= self.max_failures:
                self._locked_until[key] = now + self.lock_for
                self._failures.pop(key, None)
                return True
            self._failures[key] = recent
            return False

    def success(self, name: str):
        with self._lock:
            self._failures.pop(self._key(name), None)

    def clear(self):
        with self._lock:
            self._failures.clear()
            self._locked_until.clear()


@dataclass(frozen=True)
class Grant:
    name: str
    method: str
    expires: float


class TokenRegistry:
    """Server-side record of signed-in staff sessions: random token → who, until when."""

    def __init__(self):
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, name: str, method: str, seconds: float) -> str:
        token = pysecrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._grants = {k: g for k, g in self._grants.items() if g.expires > now}
            self._grants[token] = Grant(name, method, now + seconds)
        return token

    def lookup(self, token) -> Grant | None:
        if not isinstance(token, str):
            return None
        with self._lock:
            grant = self._grants.get(token)
        if grant is None or grant.expires <= time.time():
            return None
        return grant

    def revoke(self, token):
        with self._lock:
            self._grants.pop(token, None)


# ------------------------------------------------------------------ configuration

def _secrets_section(name: str) -> dict:
    """A section of ``secrets.toml`` as a dict; {} when there is no (readable) secrets file."""
    try:
        section = st.secrets.get(name)
    except FileNotFoundError:  # no secrets file, or one that cannot be parsed
        return {}
    return dict(section) if hasattr(section, "keys") else {}


def _setting(key: str, env: str | None, default: float) -> float:
    raw = os.environ.get(env) if env else None
    if raw in (None, ""):
        raw = _secrets_section("staff").get(key, default)
    try:
        return float(raw)
    except (TypeError, ValueError):
        return default


def accounts() -> dict[str, str]:
    """Staff accounts from secrets (``[staff.users]``) and the environment (which wins)."""
    users = {str(k): str(v) for k, v in dict(_secrets_section("staff").get("users", {})).items()}
    users.update(parse_users(os.environ.get(ENV_USERS)))
    return users


def oidc_configured() -> bool:
    return bool(_secrets_section("auth"))


def staff_emails() -> set[str]:
    emails = _secrets_section("staff").get("emails", [])
    if isinstance(emails, str):
        emails = [emails]
    return {str(e).strip().casefold() for e in emails if str(e).strip()}


def oidc_provider() -> str | None:
    """``[staff] oidc_provider``: which ``[auth.<name>]`` provider to use when there are several."""
    name = _secrets_section("staff").get("oidc_provider")
    return str(name) if name else None


def configured() -> bool:
    """Is any way of becoming staff configured?"""
    return bool(accounts()) or (oidc_configured() and bool(staff_emails()))


@st.cache_resource
def _tracker(max_failures: int, window: float, lock_for: float) -> LockoutTracker:
    return LockoutTracker(max_failures, window, lock_for)


def tracker() -> LockoutTracker:
    return _tracker(int(_setting("max_failures", "MIPEXR_STAFF_MAX_FAILURES", 5)),
                    _setting("failure_window_minutes", None, 15) * 60,
                    _setting("lockout_minutes", "MIPEXR_STAFF_LOCKOUT_MINUTES", 15) * 60)


@st.cache_resource
def registry() -> TokenRegistry:
    return TokenRegistry()


# ------------------------------------------------------------------ the session's side

@dataclass(frozen=True)
class SignIn:
    ok: bool
    locked_seconds: float = 0.0


def sign_in(name: str, password: str) -> SignIn:
    """Check a name and password; on success remember a token for this session.

    The password is used for the check only: never stored, logged or returned.
    """
    name = (name or "").strip()
    track = tracker()
    left = track.locked_for(name)
    if left > 0:
        log.warning("Sign-in refused: staff name %r is locked out.", name)
        return SignIn(False, left)
    users = accounts()
    if users and check_password(users, name, password or ""):
        track.success(name)
        hours = _setting("session_hours", None, 8)
        st.session_state[TOKEN_KEY] = registry().issue(name, "password", hours * 3600)
        log.info("Staff %r signed in.", name)
        return SignIn(True)
    locked = track.failure(name)
    log.warning("Failed staff sign-in for name %r%s.", name, " (now locked out)" if locked else "")
    return SignIn(False, track.locked_for(name) if locked else 0.0)


def sign_out():
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        registry().revoke(token)
    if oidc_user():
        st.logout()


def oidc_user() -> str | None:
    """The signed-in OpenID Connect user's e-mail when it is on the staff allow-list."""
    if not oidc_configured():
        return None
    user = st.user
    if not user.get("is_logged_in", False):
        return None
    email = str(user.get("email") or "").strip().casefold()
    if not email or email not in staff_emails():
        return None
    if user.get("email_verified") is False:  # a provider that says the address is unverified
        return None
    return email


def current_staff() -> str | None:
    """The signed-in staff member's name (or e-mail), or None for a visitor."""
    grant = registry().lookup(st.session_state.get(TOKEN_KEY))
    if grant is not None and grant.name in accounts():
        return grant.name
    return oidc_user()


def is_staff() -> bool:
    return current_staff() is not None


# ------------------------------------------------------------------ command line

def main(argv: list[str]) -> int:
    """``python -m ui.auth hash [--rounds N]``: prompt for a password and print its bcrypt hash."""
    import argparse
    import getpass

    parser = argparse.ArgumentParser(prog="python -m ui.auth")
    sub = parser.add_subparsers(dest="cmd", required=True)
    hp = sub.add_parser("hash", help="make a bcrypt hash for a staff account (prompts)")
    hp.add_argument("--rounds", type=int, default=12, help="bcrypt cost (default 12)")
    args = parser.parse_args(argv)
    if args.cmd == "hash":
        first = getpass.getpass("Password: ")
        if len(first) < 10:
            print("Use at least 10 characters.", file=sys.stderr)
            return 2
        if getpass.getpass("Again: ") != first:
            print("The two passwords differ.", file=sys.stderr)
            return 2
        try:
            print(hash_password(first, args.rounds))
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
