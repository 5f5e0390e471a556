"""The night's portals in batches: what one Prefect task harvests, and what it shares.

A Prefect task costs milliseconds of its own and a task-run record in Prefect's database;
over thousands of portals one task per portal made Prefect the night's bottleneck (and its
task-run tracker falls behind past a few thousand runs). So a task harvests a batch of
portals, one after another, and the thread pool runs `concurrency` batches at once: the
portals in flight are as many as before, the tasks `TASKS_PER_WORKER` per worker. With
fewer portals than that, a batch is one portal, as a task per portal was.

A batch keeps each portal's outcome across the task's attempts: a retry (after a transient
failure) harvests again only the portals that failed transiently, so no portal is harvested
twice for nothing and each outcome counts its own attempts.

A batch lands in one set of files (warehouse/landing_stream.py, `BatchLanding`): its portals'
rows stream into one Parquet file whose footer holds each portal's run document, flushed to
disk once per batch rather than three files per portal. A retry writes the batch's files
again, carrying over the runs of the portals it does not harvest again, and replaces them
whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from connectors.families.checks import MAX_UNREADABLE_SHARE
from flows.config.clock import Deadline
from flows.config.model import Portal
from flows.night.steps import PortalOutcome, harvest_contained, not_begun
from flows.night.tally import NightTally
from warehouse.landing_stream import BatchLanding

#: Tasks per worker thread: enough that a batch holding a large portal does not leave the
#: other workers idle at the end, few enough that Prefect's share stays small.
TASKS_PER_WORKER = 4


class TransientHarvestFailure(RuntimeError):
    """Portals of a batch failed in a way another attempt may cure; carries their outcomes."""

    def __init__(self, outcomes: list[PortalOutcome]) -> None:
        super().__init__("; ".join(f"{o.portal_id}: {o.reason}" for o in outcomes))
        self.outcomes = outcomes


@dataclass
class Night:
    """What every portal's harvest shares tonight (read before the first task starts)."""

    client: Any
    data_dir: Path
    run_id: str
    modes: dict[str, str]
    known: dict[str, dict[str, str]]
    owed: dict[str, dict[str, Any]]
    debt: Any = None
    parser: Any = None
    tally: NightTally | None = None  # the night's running counts, for its progress views
    max_unreadable_share: float = MAX_UNREADABLE_SHARE
    deadline: Deadline | None = None  # past it, no portal begins and running crawls stop


@dataclass
class TaskBatch:
    """The portals of one task and, across its attempts, each one's latest outcome."""

    portals: list[Portal]
    outcomes: dict[str, PortalOutcome] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The name of the batch's landing files: its first portal's id."""
        return self.portals[0].id

    @property
    def label(self) -> str:
        """The task run's name: the portal, or the first portal and how many more."""
        first = self.portals[0].id
        return first if len(self.portals) == 1 else f"{first} and {len(self.portals) - 1} more"

    def pending(self) -> list[Portal]:
        """The portals not harvested yet or failed transiently last time."""
        return [p for p in self.portals if p.id not in self.outcomes or _retry(self.outcomes[p.id])]

    def failed_transiently(self) -> list[PortalOutcome]:
        return [o for o in self.outcomes.values() if _retry(o)]


def _retry(outcome: PortalOutcome) -> bool:
    return outcome.status == "failed" and outcome.transient


def batches_of(portals: list[Portal], concurrency: int) -> list[TaskBatch]:
    """The portals dealt round-robin into batches of at most ⌈n / (concurrency ·
    TASKS_PER_WORKER)⌉: dealt, not cut, so the large portals a config lists together
    (the platforms first) land in different batches."""
    if not portals:
        return []
    size = math.ceil(len(portals) / (max(concurrency, 1) * TASKS_PER_WORKER))
    count = math.ceil(len(portals) / size)
    return [TaskBatch(portals[i::count]) for i in range(count)]


def harvest_task_batch(batch: TaskBatch, night: Night, attempt: int) -> None:
    """Harvest the batch's pending portals one after another into the batch's landing files,
    recording each outcome with `attempt` as its count of attempts. A bug in one portal's
    harvest becomes its failed outcome (not transient), so it cannot hide the others of the
    batch. A landing that cannot be written fails every portal of this attempt."""
    pending = batch.pending()
    keep = frozenset(p.id for p in batch.portals if p not in pending)
    landing = BatchLanding(night.data_dir, night.run_id, batch.name, keep=keep)
    try:
        _harvest_into(landing, pending, batch, night, attempt)
    except BaseException:
        landing.discard()  # a crash lands nothing of this attempt, as a kill would not
        raise
    try:
        landing.close()
    except Exception as exc:
        for portal in pending:
            reason = f"landing failed: {type(exc).__name__}: {exc}"
            batch.outcomes[portal.id] = PortalOutcome(
                portal.id, night.modes[portal.id], "failed", reason, attempts=attempt
            )
        raise


def _harvest_into(landing: BatchLanding, pending: list[Portal], batch: TaskBatch, night: Night, attempt: int) -> None:
    """The pending portals' harvests, one after another, landing into `landing`. Past the
    night's deadline no portal begins: one that failed transiently in an earlier attempt
    keeps that attempt's outcome, now final, and its landed run."""
    tally = night.tally
    for portal in pending:
        if night.deadline is not None and night.deadline.passed():
            earlier = batch.outcomes.get(portal.id)  # a transient failure is final now
            if earlier is not None:
                landing.carry(frozenset({portal.id}))
            outcome = replace(earlier, transient=False) if earlier else not_begun(portal.id, night.modes[portal.id])
            batch.outcomes[portal.id] = outcome
            if tally is not None:  # it ends the night failed: the bar counts it as finished
                tally.finish(portal.id, outcome.status, outcome.pages, outcome.rows)
            continue
        if tally is not None:
            tally.start(portal.id)
        outcome = harvest_contained(
            portal,
            night.client,
            data_dir=night.data_dir,
            run_id=night.run_id,
            mode=night.modes[portal.id],
            known=night.known[portal.id],
            progress=tally.update if tally is not None else None,
            parser=night.parser,
            owed=night.owed[portal.id],
            debt=night.debt,
            max_unreadable_share=night.max_unreadable_share,
            deadline=night.deadline,
            landing=landing,
        )
        if tally is not None:
            tally.finish(portal.id, outcome.status, outcome.pages, outcome.rows)
        outcome.attempts = attempt
        batch.outcomes[portal.id] = outcome


def outcomes_of(batch: TaskBatch, night: Night, error: BaseException | None) -> list[PortalOutcome]:
    """The batch's outcomes in its order; a portal the task never reached (it crashed
    before) gets a failed outcome naming the task's error."""
    reason = f"{type(error).__name__}: {error}" if error is not None else "not harvested"
    return [
        batch.outcomes.get(p.id) or PortalOutcome(p.id, night.modes[p.id], "failed", reason=reason)
        for p in batch.portals
    ]
