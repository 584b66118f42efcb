"""Server-level settings that Streamlit offers no option for: Nagle's algorithm on the
websocket, and how many script runs execute at once.

**Nagle's algorithm on the websocket.** asyncio turns Nagle's algorithm off (TCP_NODELAY)
for the connections it accepts only when the listening socket was created with
``proto == IPPROTO_TCP``; Streamlit's server socket is created with ``proto == 0``, so
every browser connection keeps Nagle on. A rerun sends many small messages; with Nagle
the later ones wait for the browser's delayed acknowledgement, about 40 ms on Linux, on
every interaction (measured: a five-element page reran in 44 ms instead of 6 ms).
:func:`no_nagle` makes asyncio set TCP_NODELAY on every TCP stream socket, as it means to;
it applies to connections accepted after the first script run of the process. The patch
itself, its version check and its figure are in :mod:`ui.compat`.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

from ui import compat


def no_nagle() -> bool:
    """Install the TCP_NODELAY rule once per process (:func:`ui.compat.tcp_nodelay`); True
    when this call installed it."""
    return compat.tcp_nodelay()


#: Script runs allowed at once in this process (``MIPEXR_CONCURRENT_RUNS``; 0: no limit).
DEFAULT_CONCURRENT_RUNS = 1
#: Longest a run waits for its turn; after that it runs anyway (a long run — a PDF, a
#: large import — then delays the others by at most this much).
SLOT_WAIT_SECONDS = 1.0


def concurrent_runs() -> int:
    raw = os.environ.get("MIPEXR_CONCURRENT_RUNS", "").strip()
    try:
        return max(0, int(raw)) if raw else DEFAULT_CONCURRENT_RUNS
    except ValueError:
        return DEFAULT_CONCURRENT_RUNS


_SLOTS = threading.BoundedSemaphore(concurrent_runs()) if concurrent_runs() else None


@contextmanager
def run_slot(wait: float = SLOT_WAIT_SECONDS, slots: threading.Semaphore | None = None):
    """Hold one of the process's script-run slots while the page runs.

    Streamlit runs every session's rerun in its own thread, all under one interpreter lock:
    twenty reruns at once each take twenty times as long, and all finish late. Taking
    turns (one run at a time by default) lets each finish in its own time — measured with
    50 sessions on one process: p95 1.0 s without a limit, 0.5 s with one slot, 0.6 s with
    two. A run waits at most ``wait`` seconds, then runs anyway, so a long run cannot hold
    up the others for longer than that.
    """
    slots = _SLOTS if slots is None else slots
    got = slots.acquire(timeout=wait) if slots is not None else False
    try:
        yield got
    finally:
        if got:
            slots.release()
