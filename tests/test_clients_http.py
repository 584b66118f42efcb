"""The client's address through a real Streamlit server (issue 16, build item 2): what
``ui.clients`` reads from ``st.context`` when a proxy's ``X-Forwarded-For`` arrives on the
websocket. Driven with the load test's protocol client (Chromium does not send extra headers
on the websocket)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT
from tests.browser.conftest import free_port

sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture
def probe(monkeypatch):
    servers = []

    def start(trusted: str) -> str:
        port = free_port()
        env = dict(os.environ, MIPEXR_TRUSTED_PROXIES=trusted)
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "tests" / "apps" / "client_probe.py"),
                                 "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port",
                                 str(port), "--server.fileWatcherType", "none"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    return url
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the probe app did not start")

    yield start
    for proc in servers:
        proc.terminate()
        proc.wait(10)


def client_seen(url: str, forwarded: str | None, monkeypatch) -> str:
    import websocket

    import loadtest

    real = websocket.create_connection

    def with_header(*args, header=None, **kwargs):
        extra = [f"X-Forwarded-For: {forwarded}"] if forwarded else []
        return real(*args, header=(header or []) + extra, **kwargs)

    monkeypatch.setattr(websocket, "create_connection", with_header)
    session = loadtest.Session(url)
    try:
        session.rerun()
        return next(t for t in session.texts if t.startswith("CLIENT=")).removeprefix("CLIENT=")
    finally:
        session.close()


def test_the_client_behind_a_proxy_on_this_machine(probe, monkeypatch):
    """nginx on the same machine appends the visitor's address: the right-most entry is the
    client (a forged entry in front of it is ignored), without any setting."""
    url = probe("")
    assert client_seen(url, None, monkeypatch) == "local"
    assert client_seen(url, "203.0.113.9", monkeypatch) == "203.0.113.9"
    assert client_seen(url, "198.51.100.1, 203.0.113.9", monkeypatch) == "203.0.113.9"
