"""The night on Prefect workers, for real: PostgreSQL, `prefect server start`, two process
workers, the simulated world on loopback, and one worker killed in the middle of a batch.

Six portals of the small Longyan world (one document in ten) are harvested once by the single-machine night
(`run_nightly`) and once by the distributed one (`xxgk deploy --pool`, then the
orchestrator with the deployment's own parameters) over the same sim. `ly-zp-aic-site`
lists `ly-wp-aic-site`'s host among its hosts, so the two must share a batch. While that
batch harvests, its worker's whole process group and its flow run's are SIGKILLed; the
orchestrator must notice that its progress stopped, free its hosts, wait until the dead
attempt is surely gone (the lease's length: nobody is left to confirm it), mark the run
Crashed and run the batch's unfinished portals again on the other worker. The sim's
request log (tests/helpers/request_log.py) says whether a host was ever asked twice at
once. The faults a night must end through are in tests/test_distributed_faults.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers.distributed import PORTALS, batch_runs, deploy, harvest_only, impolite, runs_loaded, senders, write_config
from helpers.prefect_server import Cluster, descends_from, kill_group, prefect_cluster
from helpers.request_log import RequestLog
from typer.testing import CliRunner

from connectors.detail_debt import OwedDetail
from flows.config.load import load_config
from flows.config.model import Portal
from flows.distributed.exchange import outcome_path, write_json
from flows.distributed.flow import accept, run_distributed
from flows.distributed.plan import PortalPlan, WorkerBatch, make_batches, plan_path, read_plan, slot_name, write_plan
from flows.distributed.watch import Attempt, Track
from flows.night.steps import PortalOutcome
from sim.registry import build_world
from sim.server import start
from warehouse.build import totals
from warehouse.landing import write_landing
from warehouse.landing_sets import every_set

# A long group (a Prefect server and two workers): dealt to a worker first (tests/conftest.py).
pytestmark = pytest.mark.first

SHARED = {"ly-zp-aic-site", "ly-wp-aic-site"}  # the first names the second's host: one batch
POOL, BATCH_SIZE, TIMEOUT, LEASE = "xxgk-test", 3, 10, 60
KILL_AFTER = 20  # requests of the shared batch (about 50) served before its worker is killed


def deploy_checked(config: Path) -> dict:
    """`xxgk deploy --pool`: the pool, both deployments on it, the cron; the orchestrator's parameters."""
    from prefect.client.orchestration import get_client

    parameters = deploy(config, POOL, BATCH_SIZE, TIMEOUT)
    with get_client(sync_client=True) as client:
        pool = client.read_work_pool(POOL)
        deployment = client.read_deployment_by_name(f"xxgk-distributed/xxgk-{config.stem}")
        batch = client.read_deployment_by_name(f"xxgk-batch/xxgk-{config.stem}")
    assert pool.type == "process"
    assert deployment.work_pool_name == batch.work_pool_name == POOL
    assert [s.schedule.cron for s in deployment.schedules] == ["0 2 * * *"]
    return parameters


class Killer(threading.Thread):
    """Kills the worker running the shared batch once it has served `KILL_AFTER` requests."""

    def __init__(self, cluster: Cluster, log: RequestLog, exchange: Path, batch_id: str, since: float) -> None:
        super().__init__(daemon=True)
        self.cluster, self.log, self.exchange, self.batch_id, self.since = cluster, log, exchange, batch_id, since
        self.victim: str | None = None
        self.attempt: str | None = None
        self.error: str | None = None

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            served = sum(len(rows) for pid, rows in self.log.by_portal(self.since).items() if pid in SHARED)
            beats = list(self.exchange.glob(f"*/{self.batch_id}/*/progress.json"))
            if served >= KILL_AFTER and beats:
                self._kill(beats[0])
                return
            time.sleep(0.05)
        self.error = "the shared batch never got going"

    def _kill(self, beat: Path) -> None:
        heart = json.loads(beat.read_text(encoding="utf-8"))
        for worker in self.cluster.workers:
            if descends_from(heart["pid"], worker.process.pid):
                self.victim, self.attempt = worker.name, beat.parent.name
                kill_group(worker.process.pid)  # the worker and all it started in its group
                kill_group(heart["pgid"])  # the flow run, in a session of its own
                return
        self.error = f"flow run pid {heart['pid']} belongs to no worker"


def figures(data: Path) -> tuple[dict, set[str]]:
    published = data / "xxgk.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        doc_ids = {row[0] for row in con.execute("SELECT doc_id FROM fct_documents").fetchall()}
    return json.loads(json.dumps(totals(published, "ly-aic", 2012))), doc_ids


def portal(portal_id: str, url: str, hosts: tuple[str, ...] = ()) -> Portal:
    return Portal(id=portal_id, name=portal_id, level="county", platform="trs", url=url, hosts=list(hosts))


def test_portals_sharing_a_host_directly_or_through_a_chain_share_a_batch() -> None:
    portals = [
        portal("a", "http://a.gov.cn/"),
        portal("b", "http://b.gov.cn/", hosts=("c.gov.cn",)),
        portal("c", "https://c.gov.cn/list"),  # b names c's host (both default ports)
        portal("d", "http://d.gov.cn:8080/", hosts=("e.gov.cn:81",)),
        portal("e", "http://e.gov.cn:81/"),
        portal("f", "http://f.gov.cn/", hosts=("b.gov.cn",)),  # chained to c through b
    ]
    batches = make_batches(portals, size=2)
    by_portal = {pid: b.id for b in batches for pid in b.portal_ids}
    assert by_portal["b"] == by_portal["c"] == by_portal["f"]
    assert by_portal["d"] == by_portal["e"]
    # a group larger than the size stays whole; the others are packed first fit in config order
    assert [b.portal_ids for b in batches] == [("a",), ("b", "c", "f"), ("d", "e")]
    assert batches[1].hosts == (
        "b.gov.cn:443",
        "b.gov.cn:80",
        "c.gov.cn:443",
        "c.gov.cn:80",
        "f.gov.cn:443",
        "f.gov.cn:80",
    )
    assert batches[1].slots[0] == "xxgk-host-b.gov.cn:443"
    assert [b.portal_ids for b in make_batches(portals, size=10)] == [("a", "b", "c", "f", "d", "e")]
    with pytest.raises(ValueError, match="at least 1"):
        make_batches(portals, size=0)


def test_a_plan_reads_back_as_written(tmp_path: Path) -> None:
    owed = OwedDetail(
        "http://a.gov.cn/d/1.html",
        attempts=2,
        last_attempt=date(2012, 12, 30),
        owed_since=date(2012, 12, 1),
        listing_hash="h2",
    )
    gone = OwedDetail("http://a.gov.cn/d/3.html", owed_since=date(2012, 11, 2), gone_on=date(2012, 12, 2))
    plans = {
        "a": PortalPlan("incremental", {"k1": "h1"}, {"k2": owed, "k3": gone}),
        "b": PortalPlan("full", {}, {}),
    }
    path = plan_path(tmp_path, "20121231T020000Z", "b1")
    write_plan(path, plans, date(2012, 12, 31))
    assert read_plan(path) == (plans, date(2012, 12, 31))
    with pytest.raises(ValueError, match="not a safe name"):
        plan_path(tmp_path, "../up", "b1")


def land(folder: Path, run_id: str, portal_id: str, rows: int = 0, final: bool = True) -> None:
    """One whole landing run of `portal_id` under an attempt's `folder`, its outcome file
    (the run is final) when `final`; `rows` says which attempt it came from."""
    run = {"mode": "full", "status": "ok", "started_at": "2012-12-31T02:00:00+00:00", "complete": True, "rows": rows}
    write_landing(folder, run_id, portal_id, [], run=run)
    if final:
        write_json(outcome_path(folder, portal_id), PortalOutcome(portal_id, "full", "ok", rows=rows).as_dict())


def test_each_portal_is_taken_from_the_latest_attempt_that_finished_it(tmp_path: Path) -> None:
    run_id, exchange = "20121231T020000Z", tmp_path / "exchange"
    first, second = (exchange / run_id / "b1" / name for name in ("1-aaa", "2-bbb"))
    land(first, run_id, "a", rows=1)  # finished by the first attempt only
    land(first, run_id, "b", rows=1)
    land(second, run_id, "b", rows=2)  # finished again by the second: the second's is taken
    land(first, run_id, "c", rows=1, final=False)  # whole, but its attempt died before calling it final
    batch = WorkerBatch("b1", ("a", "b", "c", "d"), ("a.gov.cn:80",))
    track = Track(batch, [Attempt(1, "aaa", first), Attempt(2, "bbb", second)], state="CRASHED", message="why")
    outcomes = accept(track, tmp_path / "data", run_id)
    landed = {path.name: json.loads(path.read_text())["rows"] for path in (tmp_path / "data").rglob("*.run.json")}
    assert landed == {"a.run.json": 1, "b.run.json": 2}
    assert [(o.portal_id, o.status, o.rows, o.reason) for o in outcomes] == [
        ("a", "ok", 1, None),
        ("b", "ok", 2, None),
        ("c", "failed", 0, "batch b1 crashed: why"),
        ("d", "failed", 0, "batch b1 crashed: why"),
    ]
    track.cut = True  # the deadline ended the batch: what no attempt finished failed for it
    assert {o.reason for o in accept(track, tmp_path / "data", run_id)} == {None, "night deadline passed"}


def test_deploy_without_a_server_says_how_to_start_one(tmp_path: Path) -> None:
    config = tmp_path / "x.toml"
    config.write_text('[warehouse]\ndata_dir = "data"\n', encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/api"
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.cli.app import app

    with temporary_settings({PREFECT_API_URL: url}):
        outcome = CliRunner().invoke(app, ["deploy", "--config", str(config), "--pool", "p"])
    assert outcome.exit_code == 2
    assert "prefect server start" in outcome.output


def test_pool_deployments_name_each_other(tmp_path: Path) -> None:
    from flows.distributed.deploy import build_pool_deployments

    config = tmp_path / "longyan.toml"
    orchestrator, batch = build_pool_deployments(config, "pool-a", batch_size=5, orchestrator_pool="main")
    assert (orchestrator.flow_name, orchestrator.name, orchestrator.work_pool_name) == (
        "xxgk-distributed",
        "xxgk-longyan",
        "main",
    )
    assert (batch.flow_name, batch.name, batch.work_pool_name) == ("xxgk-batch", "xxgk-longyan", "pool-a")
    assert batch.entrypoint == "flows.distributed.batch.batch"
    assert orchestrator.parameters["batch_deployment"] == "xxgk-batch/xxgk-longyan"
    assert orchestrator.parameters["config_path"] == str(config.resolve())
    assert orchestrator.concurrency_limit == 1
    with pytest.raises(ValueError, match="batch-size"):
        build_pool_deployments(config, "pool-a", batch_size=0)


def test_distributed_night_matches_one_machine_and_survives_a_killed_worker(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.night.flow import run_nightly

    with start(build_world(small=True)) as sim, prefect_cluster(tmp_path / "cluster") as cluster:
        log = RequestLog().attach(sim)
        # one portal at a time on one machine: the nightly flow's harvest tasks share one HTTP
        # client, and Prefect's input resolution can trip over it while other tasks fill it
        single = write_config(sim, tmp_path / "single", delay=0, concurrency=1)
        spread = write_config(sim, tmp_path / "spread")
        with temporary_settings({PREFECT_API_URL: cluster.api_url}):
            parameters = deploy_checked(spread)
            for name in ("w1", "w2"):
                cluster.start_worker(POOL, name)
            base_start = time.monotonic()
            baseline = run_nightly(single)  # the workers boot meanwhile
            assert baseline.ok, [o.reason for o in baseline.outcomes]
            since = time.monotonic()
            batches = make_batches(list(load_config(spread).portals), BATCH_SIZE)
            # one host group, one batch (config order alone would cut between them)
            assert [b.portal_ids for b in batches] == [PORTALS[0:2] + PORTALS[3:4], PORTALS[2:3] + PORTALS[4:]]
            shared = batches[1]
            killer = Killer(cluster, log, tmp_path / "spread" / "data" / "exchange", shared.id, since)
            killer.start()
            options = {k: v for k, v in parameters.items() if k != "config_path"}
            result = run_distributed(parameters["config_path"], start_timeout=120, lease_seconds=LEASE, **options)
            killer.join(timeout=1)
            assert killer.error is None and killer.victim, killer.error
            runs = batch_runs(result.run_id)
            with get_client(sync_client=True) as client:
                held = {h: client.read_global_concurrency_limit_by_name(slot_name(h)) for b in batches for h in b.hosts}
        survivor = next(w for w in cluster.workers if w.name != killer.victim)

    assert result.ok, [(o.portal_id, o.reason) for o in result.outcomes]
    # the killed attempt was marked Crashed and the batch ran again, on the other worker
    assert [state for _, state in runs[shared.id]] == ["CRASHED", "COMPLETED"]
    assert runs[shared.id][0][0] == killer.attempt.split("-", 1)[1]  # the attempt folder: <n>-<flow run id>
    assert runs[shared.id][1][0] in survivor.log.read_text(errors="replace")
    for batch_id, attempts in runs.items():  # every batch ends Completed; only dead attempts before
        assert attempts[-1][1] == "COMPLETED" and all(s == "CRASHED" for _, s in attempts[:-1]), (batch_id, attempts)
    assert sorted(runs) == sorted(b.id for b in batches)

    # the same figures as one machine, every portal loaded exactly once
    single_data, spread_data = tmp_path / "single" / "data", tmp_path / "spread" / "data"
    assert figures(spread_data) == figures(single_data)
    assert figures(spread_data)[1], "the world's documents were counted"
    loaded = runs_loaded(spread_data, result.run_id)
    assert [portal for portal, _ in loaded] == sorted(PORTALS)
    assert loaded == runs_loaded(single_data)
    # each portal's run landed once (compacted after the load into a part of its month)
    landed = [d["portal_id"] for s in every_set(spread_data / "landing")[0] for d in s.documents()]
    assert sorted(landed) == sorted(PORTALS) and all(s.kind == "part" for s in every_set(spread_data / "landing")[0])

    # politeness across workers, and no host left held
    harvest = harvest_only(sim.world)
    spread_requests, base_requests = log.by_portal(since, harvest), log.by_portal(base_start, harvest)
    for portal, rows in spread_requests.items():
        assert impolite(rows) == [], portal
    # a portal the dead attempt finished is not asked again; the others are, from the start
    redone = {p for p in shared.portal_ids if len(senders(spread_requests[p])) == 2}
    assert redone & SHARED, "the kill came in the middle of the shared portals' harvest"
    for portal in set(PORTALS) - redone:  # harvested once: one process, the very requests of one machine
        assert len(senders(spread_requests[portal])) == 1, portal
        assert len(spread_requests[portal]) == len(base_requests[portal]) - len(spread_requests[portal])
    for portal in redone:  # the dead attempt's requests, then all of them again from the other worker
        assert len(spread_requests[portal]) > len(base_requests[portal]) - len(spread_requests[portal])
    assert all(limit.limit == 1 and limit.active_slots == 0 for limit in held.values()), held


class Renewals:
    """A lease's renewals as the server would answer them: fine, not at all, or gone (410)."""

    def __init__(self, answer: str) -> None:
        self.answer, self.calls = answer, 0

    def __call__(self, lease_id, seconds) -> None:
        self.calls += 1
        if self.answer == "unreachable":
            raise ConnectionError("the Prefect server does not answer")
        if self.answer == "gone":
            raise RenewalRefused()


class RenewalRefused(Exception):
    response = type("Response", (), {"status_code": 410})()


@pytest.mark.parametrize(("answer", "stops_within"), [("fine", None), ("unreachable", (1.2, 4.0)), ("gone", (0, 1.2))])
def test_a_lease_keeper_stops_the_batch_once_its_lease_is_lost(answer: str, stops_within) -> None:
    from flows.distributed.lease import LeaseKeeper

    renew, stopped = Renewals(answer), threading.Event()
    began = time.monotonic()
    with LeaseKeeper("lease", 1.2, began, renew=renew, stop=stopped.set):
        stopped.wait(5.0)
    took = time.monotonic() - began
    assert renew.calls >= 1
    if stops_within is None:
        assert not stopped.is_set() and renew.calls >= 3  # renewed every quarter of its length
    else:
        low, high = stops_within
        assert stopped.is_set() and low <= took <= high, took  # never before the lease's length unless gone


def test_the_next_night_takes_in_what_a_dead_orchestrator_left_before_removing_it(tmp_path: Path) -> None:
    from flows.distributed.exchange import mark_accepted, take_leftovers

    data = tmp_path / "data"
    config = load_config(_minimal_config(tmp_path, data))
    exchange = data / "exchange"
    dead, done = "20121230T020000Z", "20121229T020000Z"
    plans = {"a": PortalPlan("full", {}, {}), "b": PortalPlan("full", {}, {})}
    for night in (dead, done):
        write_plan(plan_path(exchange, night, "b1"), plans, date(2012, 12, 30))
        land(exchange / night / "b1" / "1-x", night, "a", rows=4)  # finished; b never was
    mark_accepted(exchange, done)  # its orchestrator took it in itself
    taken = take_leftovers(config)
    assert list(taken) == [dead]
    assert [(o.portal_id, o.status) for o in taken[dead]] == [("a", "ok"), ("b", "failed")]
    assert "interrupted" in taken[dead][1].reason
    assert sorted(p.relative_to(data).as_posix() for p in (data / "landing").rglob("*.run.json")) == [
        f"landing/{dead}/a.run.json"
    ]
    assert not any(exchange.iterdir())


def _minimal_config(tmp_path: Path, data: Path) -> Path:
    path = tmp_path / "x.toml"
    path.write_text(f'[warehouse]\ndata_dir = "{data}"\n', encoding="utf-8")
    return path
