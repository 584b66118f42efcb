"""Every use of a private Streamlit or asyncio internal, in one place, each behind a check.

Each patch below runs only when the installed version is one it was tested with and the
internal it touches is there and of the expected kind; otherwise it logs once (logger
``ui.compat``) and the app falls back to the public behaviour: slower, or — for the pages
folder — the first deep link on a fresh server drawn by the page script alone, without the
app's frame (page config, sidebar). Each has a test of the patch and of the fallback
(tests/test_compat.py), and stays only while a figure measured by ``bench/bench_compat.py``
(the same run, with and without; ``MIPEXR_COMPAT_OFF`` turns a patch off) says it pays.

Patches (tested range; the figure that keeps it; 2-core machine, Streamlit 1.67, Python 3.11):

1. :func:`use_navigation` and :func:`apptest_navigation` — ``PagesManager.uses_pages_directory``
   (Streamlit ≥1.67,<1.68). The repository keeps its page scripts in ``pages/``; Streamlit then
   runs a first visit's page *alone* (old multipage mode, no app.py around it) until
   ``st.navigation`` has run once in the process. Correctness, not speed: without it the first
   deep link on a fresh server has no page config, sidebar or edition (ui/frame.py), and every
   AppTest run after the first loses its button clicks (tests/conftest.py). The public
   alternative is to rename the ``pages/`` folder.
2. :func:`tcp_nodelay` — ``asyncio.base_events._set_nodelay`` (Python ≥3.11,<3.14; Streamlit
   ≥1.67,<1.68, whose server socket has ``proto == 0``). asyncio sets TCP_NODELAY only on
   sockets created with ``IPPROTO_TCP``; without it every rerun's later messages wait for
   the browser's delayed ACK. Figure: a five-element page behind two real servers, reruns
   alternating, 100 each, two runs: median 9.1 / 9.6 ms with, 46.3 / 47.2 ms without
   (4.9–5.1×; 99–100 of 100 reruns over 30 ms without, 0–3 with). Every interaction of
   every page pays those ~37 ms.
3. :func:`vega_spec` — ``vega_charts._to_arrow_dataset`` and ``_altair_globals_lock``
   (Streamlit ≥1.67,<1.68; Altair ≥5.5,<7). Streamlit's own Altair → Vega-Lite conversion
   minus the schema validation, made once per chart; the fallback is ``st.altair_chart``,
   which converts and validates on every rerun. Figure: warm rerun in AppTest, default data,
   against all patches on, two runs — Overview 3.9× / 4.4× (44 → 174, 46 → 200 ms), Region
   profile 2.6× / 2.2× (53 → 141, 127 → 285 ms); one Overview bar chart: 47–67 ms
   Streamlit's way, 21–32 ms here uncached, nothing once remembered.
4. :func:`freeze_deck_json` — a pydeck ``Deck``'s ``to_json`` replaced on the instance by its
   text (pydeck ≥0.9,<0.10; Streamlit ≥1.67,<1.68 calls ``to_json()`` on every rerun of
   ``st.pydeck_chart``). Figure: ``st.pydeck_chart`` of the Overview map, interleaved
   calls: default data (25 regions) 2.4–10.5 ms live (three runs) vs 0.14 ms frozen; the 299
   NUTS-2 regions of 2024, 25–33 ms vs 0.2–0.4 ms — per rerun, against an empty page's whole
   rerun of 2.3–3.0 ms. Whole Overview reruns: 1.35× without (three rounds in turn), but the
   Region profile, which has no map, moved 1.15–1.38× between identical settings: the page
   figure is within the shared machine's noise; the interleaved one is the one that counts.

All four stay: each buys a figure well above the noise. Dropped: none. Candidates to
retire rather than keep patching: rename ``pages/`` (patch 1); send charts as
``st.vega_lite_chart(chart.to_dict())`` with inline data (patch 3, public, but a different
payload than Streamlit's Arrow datasets — not measured here).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from importlib import metadata

log = logging.getLogger(__name__)

#: Tested version ranges, [low, high): (major, minor) tuples.
STREAMLIT = ((1, 67), (1, 68))
PYTHON = ((3, 11), (3, 14))
ALTAIR = ((5, 5), (7, 0))
PYDECK = ((0, 9), (0, 10))

_warned: set[str] = set()
_lock = threading.Lock()


def _version(dist: str) -> tuple[int, int] | None:
    try:
        parts = metadata.version(dist).split(".")
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (metadata.PackageNotFoundError, ValueError, IndexError):
        return None


def _python() -> tuple[int, int]:
    import sys

    return sys.version_info[:2]


def in_range(version: tuple[int, int] | None, bounds: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    return version is not None and bounds[0] <= version < bounds[1]


def fallback(patch: str, why: str) -> bool:
    """Log once per patch that it is off and why; returns False (the patch is not applied)."""
    with _lock:
        if patch not in _warned:
            _warned.add(patch)
            log.warning("ui.compat: %s not applied (%s); using Streamlit's public behaviour", patch, why)
    return False


def switched_off(patch: str) -> bool:
    """``MIPEXR_COMPAT_OFF=vega_spec,tcp_nodelay`` (or ``all``) turns patches off: the
    benchmark measures with and without, and an operator can drop one without a release."""
    import os

    off = {p.strip() for p in os.environ.get("MIPEXR_COMPAT_OFF", "").split(",") if p.strip()}
    return patch in off or "all" in off


def supported(patch: str, **ranges) -> bool:
    """True when the patch is not switched off (:func:`switched_off`) and every named
    dependency is in its tested range (``streamlit=STREAMLIT``, ``python=PYTHON``...); else
    logs once and returns False."""
    if switched_off(patch):
        return fallback(patch, "switched off by MIPEXR_COMPAT_OFF")
    for dist, bounds in ranges.items():
        found = _python() if dist == "python" else _version(dist)
        if not in_range(found, bounds):
            return fallback(patch, f"{dist} {found} outside the tested range {bounds}")
    return True


# ------------------------------------------------------------- 1. st.navigation mode

def _pages_manager():
    """Streamlit's PagesManager class when its ``uses_pages_directory`` flag is as tested."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return None
    if not hasattr(PagesManager, "uses_pages_directory"):
        return None
    return PagesManager


def use_navigation() -> bool:
    """Switch this process to ``st.navigation`` mode (as app.py's ``st.navigation`` does once
    it has run); True when switched. The caller reruns so app.py frames the page."""
    if not supported("use_navigation", streamlit=STREAMLIT):
        return False
    pm = _pages_manager()
    if pm is None:
        return fallback("use_navigation", "PagesManager.uses_pages_directory is gone")
    pm.uses_pages_directory = False
    return True


@contextlib.contextmanager
def apptest_navigation():
    """For tests and benchmarks: every ``AppTest`` run starts in ``st.navigation`` mode, as
    the real server is after app.py's first run. AppTest resets the pages-folder flag before
    each run; this makes the PagesManager it creates turn it off again. Yields True when
    applied, False (nothing changed) when this Streamlit is not the tested one."""
    if not supported("apptest_navigation", streamlit=STREAMLIT):
        yield False
        return
    pm = _pages_manager()
    try:
        import streamlit.testing.v1.app_test as app_test
    except ImportError:
        app_test = None
    before = getattr(app_test, "PagesManager", None)
    if pm is None or not (isinstance(before, type) and issubclass(before, pm)):
        fallback("apptest_navigation", "AppTest no longer builds PagesManager as tested")
        yield False
        return

    class NavigationPagesManager(before):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pm.uses_pages_directory = False

    app_test.PagesManager = NavigationPagesManager
    try:
        yield True
    finally:
        app_test.PagesManager = before


# ---------------------------------------------------------------- 2. TCP_NODELAY

def nodelay_rule(sock) -> None:
    """asyncio's own rule for a new transport, widened to sockets made with ``proto == 0``."""
    if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
            and sock.proto in (0, socket.IPPROTO_TCP)):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # a socket already closed by the peer
            pass


_nodelay_done = False
#: asyncio's own ``_set_nodelay``, as found before :func:`tcp_nodelay` replaced it (tests).
_asyncio_set_nodelay = None


def tcp_nodelay() -> bool:
    """Make asyncio set TCP_NODELAY on every accepted TCP connection, once per process; True
    when this call installed it. Applies to connections accepted after it runs."""
    global _nodelay_done, _asyncio_set_nodelay
    if not hasattr(socket, "TCP_NODELAY"):
        return fallback("tcp_nodelay", "no TCP_NODELAY on this platform")
    if not supported("tcp_nodelay", python=PYTHON, streamlit=STREAMLIT):
        return False
    import asyncio.base_events as base_events

    if not callable(getattr(base_events, "_set_nodelay", None)):
        return fallback("tcp_nodelay", "asyncio.base_events._set_nodelay is gone")
    with _lock:
        if _nodelay_done:
            return False
        _asyncio_set_nodelay = base_events._set_nodelay
        base_events._set_nodelay = nodelay_rule
        _nodelay_done = True
        return True


def set_nodelay(sock) -> None:
    """What asyncio does to a new transport's socket (the patched rule once installed)."""
    import asyncio.base_events as base_events

    base_events._set_nodelay(sock)


# ------------------------------------------------------- 3. Altair → Vega-Lite, once

def _vega_internals():
    try:
        from streamlit.elements import vega_charts as vc
    except ImportError:
        return None
    convert, lock = getattr(vc, "_to_arrow_dataset", None), getattr(vc, "_altair_globals_lock", None)
    if not callable(convert) or not (hasattr(lock, "acquire") and hasattr(lock, "release")):
        return None
    return convert, lock


def vega_spec(chart) -> dict | None:
    """What ``st.altair_chart(chart)`` sends (Vega-Lite, data as Arrow datasets named by
    their hash, no theme defaults), without the schema validation — every chart builder is
    validated by the chart tests instead. None when this Streamlit or Altair is not the
    tested one: the caller then uses ``st.altair_chart``."""
    if not supported("vega_spec", streamlit=STREAMLIT, altair=ALTAIR):
        return None
    found = _vega_internals()
    if found is None:
        return fallback("vega_spec", "vega_charts._to_arrow_dataset/_altair_globals_lock are gone") or None
    to_arrow, lock = found
    import altair as alt

    datasets: dict = {}
    alt.data_transformers.register("to_arrow_dataset", to_arrow)
    with lock:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else contextlib.nullcontext()
        with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = chart.to_dict(validate=False)
    spec["datasets"] = {**(spec.get("datasets") or {}), **datasets}
    return spec


def streamlit_vega_spec(chart) -> dict:
    """Streamlit's own conversion, as ``st.altair_chart`` does it (validated): the reference
    :func:`vega_spec` is checked against (tests, bench/bench_compat.py)."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    return _convert_altair_to_vega_lite_spec(chart)


# --------------------------------------------------------------- 4. a deck's JSON, once

def freeze_deck_json(deck) -> bool:
    """Make ``deck.to_json()`` return the text it returns now, without recomputing it
    (``st.pydeck_chart`` asks for it on every rerun). Only for a deck that is not changed
    after. True when frozen; False (the deck unchanged) when pydeck or Streamlit is not the
    tested one or the deck has no ``to_json``."""
    if not supported("freeze_deck_json", streamlit=STREAMLIT, pydeck=PYDECK):
        return False
    to_json = getattr(deck, "to_json", None)
    if not callable(to_json):
        return fallback("freeze_deck_json", "the deck has no to_json()")
    text = to_json()
    if not isinstance(text, str):
        return fallback("freeze_deck_json", "to_json() did not return text")
    deck.to_json = lambda: text
    return True
