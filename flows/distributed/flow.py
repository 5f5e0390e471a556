"""The Prefect flow `xxgk-distributed`: the nightly run spread over Prefect workers.

The orchestrator owns the data dir as the single-machine night does (its run lock, its
state database, the build): it cuts the portals into batches (flows/distributed/plan.py), writes
each batch's plan to the exchange folder, starts one `xxgk-batch` flow run per batch on
the work pool and follows them (flows/distributed/watch.py). When every batch has ended it
moves the accepted attempts' whole landing runs into `data_dir/landing/<run_id>/` and runs
one load, build, check and publish (`flows.night.steps.build_warehouse`).

The data dir must be on storage every worker mounts at the same path (the exchange folder
and the page archive live there); docs/distributed.md says how to set a cluster up.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from flows import prefect_env

prefect_env.configure()  # no-op for what the caller already set; keeps bare imports offline

from prefect import flow  # noqa: E402 - Prefect reads its settings on import
from prefect.client.orchestration import get_client  # noqa: E402
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate  # noqa: E402
from prefect.client.schemas.objects import StateType  # noqa: E402
from prefect.exceptions import ObjectNotFound  # noqa: E402
from prefect.states import Failed  # noqa: E402

from flows.config.clock import Clock, run_clock  # noqa: E402
from flows.config.load import load_config  # noqa: E402
from flows.config.model import Config  # noqa: E402
from flows.distributed.batch import OUTCOMES, exchange_dir  # noqa: E402
from flows.distributed.plan import PortalPlan, WorkerBatch, make_batches, plan_path, slot_name, write_plan  # noqa: E402
from flows.distributed.watch import Finished, Watch  # noqa: E402
from flows.night.housekeeping import exclusive_run, night_of, remove_leftovers, unused_run_id  # noqa: E402
from flows.night.steps import BuildOutcome, PortalOutcome, build_warehouse, choose_mode, owed_pages  # noqa: E402
from flows.night.summary import NightlyResult, failure_message, report  # noqa: E402
from flows.reported.night import reports_step  # noqa: E402
from flows.ui.render import make_console  # noqa: E402
from warehouse.landing import landing_paths, replace_into  # noqa: E402
from warehouse.load import known_items  # noqa: E402


class DistributedFailed(RuntimeError):
    """The failed flow run's data: Prefect wants an exception there; it carries the result."""

    def __init__(self, result: NightlyResult) -> None:
        super().__init__(failure_message(result))
        self.result = result


@flow(name="xxgk-distributed", log_prints=False, persist_result=False)
def distributed(
    config_path: str,
    batch_deployment: str,
    batch_size: int = 4,
    full: bool = False,
    clock: str | None = None,
    heartbeat_seconds: float = 5.0,
    heartbeat_timeout: float = 120.0,
    start_timeout: float = 600.0,
    lease_seconds: float = 120.0,
    max_attempts: int = 3,
) -> NightlyResult:
    """Harvest the config's portals in batches on the work pool's workers, then load, build,
    check and publish once.

    `batch_deployment` is the `xxgk-batch` deployment (`flow/deployment`) the batches run
    as. A batch whose heartbeat stops for `heartbeat_timeout` seconds (or that a worker took
    but has not begun within `start_timeout`) is taken as dead and started again,
    `max_attempts` attempts in all. `full` and `clock` mean what they mean
    for `xxgk sync`. The flow run ends Failed when a portal, a batch or the build failed.
    """
    config = load_config(config_path)
    tick = run_clock(clock)
    with exclusive_run(config.warehouse.data_dir):
        remove_leftovers(config)
        remove_exchange(config)  # earlier nights' attempt folders: their files are loaded or dead
        options = {"heartbeat_seconds": heartbeat_seconds, "lease_seconds": lease_seconds}
        watch = {"heartbeat_timeout": heartbeat_timeout, "start_timeout": start_timeout, "max_attempts": max_attempts}
        result = _run(config, batch_deployment, batch_size, full, tick if clock else None, options, watch)
    if not result.ok:
        return Failed(message=failure_message(result), data=DistributedFailed(result))
    return result


def _run(config: Config, deployment: str, size: int, full: bool, tick: Clock | None, options: dict, watch: dict):
    """The night's work under the run lock: plan, start and follow the batches, then build."""
    data_dir, exchange = config.warehouse.data_dir, exchange_dir(config)
    now = (tick or run_clock())()
    run_id = unused_run_id(data_dir, now)
    batches = make_batches(list(config.portals), size)
    night = night_of(run_id)
    for batch in batches:
        write_plan(plan_path(exchange, run_id, batch.id), _plans(config, batch, full, now), night)
    ensure_host_limits(sorted({host for batch in batches for host in batch.hosts}))

    def parameters(batch: WorkerBatch) -> dict[str, Any]:
        instant = tick().isoformat() if tick is not None else None
        return {
            "config_path": str(Path(config.source).resolve()),
            "run_id": run_id,
            "batch_id": batch.id,
            "portals": list(batch.portal_ids),
            "hosts": list(batch.hosts),
            "clock": instant,
            **options,
        }

    finished = Watch(deployment, exchange, run_id, parameters, **watch).run(batches)
    outcomes: list[PortalOutcome] = []
    for batch in batches:
        outcomes += accept(finished[batch.id], data_dir, run_id)
    result = NightlyResult(run_id, outcomes, None, config.warehouse.path, data_dir)
    try:
        result.build = build_warehouse(config)
        result.reports, result.build = reports_step(config, run_id, tick or run_clock(), result.build, build_warehouse)
    except Exception as exc:  # noqa: BLE001 - reported in the summary and the exit code
        result.build = BuildOutcome(ok=False, reason=f"{type(exc).__name__}: {exc}")
    report(result, make_console())
    return result


def _plans(config: Config, batch: WorkerBatch, full: bool, now: datetime) -> dict[str, PortalPlan]:
    """What each of the batch's portals needs from the state database tonight."""
    state = config.warehouse.state_path
    return {
        portal_id: PortalPlan(
            mode=choose_mode(state, portal_id, config.harvest.full_every_days, force_full=full, now=now),
            known=known_items(state, portal_id),
            owed=owed_pages(state, portal_id),
        )
        for portal_id in batch.portal_ids
    }


def ensure_host_limits(names: list[str]) -> None:
    """Create the one-slot global concurrency limit of every host that has none yet."""
    with get_client(sync_client=True) as client:
        for host in names:
            try:
                client.read_global_concurrency_limit_by_name(slot_name(host))
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=slot_name(host), limit=1))


def accept(finished: Finished, data_dir: Path, run_id: str) -> list[PortalOutcome]:
    """Copy the batch's last attempt's whole landing runs into the data dir; its outcomes.

    A completed attempt reports its portals' outcomes. One that Failed or was cancelled
    had its files copied as well (so the warehouse records its whole runs, as a failed
    portal's on one machine) and reports its portals failed; a dead attempt's files are
    never copied.
    """
    batch, folder = finished.batch, finished.folder
    dead = finished.state == StateType.CRASHED.value
    for portal_id in () if dead else batch.portal_ids:
        source = landing_paths(folder, run_id, portal_id)
        if not source["run"].exists():
            continue
        target = landing_paths(data_dir, run_id, portal_id)
        target["run"].parent.mkdir(parents=True, exist_ok=True)
        for kind in ("listings", "fetches", "run"):  # the run file last: it marks the run whole
            if source[kind].exists():
                replace_into(target[kind], lambda temp, src=source[kind]: shutil.copyfile(src, temp))
    if finished.completed and (folder / OUTCOMES).exists():
        documents = json.loads((folder / OUTCOMES).read_text(encoding="utf-8"))
        return [PortalOutcome(**document) for document in documents]
    reason = f"batch {batch.id} {finished.state.lower()}: {finished.message or 'no message'}"
    tried = len(finished.attempts)
    return [PortalOutcome(portal_id, "-", "failed", reason=reason, attempts=tried) for portal_id in batch.portal_ids]


def remove_exchange(config: Config) -> None:
    """Delete the exchange folders of earlier nights (call only under the run lock)."""
    exchange = exchange_dir(config)
    if exchange.is_dir():
        for folder in exchange.iterdir():
            shutil.rmtree(folder, ignore_errors=True)


def run_distributed(config_path: Path | str, batch_deployment: str, **options: Any) -> NightlyResult:
    """Run the orchestrator flow here; return its result whether it ended Completed or Failed."""
    state = distributed(str(config_path), batch_deployment, return_state=True, **options)
    result = state.result(raise_on_failure=False)
    if isinstance(result, DistributedFailed):
        return result.result
    if isinstance(result, BaseException):
        raise result
    return result
