"""Remember what a page computed, so a rerun with the same inputs does not compute it again.

A Streamlit page reruns from the top on every interaction; most of what it computes (the
frames behind a profile, a chart's Vega-Lite spec) depends only on the data version and a
few choices, and is the same for every session looking at the same region. :func:`cached`
keeps those results in one bounded, thread-safe table shared by all sessions of the
process.

How arguments are compared:

* numbers (numpy's too), strings, ``None`` and tuples of them — by value;
* lists, dicts and sets — by value (their items, recursively);
* anything else (DataFrames, the scoring cube, Altair charts) — by *identity*. The data
  comes from shared caches (:mod:`ui.state`), so the same version gives the same objects,
  and a cached function's result is itself the same object on every hit, so chains of
  cached functions hit all the way down. The entry keeps a reference to every argument it
  was keyed on, so an ``id`` cannot be reused for another object while the entry lives.

The interface language is part of every key (results may hold translated text).

**Results are shared**: callers must treat them as read-only (``frame.assign(...)``, not
``frame[col] = ...``). ``tests/test_memo.py`` reruns every page and checks that the shared
tables are unchanged.

Typical use::

    from ui import memo

    @memo.cached
    def radar_frame(table, region, peers, group, edition, labels): ...
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

#: Entries kept per function (least recently used go first).
MAX_ENTRIES = 256

#: How long a caller waits for another caller computing the same result before computing
#: it itself, without remembering it.
WAIT_SECONDS = 60.0

_SCALARS = (str, int, float, bool, bytes, type(None))


def _key(value: Any, refs: list) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, np.generic):  # numpy's 2024 is the page's 2024
        return value.item()
    if isinstance(value, tuple):
        return ("t", *(_key(v, refs) for v in value))
    if isinstance(value, list):
        return ("l", *(_key(v, refs) for v in value))
    if isinstance(value, dict):
        return ("d", *((_key(k, refs), _key(v, refs)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("s", frozenset(_key(v, refs) for v in value))
    refs.append(value)
    return ("id", id(value))


class Table:
    """One function's remembered results: key → (result, referenced arguments)."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self.entries: OrderedDict[Any, tuple[Any, list]] = OrderedDict()
        self.lock = threading.Lock()
        self.pending: dict[Any, threading.Event] = {}
        self.hits = self.misses = 0

    def claim(self, key):
        """(entry, None) on a hit; else (None, event): ``event`` is None when this caller
        computes the value (and must :meth:`release` it), else the event to wait for,
        set when the caller computing the same key is done."""
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                self.hits += 1
                return found, None
            self.misses += 1
            if key in self.pending:
                return None, self.pending[key]
            self.pending[key] = threading.Event()
            return None, None

    def release(self, key):
        with self.lock:
            event = self.pending.pop(key, None)
        if event is not None:
            event.set()

    def put(self, key, value):
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()  # computations under way finish and store as usual
            self.hits = self.misses = 0


_TABLES: list[Table] = []
_DEBUG = bool(os.environ.get("MIPEXR_MEMO_DEBUG"))  # print every miss (finding misses)


def cached(fn: Callable | None = None, *, max_entries: int = MAX_ENTRIES,
           per_language: bool = True):
    """Decorator: remember ``fn``'s results by its arguments and the interface language.

    ``fn`` must be pure: its result may depend only on its arguments and the language.
    ``per_language=False``: the result holds no text (numbers only), so one entry serves
    every language. The wrapped function has ``.memo`` (its :class:`Table`) for tests and
    benchmarks.
    """
    if fn is None:
        return functools.partial(cached, max_entries=max_entries, per_language=per_language)
    from ui import i18n

    table = Table(max_entries)
    table.name = f"{fn.__module__}.{fn.__qualname__}"
    _TABLES.append(table)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        refs: list = []
        try:
            key = (i18n.language() if per_language else None, _key(args, refs),
                   _key(kwargs, refs))
            hash(key)
        except TypeError:  # something unhashable inside: compute, do not remember
            return fn(*args, **kwargs)
        while True:
            found, event = table.claim(key)
            if found is not None:
                return found[0]
            if event is None:
                break  # this caller computes it
            # Another session is computing exactly this: wait for its result rather than
            # compute it again (under load, many sessions open the same region at once).
            # If it failed, claim again (one of the waiters computes it).
            if not event.wait(WAIT_SECONDS):
                return fn(*args, **kwargs)
        try:
            result = fn(*args, **kwargs)
            if _DEBUG:
                import sys
                print("memo miss", table.name, repr(key)[:300], file=sys.stderr, flush=True)
            table.put(key, (result, refs))
        finally:
            table.release(key)
        return result

    wrapper.memo = table
    return wrapper


def clear_all():
    """Forget everything (tests; a new data version does not need it — new objects, new keys)."""
    for table in _TABLES:
        table.clear()
