"""Limits in multi-replica mode: the counters live in the shared store's PostgreSQL database,
so two replicas (two counter objects with their own connections) see one count, and
concurrent checks never let more through than the limit (issue 16, build item 2)."""

from __future__ import annotations

import threading

from lakefix import lake_env, pg_server  # noqa: F401

from data import limits
from data.config import Settings
from ui.auth import Throttle


def test_replicas_share_the_counters_and_the_last_place_is_taken_once(lake_env, tmp_path):  # noqa: F811
    cfg = Settings(store_path=tmp_path / "unused", catalog=lake_env["MIPEXR_CATALOG"],
                   data_path=lake_env["MIPEXR_DATA_PATH"])
    first = limits.open_counters(cfg)
    assert isinstance(first, limits.PostgresCounters)
    conninfo = lake_env["MIPEXR_CATALOG"].removeprefix("postgres:")
    replicas = [limits.PostgresCounters(conninfo) for _ in range(2)]
    assert replicas[0].salt() == replicas[1].salt() == first.salt()  # one salt: keys agree
    key = replicas[0].key("client", "203.0.113.1")
    results = []

    def one(i):
        d = limits.take(replicas[i % 2], [("proposal-client", key, 5, 3600)])
        results.append(d.allowed)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count(True) == 5 and results.count(False) == 3
    # a failed sign-in on one replica pauses the client on the other
    th = Throttle(client_free=2, name_free=10, base=30, cap=3600, window=86400)
    assert th.attempt(replicas[0], "ana", "198.51.100.9", now=1000) == 0  # wrong password
    assert th.attempt(replicas[1], "ana", "198.51.100.9", now=1001) == 0  # wrong again: paused 30 s
    assert th.attempt(replicas[0], "ana", "198.51.100.9", now=1001.5) == 29.5
    assert th.wait(replicas[0], "ana", "198.51.100.9", now=1002) == 29
    th.success(replicas[1], "ana", "198.51.100.9")
    assert th.wait(replicas[0], "ana", "198.51.100.9", now=1003) == 0
