"""Make sure every page runs inside the app's frame (app.py).

The repository keeps its pages in ``pages/``, and Streamlit treats an app with a folder of
that name as an old-style multipage app until ``st.navigation`` has run once in the
process: the first visit to a deep link (``/compare?regions=…``) on a freshly started server
would run the page script alone — no page config, no sidebar, no edition in view. A page
calls :func:`require` first; if app.py is not around it, the page switches Streamlit to
``st.navigation`` mode and reruns, which lands on the same page (page ids are derived from
the URL path in both modes) with the same query parameters.
"""

from __future__ import annotations

import threading

import streamlit as st

from ui import compat

_local = threading.local()


def enter():
    """Called by app.py just before it runs the page."""
    _local.active = True


def leave():
    _local.active = False


def require():
    """First line of every page script. Outside app.py, switch to ``st.navigation`` mode and
    rerun (:func:`ui.compat.use_navigation`); where that patch is off, the page runs on alone."""
    if not getattr(_local, "active", False) and compat.use_navigation():
        st.rerun()


#: The radar's height on a phone and on a larger screen (px).
RADAR_HEIGHT = {"phone": 380, "screen": 500}  # "screen": ui.profile.RADAR_SCREEN (warmed)


def screen() -> str:
    """"phone" when the visitor's browser says it is on a phone (a "Mobi"/"Android" user
    agent, as every phone browser sends), else "screen". The server cannot see the
    viewport; charts take their container's width anyway, this only picks a height."""
    agent = (st.context.headers or {}).get("User-Agent", "") or ""
    return "phone" if "Mobi" in agent or "Android" in agent else "screen"


def radar_height() -> int:
    """The radar's height for this visitor's screen (:data:`RADAR_HEIGHT`)."""
    return RADAR_HEIGHT[screen()]
