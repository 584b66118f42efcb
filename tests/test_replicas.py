"""Two app replicas over one shared store, behind nginx with a sticky cookie: a publish made
through one replica's configuration is what a session on the other shows on its next
interaction. Driven with the load test's protocol client (no browser needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from data.lake import LakeStore
from lakefix import REQUIRED, lake_env, pg_server  # noqa: F401

sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture
def two_replicas(lake_env, tmp_path):
    from deploy import servers

    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        if REQUIRED:
            pytest.fail("MIPEXR_REQUIRE_LAKE=1 but nginx is not installed")
        pytest.skip("nginx is not installed")
    subprocess.run([sys.executable, "-m", "data", "init"], cwd=ROOT, check=True,
                   env=dict(os.environ, **lake_env), capture_output=True)
    started = []
    try:
        ports = []
        for i in range(2):
            proc, port = servers.start_replica(lake_env, tmp_path / f"replica-{i}.log")
            started.append(proc)
            ports.append(port)
        ng, nport = servers.start_nginx(ports, tmp_path / "nginx")
        started.append(ng)
        yield f"http://127.0.0.1:{nport}", ports, lake_env
    finally:
        for proc in reversed(started):
            servers.stop_pid(proc.pid)


def test_publish_on_one_replica_is_seen_through_the_other(two_replicas):
    from loadtest import Session

    url, ports, env = two_replicas
    # Sessions through nginx until both replicas have one (the cookie decides, at random).
    by_replica, tries = {}, 0
    while len(by_replica) < 2 and tries < 40:
        s = Session(url)
        s.rerun()
        by_replica.setdefault(_replica_of(s), s)
        tries += 1
    assert set(by_replica) == {"r0", "r1"}, "nginx should spread new browsers over both"
    before = {r: s.version() for r, s in by_replica.items()}
    assert len(set(before.values())) == 1 and None not in before.values()
    # A staff member publishes with the replicas' configuration (one value changed).
    store = LakeStore(env["MIPEXR_CATALOG"], env["MIPEXR_DATA_PATH"])
    tables = store.tables()
    tables["scores"].loc[0, "note"] = "changed by the replica test"
    new = store.publish(tables, base_version=before["r0"], who="replica-a")
    store.close()
    # Both sessions, each on its own replica, see the new version on the next interaction.
    for replica, s in by_replica.items():
        s.rerun()
        assert s.version() == new, replica
    for s in by_replica.values():
        s.close()


def _replica_of(session) -> str:
    return session.cookie.split("mipexr_replica=", 1)[1].split(";")[0]


def test_the_deploy_recipe_does_not_expose_metrics(two_replicas):
    """Issue 16, problem 6: /_stcore/metrics is Streamlit's, not the public's."""
    import urllib.error
    import urllib.request

    url, ports, _env = two_replicas
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(url + "/_stcore/metrics", timeout=10)
    assert exc.value.code == 404
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(url + "/_stcore/metrics?x=1", timeout=10)
    assert urllib.request.urlopen(url + "/_stcore/health", timeout=10).read() == b"ok"  # the app is there
