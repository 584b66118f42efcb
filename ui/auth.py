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
Repeated failures slow down the client and the name with exponential back-off
(:class:`Throttle`), counted where every session and replica sees them (:mod:`data.limits`).
Passwords are never logged, echoed or kept: the form clears them on submit. Every sign-in
attempt is an audit line (:mod:`data.audit`).

Optional settings (``[staff]`` in secrets, or the environment): ``max_failures`` /
``MIPEXR_STAFF_MAX_FAILURES`` (5 free failures per client), ``name_max_failures`` /
``MIPEXR_STAFF_NAME_MAX_FAILURES`` (20 per name from all clients), ``backoff_seconds`` /
``MIPEXR_STAFF_BACKOFF_SECONDS`` (30: the first lock, doubled after each further failure),
``max_lock_minutes`` / ``MIPEXR_STAFF_MAX_LOCK_MINUTES`` (60), ``failure_window_hours`` (24),
``session_hours`` (8).
"""

from __future__ import annotations

import logging
import os
import secrets as pysecrets
import sys
import threading
import time
from dataclasses import dataclass

import bcrypt
import streamlit as st

from data import audit, limits
from ui import clients

log = logging.getLogger("mipexr.auth")

TOKEN_KEY = "_staff_token"
OIDC_AUDITED_KEY = "_staff_oidc_audited"
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


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins slow down whoever makes them: per client and per staff name, with
    exponential back-off (:func:`data.limits.backoff`), counted in the shared counters
    (:mod:`data.limits`) so neither a reload nor another replica resets them.

    A client's ``client_free``-th failure (within ``window`` seconds) locks it for ``base``
    seconds; each one after that doubles the lock, at most ``cap``. A name is throttled the
    same way from its ``name_free``-th failure from all clients together —
    many more, so one client cannot lock someone else's name out: its own lock grows first,
    and reaching the name's threshold from one address takes hours. A success clears the
    client's and the name's failures."""

    client_free: int = 5
    name_free: int = 20
    base: float = 30.0
    cap: float = 3600.0
    window: float = 24 * 3600.0

    def _keys(self, counters: limits.Counters, name: str, client: str) -> tuple[str, str]:
        return counters.key("client", client), counters.key("name", name.strip().casefold())

    def wait(self, counters: limits.Counters, name: str, client: str, now: float | None = None) -> float:
        """Seconds before ``client`` may try ``name`` again (0: now)."""
        now = time.time() if now is None else now
        ck, nk = self._keys(counters, name, client)
        since = now - self.window
        return max(limits.backoff(counters.events("signin-client", ck, since), self.client_free, self.base,
                                  self.cap, now),
                   limits.backoff(counters.events("signin-name", nk, since), self.name_free, self.base,
                                  self.cap, now))

    def attempt(self, counters: limits.Counters, name: str, client: str, now: float | None = None) -> float:
        """Take one sign-in attempt: 0 when it may go ahead — it is then counted as a failure
        until :meth:`success` clears it, so attempts sent in parallel cannot all slip past
        the check — else the seconds left of the pause (nothing counted)."""
        now = time.time() if now is None else now
        ck, nk = self._keys(counters, name, client)
        with counters.transaction():
            left = self.wait(counters, name, client, now)
            if left > 0:
                return left
            counters.add("signin-client", ck, now)
            counters.add("signin-name", nk, now)
        return 0.0

    def success(self, counters: limits.Counters, name: str, client: str):
        ck, nk = self._keys(counters, name, client)
        with counters.transaction():
            counters.clear("signin-client", ck)
            counters.clear("signin-name", nk)


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


def throttle() -> Throttle:
    return Throttle(int(_setting("max_failures", "MIPEXR_STAFF_MAX_FAILURES", 5)),
                    int(_setting("name_max_failures", "MIPEXR_STAFF_NAME_MAX_FAILURES", 20)),
                    _setting("backoff_seconds", "MIPEXR_STAFF_BACKOFF_SECONDS", 30),
                    _setting("max_lock_minutes", "MIPEXR_STAFF_MAX_LOCK_MINUTES", 60) * 60,
                    _setting("failure_window_hours", None, 24) * 3600)


@st.cache_resource
def registry() -> TokenRegistry:
    return TokenRegistry()


# ------------------------------------------------------------------ the session's side

@dataclass(frozen=True)
class SignIn:
    ok: bool
    locked_seconds: float = 0.0


def logged_name(name: str, users: dict[str, str]) -> str:
    """What the audit log may say of a name typed at sign-in: the name when it is a staff
    account's, else "unknown name" (a password typed into the name field stays secret)."""
    return name if name in users else audit.UNKNOWN_NAME


def sign_in(name: str, password: str) -> SignIn:
    """Check a name and password from this session's client; on success remember a token.

    The password is used for the check only: never stored, logged or returned. Failures slow
    down the client and the name (:class:`Throttle`); every attempt is an audit line.
    """
    name = (name or "").strip()
    client = clients.current()
    users = accounts()
    counters, rules = limits.open_counters(), throttle()
    left = rules.attempt(counters, name, client)
    if left > 0:
        audit.record("sign-in", user=logged_name(name, users), client=client, outcome="refused-locked",
                     seconds=int(left))
        return SignIn(False, left)
    if users and check_password(users, name, password or ""):
        rules.success(counters, name, client)
        hours = _setting("session_hours", None, 8)
        st.session_state[TOKEN_KEY] = registry().issue(name, "password", hours * 3600)
        audit.record("sign-in", user=name, client=client, outcome="success", method="password")
        return SignIn(True)
    lock = rules.wait(counters, name, client)  # the attempt was counted as a failure
    audit.record("sign-in", user=logged_name(name, users), client=client, outcome="failure",
                 locked_seconds=int(lock) if lock else None)
    return SignIn(False, lock)


def sign_out():
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        grant = registry().lookup(token)
        registry().revoke(token)
        if grant is not None:
            audit.record("sign-out", user=grant.name, client=clients.current())
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
    email = oidc_user()
    if email and st.session_state.get(OIDC_AUDITED_KEY) != email:
        st.session_state[OIDC_AUDITED_KEY] = email  # one audit line per session and person
        audit.record("sign-in", user=email, client=clients.current(), outcome="success", method="openid-connect")
    return email


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
