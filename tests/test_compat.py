"""ui/compat.py: each patch of a private internal does what it says on the tested versions,
and falls back to Streamlit's public behaviour (logged once) when the version or the
internal is not the tested one."""

from __future__ import annotations

import asyncio.base_events
import logging
import socket

import altair as alt
import pandas as pd
import pytest

from ui import compat


@pytest.fixture
def untested_streamlit(monkeypatch):
    """Pretend the installed Streamlit is one the patches were not tested with."""
    real = compat._version
    monkeypatch.setattr(compat, "_version", lambda dist: (99, 0) if dist == "streamlit" else real(dist))
    monkeypatch.setattr(compat, "_warned", set())


def test_installed_versions_are_the_tested_ones():
    """The figures in compat's docstring were measured on these; a bump must re-measure."""
    assert compat.in_range(compat._version("streamlit"), compat.STREAMLIT)
    assert compat.in_range(compat._version("altair"), compat.ALTAIR)
    assert compat.in_range(compat._version("pydeck"), compat.PYDECK)
    assert compat.in_range(compat._python(), compat.PYTHON)


def test_a_fallback_is_logged_once(untested_streamlit, caplog):
    with caplog.at_level(logging.WARNING, logger="ui.compat"):
        assert compat.vega_spec(alt.Chart(pd.DataFrame({"a": [1]})).mark_bar()) is None
        assert compat.vega_spec(alt.Chart(pd.DataFrame({"a": [2]})).mark_bar()) is None
    hits = [r for r in caplog.records if "vega_spec" in r.getMessage()]
    assert len(hits) == 1 and "streamlit" in hits[0].getMessage()


def test_a_patch_can_be_switched_off(monkeypatch):
    monkeypatch.setattr(compat, "_warned", set())
    monkeypatch.setenv("MIPEXR_COMPAT_OFF", "freeze_deck_json, vega_spec")
    assert compat.vega_spec(_chart()) is None
    assert not compat.supported("freeze_deck_json", streamlit=compat.STREAMLIT)
    assert compat.supported("tcp_nodelay", streamlit=compat.STREAMLIT)
    monkeypatch.setenv("MIPEXR_COMPAT_OFF", "all")
    assert not compat.supported("tcp_nodelay", streamlit=compat.STREAMLIT)


# ------------------------------------------------------------- 1. st.navigation mode

def test_use_navigation_turns_the_pages_folder_mode_off(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    assert compat.use_navigation() is True
    assert PagesManager.uses_pages_directory is False


def test_use_navigation_fallback_leaves_streamlit_alone(monkeypatch, untested_streamlit):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    assert compat.use_navigation() is False
    assert PagesManager.uses_pages_directory is True


def test_use_navigation_fallback_when_the_flag_is_gone(monkeypatch):
    monkeypatch.setattr(compat, "_pages_manager", lambda: None)
    monkeypatch.setattr(compat, "_warned", set())
    assert compat.use_navigation() is False


def test_frame_require_reruns_only_when_switched(monkeypatch):
    """ui/frame.py: outside app.py a page reruns inside it — unless the patch is off, where
    it must run on (a rerun would find the same mode and loop)."""
    import streamlit as st

    from ui import frame

    reruns = []
    monkeypatch.setattr(st, "rerun", lambda: reruns.append(1))
    frame.leave()
    monkeypatch.setattr(compat, "use_navigation", lambda: True)
    frame.require()
    monkeypatch.setattr(compat, "use_navigation", lambda: False)
    frame.require()
    frame.enter()
    monkeypatch.setattr(compat, "use_navigation", lambda: True)
    frame.require()
    frame.leave()
    assert reruns == [1]


APP = """
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
st.write("pages folder mode" if PagesManager.uses_pages_directory else "navigation mode")
"""


def _mode_seen(tmp_path) -> str:
    from streamlit.testing.v1 import AppTest

    (tmp_path / "pages").mkdir(exist_ok=True)  # a pages/ folder beside the script, as here
    script = tmp_path / "app.py"
    script.write_text(APP)
    at = AppTest.from_file(str(script), default_timeout=30)
    at.run()
    at.run()  # AppTest resets the flag before every run
    return at.markdown[0].value


def test_apptest_navigation_patch_and_fallback(tmp_path, untested_streamlit, monkeypatch):
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager as real

    monkeypatch.setattr(app_test, "PagesManager", real)  # undo conftest's autouse fixture here
    # the fallback first (conftest's autouse fixture is a no-op under an untested version)
    with compat.apptest_navigation() as applied:
        assert applied is False and app_test.PagesManager is real
        assert _mode_seen(tmp_path) == "pages folder mode"
    monkeypatch.setattr(compat, "_version", lambda dist: (1, 67))
    with compat.apptest_navigation() as applied:
        assert applied is True and app_test.PagesManager is not real
        assert _mode_seen(tmp_path) == "navigation mode"
    assert app_test.PagesManager is real


# ---------------------------------------------------------------- 2. TCP_NODELAY

def _accepted(listener_proto=0):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, listener_proto)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    return conn, (conn, client, listener)


def _asyncio_rule():
    """asyncio's own rule, also when an earlier test (or app.py) installed the patch."""
    return compat._asyncio_set_nodelay or asyncio.base_events._set_nodelay


def test_tcp_nodelay_patch_sets_nodelay_on_proto_0_sockets(monkeypatch):
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", _asyncio_rule())
    monkeypatch.setattr(compat, "_nodelay_done", False)
    conn, sockets = _accepted()
    try:
        compat.set_nodelay(conn)  # asyncio's own rule: proto 0 keeps Nagle on
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        assert compat.tcp_nodelay() is True
        assert compat.tcp_nodelay() is False  # once per process
        compat.set_nodelay(conn)
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in sockets:
            s.close()


def test_tcp_nodelay_fallback_keeps_asyncios_rule(monkeypatch, untested_streamlit):
    original = _asyncio_rule()
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", original)
    monkeypatch.setattr(compat, "_nodelay_done", False)
    assert compat.tcp_nodelay() is False
    assert asyncio.base_events._set_nodelay is original
    monkeypatch.setattr(compat, "_version", lambda dist: (1, 67))
    monkeypatch.delattr(asyncio.base_events, "_set_nodelay")
    assert compat.tcp_nodelay() is False  # the internal is gone: nothing installed


# ------------------------------------------------------- 3. Altair → Vega-Lite, once

def _chart():
    frame = pd.DataFrame({"area": ["health", "housing"], "score": [61.3, 40.0]})
    return alt.Chart(frame).mark_bar().encode(x="score:Q", y="area:N")


def test_vega_spec_is_streamlits_conversion_without_validation():
    spec = compat.vega_spec(_chart())
    assert spec == compat.streamlit_vega_spec(_chart())
    assert spec["datasets"] and all(isinstance(v, bytes) for v in spec["datasets"].values())


def test_vega_spec_fallback_draws_with_st_altair_chart(monkeypatch, untested_streamlit):
    """Where the patch is off, ui.charts.show_altair hands the chart to st.altair_chart."""
    import streamlit as st

    from ui import charts

    assert compat.vega_spec(_chart()) is None
    calls = []
    monkeypatch.setattr(st, "altair_chart", lambda chart, **kw: calls.append(("altair", kw)))
    monkeypatch.setattr(st, "vega_lite_chart", lambda spec, **kw: calls.append(("vega", kw)))
    charts.show_altair(_chart(), width="stretch")
    assert calls == [("altair", {"width": "stretch"})]


def test_vega_spec_fallback_when_the_internals_are_gone(monkeypatch):
    monkeypatch.setattr(compat, "_vega_internals", lambda: None)
    monkeypatch.setattr(compat, "_warned", set())
    assert compat.vega_spec(_chart()) is None


# --------------------------------------------------------------- 4. a deck's JSON, once

def _deck():
    import pydeck

    layer = pydeck.Layer("ScatterplotLayer", data=[{"p": [2.35, 48.85]}], get_position="p")
    return pydeck.Deck(layers=[layer], map_style=None)


def test_freeze_deck_json_returns_the_same_text_without_recomputing(monkeypatch):
    deck = _deck()
    before = deck.to_json()
    assert compat.freeze_deck_json(deck) is True
    deck.layers = []  # a frozen deck is not changed after; if it were, the text stays
    assert deck.to_json() == before


def test_freeze_deck_json_fallback_leaves_the_deck_live(untested_streamlit):
    deck = _deck()
    assert compat.freeze_deck_json(deck) is False
    deck.layers = []
    assert '"layers": []' in deck.to_json()


def test_the_region_map_deck_is_frozen_and_unchanged(demo):
    """ui.charts.region_deck: the deck Streamlit is given sends the same JSON a fresh deck
    of the same map would (the freeze changes speed, not content)."""
    import geo
    from ui import charts

    tabs, cube = demo
    regions = tabs["regions"].assign(score=50.0, rank=1, rank_low=1, rank_high=2, coverage=1.0)
    matched, _report = geo.match_regions(regions, None)
    deck, _legend = charts.region_deck(matched, "score", "score", 400, 340)
    fresh, _ = geo.choropleth_deck(matched, "score", value_label="score", palette=charts.MAP_PALETTE,
                                   detail=charts.map_details(matched, "score", "score"),
                                   height=400, width_px=340)
    assert deck.to_json() == fresh.to_json()
    assert "to_json" in vars(deck)  # frozen on the instance
