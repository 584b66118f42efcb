"""ui/serving.py: TCP_NODELAY on accepted connections, and script runs taking turns."""

from __future__ import annotations

import socket
import threading
import time

from ui import compat, serving


def test_no_nagle_on_sockets_made_like_streamlits():
    """Streamlit's listening socket has proto 0; asyncio then leaves Nagle on. After
    no_nagle(), a connection accepted from such a socket gets TCP_NODELAY."""
    serving.no_nagle()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as Streamlit's
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    try:
        assert conn.proto == 0
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        compat.set_nodelay(conn)  # what asyncio calls for a new transport
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in (conn, client, listener):
            s.close()


def test_runs_take_turns_and_a_long_run_delays_others_by_at_most_the_wait():
    slots = threading.BoundedSemaphore(1)
    running, peak, got = [0], [0], []
    lock = threading.Lock()

    def run(seconds):
        with serving.run_slot(wait=5, slots=slots) as held:
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            got.append(held)
            time.sleep(seconds)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=run, args=(0.05,)) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert peak[0] == 1 and all(got)

    # a long run holds the slot: the next one waits `wait` seconds, then runs anyway
    long = threading.Thread(target=lambda: run_long(slots))
    long.start()
    time.sleep(0.1)
    t0 = time.perf_counter()
    with serving.run_slot(wait=0.3, slots=slots) as held:
        waited = time.perf_counter() - t0
    assert not held and 0.25 < waited < 1.5
    long.join()


def run_long(slots):
    with serving.run_slot(wait=5, slots=slots):
        time.sleep(1.5)


def test_concurrent_runs_setting(monkeypatch):
    monkeypatch.delenv("MIPEXR_CONCURRENT_RUNS", raising=False)
    assert serving.concurrent_runs() == serving.DEFAULT_CONCURRENT_RUNS
    monkeypatch.setenv("MIPEXR_CONCURRENT_RUNS", "0")
    assert serving.concurrent_runs() == 0
    monkeypatch.setenv("MIPEXR_CONCURRENT_RUNS", "3")
    assert serving.concurrent_runs() == 3
    monkeypatch.setenv("MIPEXR_CONCURRENT_RUNS", "lots")
    assert serving.concurrent_runs() == serving.DEFAULT_CONCURRENT_RUNS
