"""Every distributed night ends, and loses nothing it harvested, whatever fails: a real Prefect
server on PostgreSQL, real process workers, the simulated world on loopback (one document in
ten of it: what fails matters here, not how much is harvested).

- No worker at all: the night ends at its deadline; its portals fail "night deadline
  passed"; its scheduled batch runs are cancelled (no worker takes them later); it
  publishes and frees its run lock. A run no worker takes within the start timeout is dead.
- A wedged batch (its portal's server answers after the read timeout, every time; the
  process is alive, its lease renewed): its progress stops, it is cancelled, and its
  unfinished portal harvested again by a new attempt once the old process is gone.
- The orchestrator killed between the batches' completion and their acceptance: `xxgk
  sync --resume` takes the night's harvest in; nothing is removed unread.
- (slow) A batch cut off from the Prefect server: it exits before its lease could expire,
  and the night ends with the batch harvested again once the server is back.
Each checks with the sim's request log that no host was asked by two processes at once.
"""

from __future__ import annotations

import contextvars
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from helpers.distributed import batch_runs, deploy, harvest_only, impolite, runs_loaded, senders, write_config
from helpers.prefect_server import Cluster, child_env, kill_group, prefect_cluster
from helpers.request_log import RequestLog
from typer.testing import CliRunner

from flows.config.clock import DEADLINE_PASSED, Deadline
from flows.distributed.exchange import read_json
from flows.distributed.flow import run_distributed
from flows.distributed.lease import LeaseKeeper, acquire, release_lease
from flows.night.housekeeping import exclusive_run
from sim.registry import build_world
from sim.server import SimServer, start

# A long group (a Prefect server and workers): dealt to a worker first (tests/conftest.py).
pytestmark = pytest.mark.first

TWO = ("ly-yd-aic-site", "ly-ct-aic-site")  # two small portals on hosts of their own
WEDGED = "ly-ct-aic-site"
LEASE = 60  # Prefect's shortest lease
#: Seconds between two looks at the server's flow runs: each look opens a client (its TLS
#: context alone costs tens of milliseconds of CPU), and the nights wait for tens of seconds.
POLL = 1.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """One Prefect server on PostgreSQL for the module's nights; each test has its own pool."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    folder = tmp_path_factory.mktemp("cluster")
    with prefect_cluster(folder) as running, temporary_settings({PREFECT_API_URL: running.api_url}):
        yield running


@pytest.fixture(autouse=True)
def workers_stop_with_their_test(cluster: Cluster) -> Iterator[None]:
    """Each test's workers end with it (each test has a pool of its own)."""
    yield
    cluster.stop_workers()


def small_world(faults: tuple[str, ...] | list[str] = ()) -> SimServer:
    """The Longyan world with one document in ten on loopback: these nights are about what
    fails, not how much is harvested (the cut-off test below keeps the whole world: its
    harvest must outlast a lease)."""
    return start(build_world(small=True), port=0, faults=faults)


def night(config: Path, parameters: dict, **options):
    """The orchestrator run here with the deployment's parameters (and `options` over them)."""
    return run_distributed(config, **{**{k: v for k, v in parameters.items() if k != "config_path"}, **options})


def flow_run_states(run_id: str) -> dict[str, list[str]]:
    return {batch: [state for _, state in runs] for batch, runs in batch_runs(run_id).items()}


def test_a_night_without_a_worker_ends_at_its_deadline(cluster: Cluster, tmp_path: Path) -> None:
    with small_world() as sim:
        config = write_config(sim, tmp_path / "idle", TWO, harvest="night_deadline = 6", name="idle.toml")
        parameters = deploy(config, "idle", batch_size=1, progress_timeout=30)
        began = time.monotonic()
        result = night(config, parameters, deadline_grace=2, poll_seconds=0.5)
        took = time.monotonic() - began
    assert took < 6 + 2 + 45, took  # the deadline, its grace, the build on a busy machine
    assert [(o.portal_id, o.status, o.reason) for o in result.outcomes] == [
        (portal, "failed", DEADLINE_PASSED) for portal in TWO
    ]
    assert result.build is not None and result.build.ok, result.build
    assert (tmp_path / "idle" / "data" / "xxgk.duckdb").exists()  # published what it had: nothing
    assert flow_run_states(result.run_id) == {"b1": ["CANCELLED"], "b2": ["CANCELLED"]}  # no worker takes them later
    with exclusive_run(tmp_path / "idle" / "data"):  # the run lock is free
        pass
    assert sim.served(TWO[0]) == sim.served(TWO[1]) == 0


def test_a_run_no_worker_takes_is_dead_after_the_start_timeout(cluster: Cluster, tmp_path: Path) -> None:
    with small_world() as sim:
        config = write_config(sim, tmp_path / "late", TWO[:1], harvest="night_deadline = 600", name="late.toml")
        parameters = deploy(config, "late", batch_size=1, progress_timeout=30)
        began = time.monotonic()
        result = night(config, parameters, start_timeout=3, max_attempts=2, poll_seconds=0.5)
        took = time.monotonic() - began
    assert took < 2 * 3 + 45, took
    reason = "batch b1 crashed: no worker took it within 3 s; gave up after 2 attempts"
    assert [(o.portal_id, o.status, o.reason) for o in result.outcomes] == [(TWO[0], "failed", reason)]
    assert flow_run_states(result.run_id) == {"b1": ["CANCELLED", "CANCELLED"]}


class Unwedge(threading.Thread):
    """Lifts the wedge once the orchestrator has taken the wedged attempt for dead."""

    def __init__(self, sim, exchange: Path) -> None:
        super().__init__(daemon=True)
        self.sim, self.exchange, self.seen = sim, exchange, ""
        self.context = contextvars.copy_context()  # the test's Prefect settings

    def run(self) -> None:
        self.context.run(self._watch)

    def _watch(self) -> None:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            nights = list(self.exchange.glob("*/plan"))
            first = flow_run_states(nights[0].parent.name).get("b1", [""])[0] if nights else ""
            if first in ("CANCELLING", "CANCELLED", "CRASHED"):
                self.seen = first
                self.sim.set_faults([])
                return
            time.sleep(POLL)


def test_a_wedged_batch_is_stopped_and_its_portal_harvested_again(cluster: Cluster, tmp_path: Path) -> None:
    with small_world(faults=[f"{WEDGED}:slow:6"]) as sim:  # past the config's 5 s read timeout
        log = RequestLog().attach(sim)
        config = write_config(sim, tmp_path / "wedge", TWO, concurrency=2, name="wedge.toml")
        parameters = deploy(config, "wedge", batch_size=2, progress_timeout=10)
        cluster.start_worker("wedge", "wedge-worker")
        unwedge = Unwedge(sim, tmp_path / "wedge" / "data" / "exchange")
        unwedge.start()
        since = time.monotonic()
        result = night(config, parameters, progress_timeout=6, lease_seconds=LEASE, poll_seconds=0.5)
        unwedge.join(timeout=1)
        states = flow_run_states(result.run_id)
    assert unwedge.seen, "the wedged attempt was never taken for dead"
    assert result.ok, [(o.portal_id, o.reason) for o in result.outcomes]
    assert states == {"b1": ["CANCELLED", "COMPLETED"]}  # stopped by its worker, then done again
    requests = log.by_portal(since, harvest_only(sim.world))
    assert len(senders(requests[TWO[0]])) == 1  # finished by the wedged attempt: not asked again
    assert len(senders(requests[WEDGED])) == 2  # the wedged attempt, then the next one
    for portal, rows in requests.items():
        assert impolite(rows) == [], portal
    loaded = runs_loaded(tmp_path / "wedge" / "data", result.run_id)
    assert [portal for portal, _ in loaded] == sorted(TWO)
    assert all(rows > 0 for _, rows in loaded), loaded


def test_a_night_whose_orchestrator_died_before_accepting_is_taken_in_by_resume(
    cluster: Cluster, tmp_path: Path
) -> None:
    from flows.cli.app import app

    with small_world() as sim:
        log = RequestLog().attach(sim)
        config = write_config(sim, tmp_path / "orphan", TWO, name="orphan.toml")
        parameters = deploy(config, "orphan", batch_size=1, progress_timeout=30)
        cluster.start_worker("orphan", "orphan-worker")
        data = tmp_path / "orphan" / "data"
        script = (
            "import sys; from flows.distributed.flow import run_distributed; "
            "run_distributed(sys.argv[1], sys.argv[2], batch_size=1, poll_seconds=0.5)"
        )
        orchestrator = subprocess.Popen(
            [sys.executable, "-c", script, str(config), parameters["batch_deployment"]],
            env=child_env(PREFECT_API_URL=cluster.api_url),
            start_new_session=True,
        )
        try:
            run_id = frozen_once_running(orchestrator, data)
            wait_for(lambda: flow_run_states(run_id) == {"b1": ["COMPLETED"], "b2": ["COMPLETED"]}, 180)
        finally:
            kill_group(orchestrator.pid)  # between the batches' completion and their acceptance
            orchestrator.wait(timeout=30)
        assert not list((data / "landing").glob("*/*.run.json")), "it had accepted before it was killed"
        outcome = CliRunner().invoke(app, ["sync", "--config", str(config), "--resume"])
    assert outcome.exit_code == 0, outcome.output
    loaded = runs_loaded(data, run_id)
    assert [portal for portal, _ in loaded] == sorted(TWO) and all(rows > 0 for _, rows in loaded), loaded
    assert not any((data / "exchange").iterdir())  # removed once taken in
    for portal in TWO:
        assert len(senders(log.by_portal(0, harvest_only(sim.world))[portal])) == 1  # harvested once, by one process


def frozen_once_running(orchestrator: subprocess.Popen, data: Path) -> str:
    """Stop (SIGSTOP) the orchestrator once it has started its batches; the night's run id."""

    def nights() -> list[Path]:
        return [p for p in (data / "exchange").glob("*") if p.is_dir()] if (data / "exchange").is_dir() else []

    wait_for(lambda: orchestrator.poll() is not None or (nights() and flow_run_states(nights()[0].name)), 180)
    assert orchestrator.poll() is None, "the orchestrator ended before it could be stopped"
    run_id = nights()[0].name
    wait_for(lambda: len(flow_run_states(run_id)) == 2, 60)  # both batches started
    os.killpg(orchestrator.pid, signal.SIGSTOP)
    return run_id


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(POLL)


def test_a_released_lease_stops_its_batch_at_the_next_renewal(cluster: Cluster, tmp_path: Path) -> None:
    """The smaller version of the cut-off test below, against the real server: the keeper
    renews; once the lease is released (the orchestrator took the attempt for dead), the
    server answers 410 and the keeper stops the process at its next renewal."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    name = f"xxgk-host-lease-test-{uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
    lease_id, sent = acquire([name], LEASE, wait=5, deadline=Deadline(None), holder=None)
    stopped = threading.Event()
    with LeaseKeeper(lease_id, LEASE, sent, stop=stopped.set):
        time.sleep(LEASE / 4 + 2)  # one renewal went through
        assert not stopped.is_set()
        record = tmp_path / f"{name}.json"
        record.write_text(f'{{"lease_id": "{lease_id}"}}', encoding="utf-8")
        with get_client(sync_client=True) as client:
            release_lease(client, record)
        assert stopped.wait(LEASE / 4 + 10), "still harvesting after its lease was released"


@pytest.mark.slow
def test_a_batch_cut_off_from_the_server_exits_before_its_lease_expires(cluster: Cluster, tmp_path: Path) -> None:
    with start(port=0, faults=[f"{portal}:slow:0.4" for portal in TWO]) as sim:
        log = RequestLog().attach(sim)
        config = write_config(sim, tmp_path / "cut", TWO, concurrency=2, name="cut.toml")
        parameters = deploy(config, "cut", batch_size=2, progress_timeout=10)
        cluster.start_worker("cut", "cut-worker")
        cutter = Cutter(cluster, sim, tmp_path / "cut" / "data" / "exchange")
        cutter.start()
        result = night(config, parameters, lease_seconds=LEASE, poll_seconds=0.5)
        cutter.join(timeout=1)
    assert cutter.error is None, cutter.error
    assert cutter.gone_after is not None and cutter.gone_after <= LEASE + 5, cutter.gone_after
    assert result.ok, [(o.portal_id, o.reason) for o in result.outcomes]
    assert len(flow_run_states(result.run_id)["b1"]) == 2
    for portal, rows in log.by_portal(0).items():
        assert impolite(rows) == [], portal
    assert "host lease not renewed for 60 s" in "".join(w.log.read_text(errors="replace") for w in cluster.workers)


class Cutter(threading.Thread):
    """Stops the Prefect server while the batch harvests, waits for the batch's process to
    exit by itself, then lifts the sim's slowness and starts the server again."""

    def __init__(self, cluster: Cluster, sim, exchange: Path) -> None:
        super().__init__(daemon=True)
        self.cluster, self.sim, self.exchange = cluster, sim, exchange
        self.gone_after: float | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            progress = self._harvesting()
            self.cluster.stop_server()
            stopped = time.monotonic()
            while Path(f"/proc/{progress['pid']}").exists() and time.monotonic() - stopped < LEASE + 30:
                time.sleep(0.2)
            self.gone_after = time.monotonic() - stopped
            self.sim.set_faults([])
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.cluster.restart_server()

    def _harvesting(self) -> dict:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            for path in self.exchange.glob("*/b1/*/progress.json"):
                progress = read_json(path) or {}
                if progress.get("phase") == "harvesting" and progress.get("rows", 0) > 0:
                    return progress
            time.sleep(0.2)
        raise AssertionError("the batch never harvested")
