"""Portals in batches, one Prefect task per batch (flows/night/batches.py): each portal dealt once,
a retry harvests again only the portals that failed transiently, and a batch lands in one
file set, a portal failing in the middle of it with what it had read."""

from __future__ import annotations

import time

import pyarrow.parquet as pq
import pytest

from connectors.http import HttpClient
from flows.config.load import load_config
from flows.config.model import Portal
from flows.night.batches import TASKS_PER_WORKER, Night, TaskBatch, batches_of, harvest_task_batch
from flows.night.steps import make_client
from sim.registry import build_world
from sim.server import start
from warehouse.landing_sets import every_set, sources_of
from warehouse.landing_stream import read_runs
from warehouse.load import load


def _portals(n: int) -> list[Portal]:
    return [Portal(id=f"p{i}", name=f"P{i}", level="county", region="990000", platform="trs", url=f"http://h{i}/")
            for i in range(n)]  # fmt: skip


def test_portals_are_dealt_round_robin_into_about_four_batches_per_worker() -> None:
    portals = _portals(1000)
    batches = batches_of(portals, concurrency=32)
    dealt = [p.id for b in batches for p in b.portals]
    assert sorted(dealt) == sorted(p.id for p in portals)  # each portal exactly once
    assert len(batches) == 125 and {len(b.portals) for b in batches} == {8}  # ⌈1000 / (32 · 4)⌉ = 8 a batch
    assert [p.id for p in batches[0].portals][:2] == ["p0", "p125"]  # dealt, not cut: p0, p1 … apart
    assert batches[0].label == "p0 and 7 more"


def test_up_to_four_portals_per_worker_a_batch_is_one_portal() -> None:
    batches = batches_of(_portals(TASKS_PER_WORKER * 8), concurrency=8)
    assert [len(b.portals) for b in batches] == [1] * 32 and batches[3].label == "p3"
    assert batches_of([], concurrency=8) == []
    assert TaskBatch(_portals(2)).pending() == _portals(2)


@pytest.mark.usefixtures("prefect_harness")
def test_a_retry_harvests_again_only_the_portal_that_failed_transiently(tmp_path) -> None:
    from flows.night.flow import run_nightly

    world = build_world("province", portals=12, seed=5)
    flaky = world.portals[5].id
    with start(world, faults=[f"{flaky}:flaky:1000"]) as sim:
        config = sim.write_config(
            tmp_path / "xxgk.toml",
            per_host_delay=0,
            concurrency=1,
            retries=1,
            retry_delay=0,
            parse_processes=0,
        )
        result = run_nightly(config)
        counts = sim.request_counts()
    assert len(batches_of(list(world.portals), 1)) == 4  # three portals a batch: the flaky one has two mates
    outcomes = {o.portal_id: o for o in result.outcomes}
    assert sorted(outcomes) == sorted(p.id for p in world.portals)
    assert (outcomes[flaky].status, outcomes[flaky].attempts, outcomes[flaky].transient) == ("failed", 2, True)
    for pid, outcome in outcomes.items():
        if pid != flaky:  # harvested once: the sim saw exactly the requests of its one harvest
            assert (outcome.status, outcome.attempts, counts[pid]) == ("ok", 1, outcome.requests), pid
    # its first page, asked the client's attempts times, in each of its two harvests
    assert outcomes[flaky].requests == 1 and counts[flaky] == 2 * HttpClient.max_attempts
    # One landing set per batch, each portal's run in it once; the flaky portal's batch was
    # written again by the retry, its mates' rows carried over from the first attempt. After
    # the build the night's sets were compacted into one part, which names them.
    sets = every_set(result.data_dir / "landing")[0]
    assert [s.kind for s in sets] == ["part"]
    names = sorted(f"{result.run_id}/{b.name}.batch.parquet" for b in batches_of(list(world.portals), 1))
    assert sorted(sources_of(sets[0])) == names
    runs = {d["portal_id"]: d for d in sets[0].documents()}
    assert sorted(runs) == sorted(outcomes) and runs[flaky]["status"] == "failed"
    rows = pq.read_table(sets[0].listings, columns=["portal_id"]).column("portal_id").value_counts().to_pylist()
    landed = {r["values"]: r["counts"] for r in rows}
    assert {pid: landed.get(pid, 0) for pid in outcomes} == {pid: o.rows for pid, o in outcomes.items()}
    assert all(runs[pid]["rows"] == o.rows for pid, o in outcomes.items())


@pytest.mark.usefixtures("prefect_harness")
def test_past_its_deadline_a_night_stops_harvesting_and_publishes_what_it_read(tmp_path) -> None:
    from flows.night.flow import run_nightly
    from flows.night.housekeeping import exclusive_run

    world = build_world("province", portals=6, seed=5)
    with start(world) as sim:
        # one portal at a time, a request every 0.2 s: the night would take minutes
        config = sim.write_config(
            tmp_path / "xxgk.toml", per_host_delay=0.2, concurrency=1, parse_processes=0, night_deadline=3
        )
        began = time.monotonic()
        result = run_nightly(config)
        took = time.monotonic() - began
        counts = sim.request_counts()
    assert took < 3 + 60, took  # the deadline, a request in flight, the build on a busy machine
    outcomes = list(result.outcomes)
    cut = [o for o in outcomes if o.reason == "night deadline passed"]
    assert all(o.status == "ok" or o in cut for o in outcomes), outcomes
    assert all(o.status == "failed" for o in cut)
    read = [o for o in cut if o.rows > 0]  # stopped in the middle: what it read is landed and loaded
    never = [o for o in cut if o.requests == 0]  # never begun: not one request
    assert read and never, outcomes
    assert all(counts.get(o.portal_id, 0) == 0 for o in never)
    assert result.build is not None and result.build.ok, result.build
    assert result.build.runs_loaded == len(outcomes) - len(never) and result.build.rows_loaded > 0
    assert result.exit_code == 1
    with exclusive_run(tmp_path / "data"):  # the run lock is free
        pass


class _Breaks:
    """The night's tally of progress, breaking (a bug of ours) on one portal's sixth row."""

    def __init__(self, portal_id: str) -> None:
        self.portal_id = portal_id

    def start(self, portal_id: str) -> None:
        pass

    def update(self, portal_id: str, pages: int, rows: int, total: int | None) -> None:
        if portal_id == self.portal_id and rows == 6:
            raise RuntimeError("display broke")

    def finish(self, portal_id: str, status: str, pages: int, rows: int) -> None:
        pass


def test_a_portal_failing_mid_batch_lands_what_it_read_beside_the_others(tmp_path) -> None:
    world = build_world("province", portals=3, seed=5)
    broken = world.portals[1].id
    with start(world) as sim:
        config = load_config(sim.write_config(tmp_path / "xxgk.toml", per_host_delay=0, parse_processes=0))
        ids = [p.id for p in config.portals]
        data_dir = config.warehouse.data_dir
        with make_client(config.harvest, data_dir) as client:
            night = Night(client, data_dir, "20130105T020000Z", dict.fromkeys(ids, "full"),
                          {p: {} for p in ids}, {p: {} for p in ids}, tally=_Breaks(broken))  # fmt: skip
            batch = TaskBatch(list(config.portals))
            harvest_task_batch(batch, night, attempt=1)
    outcomes = batch.outcomes
    assert outcomes[broken].status == "failed" and "display broke" in outcomes[broken].reason
    assert [outcomes[p].status for p in ids if p != broken] == ["ok", "ok"]
    landed = data_dir / "landing" / night.run_id
    assert sorted(p.name for p in landed.iterdir()) == [
        f"{batch.name}.batch-fetches.parquet",
        f"{batch.name}.batch.parquet",
    ]
    runs = {d["portal_id"]: d for d in read_runs(landed / f"{batch.name}.batch.parquet")}
    assert runs[broken]["status"] == "failed" and runs[broken]["reason"].startswith("internal error: RuntimeError")
    rows = pq.read_table(landed / f"{batch.name}.batch.parquet", columns=["portal_id"]).column(0).to_pylist()
    # the broken portal's six rows read before the bug, every row of the others
    assert {p: rows.count(p) for p in ids} == {p: 6 if p == broken else outcomes[p].rows for p in ids}
    loaded = load(config.warehouse.state_path, data_dir)
    assert sorted(loaded.runs_loaded) == sorted((night.run_id, p) for p in ids) and loaded.rows_loaded == len(rows)
