"""The Prefect flow `xxgk-batch`: one batch of portals harvested by whichever worker takes it.

The orchestrator (flows/distributed/flow.py) starts one flow run per attempt of a batch on
the work pool. Each attempt writes only into its own folder of the exchange
(flows/distributed/exchange.py): its progress, its host lease, its landing runs and, once
a portal's run is final, that portal's outcome. Only the orchestrator (or the next night)
copies final runs into the data dir.

How an attempt shows it is alive: its progress file changes as its harvest reads pages
and rows, written by the harvest threads themselves, never by a timer. A harvest that is
wedged, however alive its process, stops changing it, and the orchestrator takes the
attempt for dead (flows/distributed/watch.py). How it stops: at the night's deadline
(`time_left`), and by exiting at once when cancelled (its worker sends SIGTERM) or when its
host lease is lost (flows/distributed/lease.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from flows import prefect_env

prefect_env.configure()  # no-op for what the caller already set; keeps bare imports offline

from prefect import flow  # noqa: E402 - Prefect reads its settings on import
from prefect.exceptions import TerminationSignal  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402

from connectors.detail_debt import DebtPolicy  # noqa: E402
from connectors.http import HttpClient  # noqa: E402
from connectors.parse_pool import Parser  # noqa: E402
from flows.config.clock import Clock, Deadline, run_clock  # noqa: E402
from flows.config.load import load_config  # noqa: E402
from flows.config.model import Config, Harvest, Portal  # noqa: E402
from flows.distributed.exchange import LEASE, PROGRESS, attempt_dir, exchange_dir, outcome_path, write_json  # noqa: E402
from flows.distributed.lease import STOPPED, host_lease  # noqa: E402
from flows.distributed.plan import PortalPlan, plan_path, read_plan, slot_name  # noqa: E402
from flows.night.debt import debt_policy  # noqa: E402
from flows.night.steps import PortalOutcome, harvest_contained, make_client, make_parser_pool, not_begun  # noqa: E402
from warehouse.landing import landing_paths  # noqa: E402

logger = logging.getLogger(__name__)

#: Why the portals of an attempt stopped when its flow run was stopped (cancelled).
CANCELLED = "batch attempt cancelled"


class Progress:
    """The attempt's progress file: its phase, the pages and rows read, the portals finished.

    Written by the harvest threads as rows arrive (at most once a second) and at every
    change of phase or finished portal; it changes only when the harvest moves.
    """

    def __init__(self, path: Path, every: float = 1.0) -> None:
        self.path, self.every = path, every
        self.state: dict[str, Any] = {"phase": "starting", "pages": 0, "rows": 0, "finished": 0}
        self.state.update(host=socket.gethostname(), pid=os.getpid(), pgid=os.getpgid(os.getpid()))
        self._portals: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._written = 0.0
        self._write(force=True)

    def phase(self, name: str) -> None:
        with self._lock:
            self.state["phase"] = name
            self._write(force=True)

    def update(self, portal_id: str, pages: int, rows: int, total: int | None = None) -> None:
        """`harvest_portal`'s progress callback: one more row of `portal_id`."""
        with self._lock:
            self._portals[portal_id] = (pages, rows)
            self.state["pages"] = sum(p for p, _ in self._portals.values())
            self.state["rows"] = sum(r for _, r in self._portals.values())
            self._write(force=False)

    def finish(self) -> None:
        with self._lock:
            self.state["finished"] += 1
            self._write(force=True)

    def _write(self, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._written < self.every:
            return
        try:
            write_json(self.path, self.state)
            self._written = now
        except OSError as exc:  # a missed write only makes the attempt look slower
            logger.warning("progress not written: %s", exc)


@dataclass(frozen=True)
class AttemptRun:
    """One attempt: its folder (its landing files go under landing/<run_id>/), the night's
    run id, its clock, its deadline and its progress file."""

    folder: Path
    run_id: str
    clock: Clock
    deadline: Deadline
    progress: Progress


@dataclass(frozen=True)
class Harvesting:
    """What every portal harvest of one attempt shares."""

    harvest: Harvest
    client: HttpClient
    parser: Parser | None
    debt: DebtPolicy
    run: AttemptRun


def harvest_one(portal: Portal, plan: PortalPlan, shared: Harvesting) -> PortalOutcome:
    """One portal's harvest into the attempt's folder, tried again after a transient failure
    as the single-machine night does (`retries`, `retry_delay`); its outcome file is written
    once its landing run is final."""
    run, harvest = shared.run, shared.harvest
    outcome = not_begun(portal.id, plan.mode, run.deadline.reason)
    for attempt in range(1, harvest.retries + 2):
        if run.deadline.passed():
            break
        outcome = harvest_contained(
            portal,
            shared.client,
            data_dir=run.folder,
            run_id=run.run_id,
            mode=plan.mode,
            known=plan.known,
            progress=run.progress.update,
            parser=shared.parser,
            owed=plan.owed,
            debt=shared.debt,
            max_unreadable_share=harvest.max_unreadable_share,
            deadline=run.deadline,
        )
        outcome.attempts = attempt
        if outcome.status != "failed" or not outcome.transient or attempt > harvest.retries:
            break
        time.sleep(max(0.0, min(harvest.retry_delay, run.deadline.left() or harvest.retry_delay)))
    # Final: landed, and not cut short by a cancellation (the next attempt harvests it again;
    # a run the deadline cut is final, there is no next attempt).
    if run.deadline.reason != CANCELLED and landing_paths(run.folder, run.run_id, portal.id)["run"].exists():
        write_json(outcome_path(run.folder, portal.id), outcome.as_dict())
        run.progress.finish()
    return outcome


def harvest_worker_batch(
    config: Config, portals: list[Portal], plans: dict[str, PortalPlan], night: date, run: AttemptRun
) -> list[PortalOutcome]:
    """Harvest the batch's portals on `harvest.concurrency` threads sharing one client, whose
    page archive is the data dir's (content-addressed, so shared safely between workers).

    Cancelled (its worker sends SIGTERM), the process exits at once: its unfinished portals
    are harvested again by the next attempt, its finished ones are already final.
    """
    client = make_client(config.harvest, config.warehouse.data_dir, run.clock)
    parser = make_parser_pool(config.harvest)
    shared = Harvesting(config.harvest, client, parser, debt_policy(config.harvest, night), run)
    with client, parser or contextlib.nullcontext(), ThreadPoolExecutor(config.harvest.concurrency) as pool:
        futures = [pool.submit(harvest_one, portal, plans[portal.id], shared) for portal in portals]
        try:
            return [future.result() for future in futures]
        except TerminationSignal:
            # Cancelled: the orchestrator took this attempt for dead, or the night is over.
            # Nothing unfinished here will be accepted, and a thread inside a request could
            # keep the process (and its requests) going for minutes: leave at once.
            run.deadline.cut(CANCELLED)
            logger.warning("attempt cancelled: stopping now")
            os._exit(STOPPED)


@flow(name="xxgk-batch", log_prints=False, persist_result=False)
def batch(
    config_path: str,
    run_id: str,
    batch_id: str,
    portals: list[str],
    hosts: list[str],
    attempt: int = 1,
    lease_seconds: float = 120.0,
    host_wait: float = 900.0,
    time_left: float | None = None,
    clock: str | None = None,
) -> list[dict[str, Any]]:
    """Harvest `portals` of batch `batch_id` of the night `run_id` as its attempt number
    `attempt`, into the attempt's own folder; return the portals' outcomes.

    Holds the global concurrency limit of every host in `hosts` while it harvests, so no
    other batch, on any worker, asks those hosts meanwhile; waits for them at most
    `host_wait` seconds. Stops harvesting `time_left` seconds after it starts (the night's
    deadline). `clock`: the instant the orchestrator read when it started this attempt
    (flows/config/clock.py), else the wall clock.
    """
    config = load_config(config_path)
    deadline = Deadline(time_left)
    exchange = exchange_dir(config)
    plans, night = read_plan(plan_path(exchange, run_id, batch_id))
    run_uuid = UUID(flow_run.id) if flow_run.id else None
    folder = attempt_dir(exchange, run_id, batch_id, attempt, str(run_uuid or f"local-{os.getpid()}"))
    folder.mkdir(parents=True, exist_ok=True)
    progress = Progress(folder / PROGRESS)
    chosen = [config.portal(portal_id) for portal_id in portals]
    progress.phase("waiting for hosts")
    names = [slot_name(host) for host in hosts]
    with host_lease(names, lease_seconds, host_wait, deadline, run_uuid, folder / LEASE) as held:
        if not held:
            return [not_begun(p.id, plans[p.id].mode).as_dict() for p in chosen]
        progress.phase("harvesting")
        run = AttemptRun(folder, run_id, run_clock(clock), deadline, progress)
        outcomes = harvest_worker_batch(config, chosen, plans, night, run)
    progress.phase("done")
    return [outcome.as_dict() for outcome in outcomes]
