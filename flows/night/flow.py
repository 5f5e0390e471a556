"""The Prefect flow `nightly`: harvest every portal concurrently, then build and publish.

One Prefect task per batch of portals (flows/night/batches.py: a portal per task up to a few
dozen portals, then a few tasks per worker thread, so that a province of thousands of
portals does not make Prefect the night's bottleneck), run on threads bounded by
`harvest.concurrency`, retried only after a transient failure, and then only for the
portals that failed so. What each portal needs of the state database is read once for all
of them (warehouse/portal_state.py). The work itself is in `flows.night.steps`, plain and
testable; this module only schedules it. What the run reports (a rich table on stdout, table and
markdown artifacts in Prefect) and the result it returns are in `flows.night.summary`; while
the portals are harvested, the night's counts (`flows.night.tally`) are drawn on the terminal
(`flows.ui.progress`) and reported to Prefect as each batch ends (`flows.night.progress_artifact`).

Import `flows.prefect_env.configure` first (the CLI does), so Prefect starts offline and quiet.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from flows import prefect_env

prefect_env.configure()  # no-op for what the caller already set; keeps bare imports offline

from prefect import flow, task  # noqa: E402 - Prefect reads its settings on import
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.runtime import task_run  # noqa: E402
from prefect.states import Failed  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from flows.config.clock import Clock, Deadline, run_clock  # noqa: E402
from flows.config.load import load_config  # noqa: E402
from flows.config.model import Config, Portal  # noqa: E402
from flows.night.batches import Night, TaskBatch, TransientHarvestFailure, batches_of, harvest_task_batch, outcomes_of  # noqa: E402
from flows.night.debt import as_owed, debt_policy  # noqa: E402
from flows.night.housekeeping import (  # noqa: E402
    exclusive_run,
    night_of,
    release_freed_memory,
    remove_leftovers,
    unused_run_id,
)
from flows.night.progress_artifact import ProgressArtifact  # noqa: E402
from flows.night.publish import BuildOutcome, build_warehouse, refresh_reported  # noqa: E402
from flows.night.steps import make_client, make_parser_pool, mode_for  # noqa: E402
from flows.night.summary import NightlyResult, failure_message, report  # noqa: E402
from flows.night.tally import NightTally  # noqa: E402
from flows.reported.night import reports_step  # noqa: E402
from flows.ui.progress import HarvestProgress  # noqa: E402
from flows.ui.render import make_console  # noqa: E402
from warehouse.portal_state import portal_states  # noqa: E402


class _PortalFailureWithoutTraceback(logging.Filter):
    """Drops the traceback Prefect logs with a harvest that failed after its retries.

    The exception is only how the outcome reaches Prefect's retries: the log line already
    names the portal and the reason, and the run summary reports it, so a traceback of our
    own `raise` would be noise in every night's log. Any other exception keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TransientHarvestFailure):
            record.exc_info = None
            record.exc_text = None
        return True


logging.getLogger("prefect.task_runs").addFilter(_PortalFailureWithoutTraceback())


class NightlyFailed(RuntimeError):
    """The failed flow run's data: Prefect wants an exception there; it carries the result."""

    def __init__(self, result: NightlyResult) -> None:
        super().__init__(failure_message(result))
        self.result = result


def _retry_only_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: retry a harvest only after a transient failure."""
    try:
        state.result()
    except TransientHarvestFailure:
        return True
    except Exception:  # noqa: BLE001 - any other failure is not worth repeating
        return False
    return False


@task(cache_policy=NO_CACHE, retry_condition_fn=_retry_only_transient, task_run_name="harvest {label}")
def harvest(label: str, batch: TaskBatch, night: Night) -> None:
    """A batch's harvests (flows/night/batches.py); raises `TransientHarvestFailure` naming the
    portals another attempt may cure, so Prefect tries them again. Both arguments reach the
    task quoted: Prefect must not walk the client that other threads are using."""
    harvest_task_batch(batch, night, task_run.run_count or 1)
    failed = batch.failed_transiently()
    if failed and not (night.deadline is not None and night.deadline.passed()):  # no retry past it
        raise TransientHarvestFailure(failed)


@task(cache_policy=NO_CACHE, task_run_name="build and publish")
def build(config: Config) -> BuildOutcome:
    """Load the landing files, build the models, run the checks, publish."""
    return build_warehouse(config)


@task(cache_policy=NO_CACHE, task_run_name="refresh the reports' tables")
def refresh(config: Config) -> BuildOutcome:
    """Load the annual reports read after the build, make again the tables they feed, publish."""
    return refresh_reported(config)


@flow(name="xxgk-nightly", log_prints=False, persist_result=False)
def nightly(
    config_path: str,
    full: bool = False,
    portals: list[str] | None = None,
    progress: bool = False,
    clock: str | None = None,
) -> NightlyResult:
    """Harvest the config's portals (or `portals`), then load, build, check and publish.

    `full` lists every portal to its end; otherwise a portal is listed in full when it has no
    complete full listing within `full_every_days`, else incrementally. `clock` is the
    instant the run starts at (ISO 8601 with an offset; default `XXGK_CLOCK`, else the wall
    clock: flows/config/clock.py). The flow run ends Failed (its data a `NightlyFailed` holding the
    result) when a portal or the build failed.
    """
    config = load_config(config_path)
    tick = run_clock(clock)
    deadline = Deadline(config.harvest.night_deadline)
    with exclusive_run(config.warehouse.data_dir):
        remove_leftovers(config)  # of a killed run: the lock says no other run is alive
        result = _harvest_and_build(config, _select(config, portals), full, progress, tick, deadline)
    if not result.ok:
        return Failed(message=failure_message(result), data=NightlyFailed(result))
    return result


def _harvest_and_build(
    config: Config, chosen: list[Portal], full: bool, progress: bool, clock: Clock, deadline: Deadline
) -> NightlyResult:
    """The night's work, under the run lock: harvest the portals concurrently until the
    deadline, then build."""
    data_dir = config.warehouse.data_dir
    now = clock()
    run_id = unused_run_id(data_dir, now)
    states = portal_states(config.warehouse.state_path, [p.id for p in chosen])
    every = config.harvest.full_every_days
    console = make_console()
    tally = NightTally(p.id for p in chosen)
    live = HarvestProgress(console, tally) if progress else None
    night = Night(
        client=make_client(config.harvest, data_dir, clock),
        data_dir=data_dir,
        run_id=run_id,
        modes={pid: mode_for(s.last_full, every, force_full=full, now=now) for pid, s in states.items()},
        known={pid: s.known for pid, s in states.items()},
        owed={pid: as_owed(s.owed) for pid, s in states.items()},
        debt=debt_policy(config.harvest, night_of(run_id)),
        parser=make_parser_pool(config.harvest),
        tally=tally,
        max_unreadable_share=config.harvest.max_unreadable_share,
        deadline=deadline,
    )
    attempt = harvest.with_options(retries=config.harvest.retries, retry_delay_seconds=config.harvest.retry_delay)
    batches = batches_of(chosen, config.harvest.concurrency)
    with (
        night.client,
        night.parser or contextlib.nullcontext(),
        live or contextlib.nullcontext(),
        ThreadPoolTaskRunner(max_workers=config.harvest.concurrency) as runner,
    ):
        artifact = ProgressArtifact(tally, run_id)
        futures = [
            runner.submit(attempt, parameters={"label": b.label, "batch": quote(b), "night": quote(night)})
            for b in batches
        ]
        for _ in as_completed(futures):  # the Prefect artifact follows the batches as they end
            artifact.update()
        outcomes = [
            o for future, b in zip(futures, batches, strict=True) for o in outcomes_of(b, night, _error(future))
        ]
    result = NightlyResult(run_id, outcomes, None, config.warehouse.path, data_dir)
    release_freed_memory()
    try:
        result.build = build(config)
        result.reports, result.build = reports_step(config, run_id, clock, result.build, refresh)
    except Exception as exc:  # noqa: BLE001 - reported in the summary and the exit code
        result.build = BuildOutcome(ok=False, reason=f"{type(exc).__name__}: {exc}")
    report(result, console)
    return result


def _select(config: Config, portal_ids: list[str] | None) -> list[Portal]:
    """The portals to harvest tonight, in config order; unknown ids are an error."""
    if not portal_ids:
        return list(config.portals)
    for portal_id in portal_ids:
        config.portal(portal_id)  # raises KeyError naming the known ids
    return [p for p in config.portals if p.id in set(portal_ids)]


def _error(future: Any) -> BaseException | None:
    """What the batch's task raised in the end, if anything (a transient failure left after
    the retries is in the batch's outcomes already)."""
    try:
        future.result()
    except Exception as exc:  # noqa: BLE001 - a crashed task must not hide the other batches
        return exc
    return None


def run_nightly(
    config_path: Path | str,
    full: bool = False,
    portals: list[str] | None = None,
    progress: bool = False,
    clock: str | None = None,
) -> NightlyResult:
    """Run the flow; return its result whether it ended Completed or Failed. A crash re-raises.
    `clock`: the instant the run starts at (flows/config/clock.py), else `XXGK_CLOCK`, else now."""
    state = nightly(str(config_path), full=full, portals=portals, progress=progress, clock=clock, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, NightlyFailed):
        return result.result
    if isinstance(result, BaseException):
        raise result
    return result
