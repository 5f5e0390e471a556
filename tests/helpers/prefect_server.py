"""A real Prefect cluster on loopback: PostgreSQL, `prefect server start`, process workers;
and the test run's one Prefect test server that every process of the run shares
(`shared_test_server`).

PostgreSQL is Debian's (`/usr/lib/postgresql/<version>/bin`); it refuses to run as root, so
as root the cluster is made and run as the `postgres` user in a folder it owns. Nothing is
skipped: when a piece is missing, `require` fails the test saying what to install.
Every service runs in its own process group, so a test can kill a worker outright
(`kill_tree`) and the fixtures can stop whatever is left.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from flows.prefect_server import drain_prefect_services

TESTS = Path(__file__).resolve().parent.parent
PG_ROOT = Path("/usr/lib/postgresql")


def require(condition: bool, what: str) -> None:
    """Fail (never skip) the test when something it needs is missing."""
    if not condition:
        pytest.fail(f"the distributed test needs {what}", pytrace=False)


def pg_bin() -> Path:
    """The newest installed PostgreSQL's bin folder."""
    found = sorted(
        PG_ROOT.glob("*/bin/initdb"), key=lambda path: float(path.parts[-3]) if path.parts[-3].isdigit() else 0
    )
    require(bool(found), "PostgreSQL's server (apt-get install postgresql): no /usr/lib/postgresql/*/bin/initdb")
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a service: this checkout's code first, Prefect quiet and offline."""
    paths = [str(TESTS.parent), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", PREFECT_LOGGING_LEVEL="INFO")
    env.update(extra)
    return env


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster on a loopback port, in a folder of its own under the
    system's temporary folder (pytest's are private to root, out of the postgres user's reach)."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="xxgk-pg-")))
    port: int = field(default_factory=free_port)

    def _as_owner(self, *command: str | Path) -> list[str]:
        command = [str(part) for part in command]
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def start(self) -> str:
        """Make and start the cluster; its asyncpg URL for Prefect."""
        bindir = pg_bin()
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            require(_user_exists("postgres"), "the postgres user (apt-get install postgresql)")
            require(shutil.which("runuser") is not None, "runuser (util-linux) to run PostgreSQL as postgres")
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        run = subprocess.run(
            self._as_owner(bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"),
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, f"initdb failed: {run.stderr}"
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [bindir / "pg_ctl", "-D", data, "-l", self.folder / "postgres.log", "-o", options, "-w", "start"]
        run = subprocess.run(self._as_owner(*command), capture_output=True, text=True)
        log = (
            (self.folder / "postgres.log").read_text(errors="replace")
            if (self.folder / "postgres.log").exists()
            else ""
        )
        assert run.returncode == 0, f"pg_ctl start failed: {run.stderr}\n{log}"
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        command = [pg_bin() / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "stop"]
        subprocess.run(self._as_owner(*command), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@dataclass
class Service:
    """A process started in its own process group, its output in a log file."""

    name: str
    process: subprocess.Popen
    log: Path

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        kill_group(self.process.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def spawn(name: str, command: list[str], env: dict[str, str], folder: Path) -> Service:
    log = folder / f"{name}.log"
    out = log.open("w")
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    out.close()
    return Service(name, process, log)


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group (gone already: nothing)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def parent_pid(pid: int) -> int | None:
    """A process's parent, from /proc (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descends_from(pid: int, ancestor: int) -> bool:
    """Whether `pid` is `ancestor` or one of its descendants."""
    seen = 0
    while pid and seen < 64:
        if pid == ancestor:
            return True
        pid, seen = parent_pid(pid) or 0, seen + 1
    return False


@dataclass
class Cluster:
    """A Prefect server on PostgreSQL and the process workers of one pool."""

    folder: Path
    api_url: str
    server: Service
    database_url: str
    workers: list[Service] = field(default_factory=list)

    def stop_server(self) -> None:
        """Kill the server outright (its database and the workers stay)."""
        self.server.stop()

    def restart_server(self) -> None:
        """Start the server again on the same port, database and home (its leases kept)."""
        port = int(self.api_url.rsplit(":", 1)[1].split("/", 1)[0])
        self.server = start_server(self.folder, self.database_url, port=port).server

    def stop_workers(self) -> None:
        """Stop every worker started so far: an idle worker still asks the server for work
        every second."""
        for worker in self.workers:
            worker.stop()
        self.workers.clear()

    def worker_env(self) -> dict[str, str]:
        return child_env(
            PREFECT_API_URL=self.api_url,
            PREFECT_HOME=str(self.folder / "worker-home"),
            PREFECT_WORKER_QUERY_SECONDS="1",
            PREFECT_WORKER_PREFETCH_SECONDS="5",
        )

    def start_worker(self, pool: str, name: str) -> Service:
        command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", pool, "--type", "process"]
        worker = spawn(name, [*command, "--name", name], self.worker_env(), self.folder)
        self.workers.append(worker)
        return worker


def start_server(folder: Path, database_url: str, timeout: float = 90.0, port: int | None = None) -> Cluster:
    """`prefect server start` on a loopback port (a free one unless given), its database
    PostgreSQL, its concurrency leases in files under its home (the in-memory default
    forgets them at a restart, leaving their slots taken for ever); waits for health."""
    port = port or free_port()
    env = child_env(
        PREFECT_HOME=str(folder / "server-home"),
        PREFECT_API_DATABASE_CONNECTION_URL=database_url,
        PREFECT_UI_ENABLED="false",
        PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
        PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS="1",
        PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE="prefect.server.concurrency.lease_storage.filesystem",
    )
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    server = spawn("server", command, env, folder)
    api_url = f"http://127.0.0.1:{port}/api"
    wait_healthy(server, api_url, timeout)
    return Cluster(folder, api_url, server, database_url)


def wait_healthy(server: Service, api_url: str, timeout: float) -> None:
    """Wait until the server answers its health check; stop it and fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"prefect server exited:\n{server.tail()}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    server.stop()
    raise AssertionError(f"prefect server not healthy after {timeout} s:\n{server.tail()}")


def shared_test_server(folder: Path, timeout: float = 120.0) -> str:
    """The test run's one Prefect server, for every process of the run; its API URL.

    The first process that asks starts it, under a lock in `folder` (a folder every process of
    the run knows), as Prefect's own test harness starts one: SQLite, no UI, no background
    services. The others read its URL from `folder`. `stop_shared_test_server` stops it once
    the run is over. One server instead of one per process saves each process its start,
    about 13 s of CPU (its imports and the migration of its database)."""
    import prefect

    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "server.json"
    with (folder / "server.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            return json.loads(record.read_text(encoding="utf-8"))["api_url"]
        port = free_port()
        env = child_env(
            PREFECT_HOME=str(folder / "home"),
            PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{folder / 'prefect.db'}",
            PREFECT_UI_ENABLED="0",
            PREFECT__SERVER_EPHEMERAL="1",  # as the harness's: no background services
            PREFECT__SERVER_FINAL="1",
        )
        env.pop("PREFECT_API_URL", None)
        app = ["--app-dir", str(prefect.__module_path__.parent), "--factory", "prefect.server.api.server:create_app"]
        where = ["--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
        command = [sys.executable, "-m", "uvicorn", *app, *where]
        server = spawn("prefect-test-server", command, env, folder)
        api_url = f"http://127.0.0.1:{port}/api"
        wait_healthy(server, api_url, timeout)
        record.write_text(json.dumps({"api_url": api_url, "pid": server.process.pid}), encoding="utf-8")
        return api_url


def stop_shared_test_server(folder: Path) -> None:
    """Stop the run's shared server, when one was started under `folder`."""
    record = folder / "server.json"
    if record.exists():
        kill_group(json.loads(record.read_text(encoding="utf-8"))["pid"])
        record.unlink()


@contextlib.contextmanager
def prefect_cluster(folder: Path) -> Iterator[Cluster]:
    """PostgreSQL and a Prefect server on it, for the block; everything stopped after."""
    folder.mkdir(parents=True, exist_ok=True)
    database = Postgres()
    url = database.start()
    try:
        cluster = start_server(folder, url)
        try:
            yield cluster
        finally:
            drain_prefect_services()  # while their server still answers: a stopped one never does
            cluster.stop_workers()
            cluster.server.stop()
    finally:
        database.stop()
