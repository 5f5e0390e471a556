"""The Prefect flow `xxgk-distributed`: the nightly run spread over Prefect workers.

The orchestrator owns the data dir as the single-machine night does (its run lock, its
state database, the build): it cuts the portals into batches (flows/distributed/plan.py), writes
each batch's plan to the exchange folder, starts one `xxgk-batch` flow run per batch on
the work pool and follows them (flows/distributed/watch.py). When every batch has ended, or
the night's deadline has passed, it takes each portal's final run into
`data_dir/landing/<run_id>/` (flows/distributed/exchange.py) and runs one load, build,
check and publish (`flows.night.publish.build_warehouse`). Before anything, under the run
lock, it takes in what earlier nights harvested but never accepted (their orchestrator
died), and only then removes their exchange folders; `xxgk sync --resume` does that alone.

The data dir must be on storage every worker mounts at the same path (the exchange folder
and the page archive live there); docs/distributed.md says how to set a cluster up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows import prefect_env

prefect_env.configure()  # no-op for what the caller already set; keeps bare imports offline

from prefect import flow  # noqa: E402 - Prefect reads its settings on import
from prefect.client.orchestration import get_client  # noqa: E402
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate  # noqa: E402
from prefect.client.schemas.filters import (  # noqa: E402
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import StateType  # noqa: E402
from prefect.exceptions import ObjectNotFound  # noqa: E402
from prefect.states import Cancelling, Failed  # noqa: E402

from flows.config.clock import DEADLINE_PASSED, Clock, Deadline, run_clock  # noqa: E402
from flows.config.load import load_config  # noqa: E402
from flows.config.model import Config  # noqa: E402
from flows.distributed.exchange import accept_batch, exchange_dir, mark_accepted, take_leftovers  # noqa: E402
from flows.distributed.plan import WorkerBatch, make_batches, night_plans, plan_path, slot_name, write_plan  # noqa: E402
from flows.distributed.watch import Timeouts, Track, Watch  # noqa: E402
from flows.night.housekeeping import exclusive_run, night_of, remove_leftovers, unused_run_id  # noqa: E402
from flows.night.publish import BuildOutcome, build_warehouse, refresh_reported  # noqa: E402
from flows.night.steps import PortalOutcome  # noqa: E402
from flows.night.summary import NightlyResult, failure_message, report  # noqa: E402
from flows.reported.night import reports_step  # noqa: E402
from flows.ui.render import make_console  # noqa: E402


class DistributedFailed(RuntimeError):
    """The failed flow run's data: Prefect wants an exception there; it carries the result."""

    def __init__(self, result: NightlyResult) -> None:
        super().__init__(failure_message(result))
        self.result = result


@dataclass(frozen=True)
class Options:
    """How the night is cut and followed (the orchestrator's parameters)."""

    deployment: str
    batch_size: int
    full: bool
    tick: Clock | None  # the run's clock when `clock` was given, handed to every attempt
    timeouts: Timeouts
    max_attempts: int
    poll_seconds: float


@flow(name="xxgk-distributed", log_prints=False, persist_result=False)
def distributed(
    config_path: str,
    batch_deployment: str,
    batch_size: int = 4,
    full: bool = False,
    clock: str | None = None,
    progress_timeout: float = 900.0,
    start_timeout: float = 600.0,
    host_wait: float = 900.0,
    lease_seconds: float = 120.0,
    max_attempts: int = 3,
    deadline_grace: float = 120.0,
    poll_seconds: float = 2.0,
) -> NightlyResult:
    """Harvest the config's portals in batches on the work pool's workers, then load, build,
    check and publish once; past `[harvest] night_deadline` publish what was harvested.

    `batch_deployment` is the `xxgk-batch` deployment (`flow/deployment`) the batches run
    as. An attempt no worker takes, or starts, within `start_timeout` seconds, or whose
    progress stops for `progress_timeout` seconds, is taken as dead and the batch started
    again, `max_attempts` attempts in all (flows/distributed/watch.py). A batch waits for
    its hosts at most `host_wait` seconds; `lease_seconds` is its host lease's length (at
    least 60). Past the deadline, running attempts get `deadline_grace` seconds to stop by
    themselves. `full` and `clock` mean what they mean for `xxgk sync`. The flow run ends
    Failed when a portal, a batch or the build failed.
    """
    config = load_config(config_path)
    tick = run_clock(clock)
    deadline = Deadline(config.harvest.night_deadline)
    timeouts = Timeouts(start_timeout, progress_timeout, host_wait, lease_seconds, deadline_grace)
    options = Options(batch_deployment, batch_size, full, tick if clock else None, timeouts, max_attempts, poll_seconds)
    with exclusive_run(config.warehouse.data_dir):
        remove_leftovers(config)
        cancel_earlier_nights(exchange_dir(config))
        take_leftovers(config)  # earlier nights' final runs into the data dir, then their folders removed
        result = _run(config, options, deadline)
    if not result.ok:
        return Failed(message=failure_message(result), data=DistributedFailed(result))
    return result


def _run(config: Config, options: Options, deadline: Deadline) -> NightlyResult:
    """The night's work under the run lock: plan, start and follow the batches, then build."""
    data_dir, exchange = config.warehouse.data_dir, exchange_dir(config)
    now = (options.tick or run_clock())()
    run_id = unused_run_id(data_dir, now)
    batches = make_batches(list(config.portals), options.batch_size)
    night = night_of(run_id)
    for batch_id, plans in night_plans(config, batches, options.full, now).items():
        write_plan(plan_path(exchange, run_id, batch_id), plans, night)
    ensure_host_limits(sorted({host for batch in batches for host in batch.hosts}))
    timeouts = options.timeouts

    def parameters(batch: WorkerBatch, portals: list[str], number: int, time_left: float | None) -> dict[str, Any]:
        return {
            "config_path": str(Path(config.source).resolve()),
            "run_id": run_id,
            "batch_id": batch.id,
            "portals": portals,
            "hosts": list(batch.hosts),
            "attempt": number,
            "lease_seconds": timeouts.lease,
            "host_wait": timeouts.host_wait,
            "time_left": time_left,
            "clock": options.tick().isoformat() if options.tick is not None else None,
        }

    watch = Watch(options.deployment, exchange, run_id, parameters, deadline, timeouts, options.max_attempts)
    watch.poll_seconds = options.poll_seconds
    outcomes = [outcome for track in watch.run(batches) for outcome in accept(track, data_dir, run_id)]
    mark_accepted(exchange, run_id)
    result = NightlyResult(run_id, outcomes, None, config.warehouse.path, data_dir)
    _build(config, result, run_id, options.tick or run_clock())
    return result


def _build(config: Config, result: NightlyResult, run_id: str, clock: Clock) -> None:
    """Load, build, check and publish, then read the units' annual reports that are new
    tonight (landed under `run_id`); report the night."""
    try:
        result.build = build_warehouse(config)
        result.reports, result.build = reports_step(config, run_id, clock, result.build, refresh_reported)
    except Exception as exc:  # noqa: BLE001 - reported in the summary and the exit code
        result.build = BuildOutcome(ok=False, reason=f"{type(exc).__name__}: {exc}")
    report(result, make_console())


def accept(track: Track, data_dir: Path, run_id: str) -> list[PortalOutcome]:
    """Take the batch's final runs into the data dir (each portal's from the latest attempt
    that finished it); the batch's outcomes, a portal no attempt finished failed with the
    batch's reason (the deadline's, when the deadline cut it)."""
    batch = track.batch
    accepted = accept_batch(track.folders, data_dir, run_id, batch.portal_ids)
    if track.cut:
        reason = DEADLINE_PASSED
    else:
        reason = f"batch {batch.id} {(track.state or 'unknown').lower()}: {track.message or 'no message'}"
    tried = len(track.attempts)
    failed = {p: PortalOutcome(p, "-", "failed", reason=reason, attempts=tried) for p in batch.portal_ids}
    return [accepted.get(p) or failed[p] for p in batch.portal_ids]


def ensure_host_limits(names: list[str]) -> None:
    """Create the one-slot global concurrency limit of every host that has none yet."""
    with get_client(sync_client=True) as client:
        for host in names:
            try:
                client.read_global_concurrency_limit_by_name(slot_name(host))
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=slot_name(host), limit=1))


def cancel_earlier_nights(exchange: Path) -> None:
    """Cancel the batches earlier nights left running (their orchestrator died), so they
    stop asking their hosts and their leases end; their final runs are taken in after."""
    nights = [path.name for path in exchange.iterdir() if path.is_dir()] if exchange.is_dir() else []
    if not nights:
        return
    live = FlowRunFilterStateType(any_=[StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING])
    with get_client(sync_client=True) as client:
        for run_id in nights:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    tags=FlowRunFilterTags(all_=[f"xxgk-run-{run_id}"]), state=FlowRunFilterState(type=live)
                )
            )
            for run in runs:
                client.set_flow_run_state(run.id, Cancelling(message=f"night {run_id} is over"), force=True)


@flow(name="xxgk-resume", log_prints=False, persist_result=False)
def resume(config_path: str) -> NightlyResult:
    """Take in what earlier distributed nights harvested but never accepted (their
    orchestrator died), then load, build, check and publish; no portal is harvested."""
    config = load_config(config_path)
    with exclusive_run(config.warehouse.data_dir):
        remove_leftovers(config)
        taken = take_leftovers(config)
        outcomes = [outcome for night in taken.values() for outcome in night]
        label = ", ".join(sorted(taken)) or "nothing to resume"
        result = NightlyResult(label, outcomes, None, config.warehouse.path, config.warehouse.data_dir)
        clock = run_clock()
        _build(config, result, unused_run_id(config.warehouse.data_dir, clock()), clock)
    if not result.ok:
        return Failed(message=failure_message(result), data=DistributedFailed(result))
    return result


def result_of(state: Any) -> NightlyResult:
    """A finished flow run's result, whether it ended Completed or Failed; a crash re-raises."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, DistributedFailed):
        return result.result
    if isinstance(result, BaseException):
        raise result
    return result


def run_distributed(config_path: Path | str, batch_deployment: str, **options: Any) -> NightlyResult:
    """Run the orchestrator flow here; return its result whether it ended Completed or Failed."""
    return result_of(distributed(str(config_path), batch_deployment, return_state=True, **options))


def run_resume(config_path: Path | str) -> NightlyResult:
    """`xxgk sync --resume`: run the resume flow here; its result."""
    return result_of(resume(str(config_path), return_state=True))
