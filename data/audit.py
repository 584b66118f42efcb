"""The audit log: who did what, from where, when — one line per event, never a secret.

Every staff sign-in (success, failure, refusal during a lock-out), sign-out, publish,
rollback and moderation decision (approve, reject, bulk reject) writes one line to the
logger ``mipexr.audit``::

    2026-12-07T15:40:12Z audit action=sign-in outcome=failure user="unknown name" client=203.0.113.5

Fields: the UTC time, ``action``, ``outcome``, ``user`` (a staff name; a name typed at a failed
sign-in only when it is a configured staff name, else ``unknown name`` — people type
passwords into name fields), ``client`` (the address as :mod:`ui.clients` sees it, or
``command line``) and details (version ids, receipt ids). Values are quoted when needed and
stripped of control characters, so a line cannot be forged by a value.

Where it goes: standard error (beside Streamlit's own log) by default, or the file named by
``MIPEXR_AUDIT_LOG`` (appended; rotate it with logrotate's ``copytruncate``). The lines do not
pass on to the root logger, so they are written once, whatever logging the host configures.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from datetime import datetime, timezone

log = logging.getLogger("mipexr.audit")
log.setLevel(logging.INFO)
log.propagate = False
ENV = "MIPEXR_AUDIT_LOG"
UNKNOWN_NAME = "unknown name"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_file_lock = threading.Lock()
_target: str | None = None  # the file path, or "" for standard error, once a handler is attached


def _value(value) -> str:
    text = _CONTROL.sub("", str(value))[:200]
    if text and re.fullmatch(r"[\w.:@/+-]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def line(action: str, *, user: str, client: str, outcome: str = "ok", now: datetime | None = None,
         **details) -> str:
    """The audit line of one event (pure)."""
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = {"action": action, "outcome": outcome, "user": user or UNKNOWN_NAME, "client": client or "?"}
    fields.update({k: v for k, v in details.items() if v is not None})
    return f"{when} audit " + " ".join(f"{k}={_value(v)}" for k, v in fields.items())


def _ensure_handler():
    """Attach the handler once per process (again when ``MIPEXR_AUDIT_LOG`` changes)."""
    global _target
    path = os.environ.get(ENV) or ""
    if path == _target:
        return
    with _file_lock:
        if path == _target:
            return
        for handler in [h for h in log.handlers if getattr(h, "_mipexr_audit", False)]:
            log.removeHandler(handler)
            handler.close()
        handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._mipexr_audit = True
        log.addHandler(handler)
        _target = path


def record(action: str, *, user: str, client: str, outcome: str = "ok", **details) -> str:
    """Write one audit line (see the module's doc); return it."""
    _ensure_handler()
    text = line(action, user=user, client=client, outcome=outcome, **details)
    log.info(text)
    return text
