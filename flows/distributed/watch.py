"""Starting the night's batches on the work pool and following them to their end, or to the
night's deadline.

Every attempt is started with `run_deployment(timeout=0)` (the call returns at once; a
worker on any machine takes the run) and then polled. What each state means here:
- Completed, Failed, Cancelled: the batch is over.
- Crashed: Prefect saw the process die; the batch is started again.
- Scheduled (or Late) for `start` seconds: no worker took it; it is cancelled and started
  again (a worker may have come back).
- Pending for `start` seconds, or Running while its progress file has not changed for
  `progress` seconds (`progress + host_wait` while it waits for its hosts): the attempt is
  dead, or wedged however alive its process. It is set Cancelling (its worker stops the
  process), its host lease is released (a live process that can reach the server exits at
  its next renewal), and the batch is started again once the old attempt is surely gone:
  Prefect reports it stopped, or `lease` seconds have passed since its lease was released
  (a process cut off from the server has exited by then: flows/distributed/lease.py).
  So two attempts of a batch never ask its hosts at the same time.
A batch gets `max_attempts` attempts in all; each asks only for the portals the earlier
ones did not finish. Ages are measured on the orchestrator's own monotonic clock from the
moment it last saw the state or the progress change, so machines' clocks need not agree.
While the Prefect server does not answer nothing is decided; the deadline still holds.

Past the night's deadline no attempt is started; attempts still running get `grace`
seconds to end by themselves (each stops harvesting at the deadline too), then are
cancelled and their portals not finished are failed with "night deadline passed".
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from prefect.states import Cancelled, Cancelling, Crashed

from flows.config.clock import DEADLINE_PASSED, Deadline
from flows.distributed.exchange import LEASE, PROGRESS, attempt_dir, unfinished
from flows.distributed.lease import release_lease
from flows.distributed.plan import WorkerBatch

logger = logging.getLogger(__name__)

OVER = {StateType.COMPLETED, StateType.FAILED, StateType.CANCELLED}
GONE = OVER | {StateType.CRASHED}  # the attempt's process runs no more
WAITING_FOR_HOSTS = "waiting for hosts"


@dataclass
class Timeouts:
    """How long the orchestrator waits for each thing (seconds)."""

    start: float = 600.0  # for a worker to take an attempt, and for it to start it
    progress: float = 900.0  # between two changes of a running attempt's progress
    host_wait: float = 900.0  # the batch's own limit on waiting for its hosts
    lease: float = 120.0  # the host lease's length: a stopped attempt is gone this long after
    grace: float = 120.0  # past the deadline, for running attempts to end by themselves


@dataclass
class Attempt:
    """One flow run of a batch, and what the orchestrator last saw of it."""

    number: int
    flow_run_id: UUID
    folder: Path
    seen: tuple[str, str | None] | None = None  # (state type, progress file) last seen
    seen_at: float = field(default_factory=time.monotonic)
    stopping: float | None = None  # when it was taken for dead (its process may still run)
    reason: str | None = None


@dataclass
class Track:
    """One batch, its attempts, and how it ended (its state once over)."""

    batch: WorkerBatch
    attempts: list[Attempt] = field(default_factory=list)
    live: Attempt | None = None
    state: str | None = None
    message: str | None = None
    cut: bool = False  # ended by the night's deadline

    @property
    def folders(self) -> list[Path]:
        return [attempt.folder for attempt in self.attempts]

    def end(self, state: str, message: str | None, cut: bool = False) -> None:
        self.state, self.message, self.cut, self.live = state, message, cut, None


@dataclass
class Watch:
    """Starts batches on `deployment` and follows them until each has ended or the deadline."""

    deployment: str
    exchange: Path
    run_id: str
    parameters: Callable[[WorkerBatch, list[str], int, float | None], dict[str, Any]]
    deadline: Deadline
    timeouts: Timeouts = field(default_factory=Timeouts)
    max_attempts: int = 3
    poll_seconds: float = 2.0
    _unanswered: float = 0.0

    def run(self, batches: list[WorkerBatch]) -> list[Track]:
        """Start every batch, then poll until each is over, out of attempts, or cut."""
        tracks = [Track(batch) for batch in batches]
        with get_client(sync_client=True) as client:
            for track in tracks:
                self._start(track)
            while not self.deadline.passed() and any(track.state is None for track in tracks):
                time.sleep(min(self.poll_seconds, max(self.deadline.left() or self.poll_seconds, 0.05)))
                for track in tracks:
                    if track.state is None:
                        self._step(client, track)
            self._wind_down(client, tracks)
        return tracks

    def _start(self, track: Track) -> None:
        """A new attempt of the batch for the portals no attempt finished, returned at once."""
        portals = unfinished(track.folders, track.batch.portal_ids)
        if not portals:
            track.end(StateType.COMPLETED.value, "every portal finished")
            return
        number = len(track.attempts) + 1
        try:
            run = run_deployment(
                self.deployment,
                parameters=self.parameters(track.batch, portals, number, self.deadline.left()),
                timeout=0,
                flow_run_name=f"{self.run_id}-{track.batch.id}-{number}",
                tags=["xxgk", f"xxgk-run-{self.run_id}"],
            )
        except Exception as exc:  # noqa: BLE001 - tried again at the next poll
            self._no_answer(exc)
            return
        logger.info("batch %s attempt %d: flow run %s (%d portals)", track.batch.id, number, run.id, len(portals))
        folder = attempt_dir(self.exchange, self.run_id, track.batch.id, number, str(run.id))
        track.live = Attempt(number, run.id, folder)
        track.attempts.append(track.live)

    def _step(self, client: Any, track: Track) -> None:
        """Follow the batch's live attempt one poll further."""
        attempt = track.live
        if attempt is None:
            self._start(track)
            return
        try:
            state = client.read_flow_run(attempt.flow_run_id).state
        except Exception as exc:  # noqa: BLE001 - nothing is decided while the server is away
            self._no_answer(exc)
            return
        kind = state.type if state is not None else StateType.SCHEDULED
        if attempt.stopping is not None:
            if kind in GONE:
                self._again(track, attempt.reason or "stopped")
            elif time.monotonic() - attempt.stopping >= self.timeouts.lease:
                self._bury(client, attempt)
                self._again(track, attempt.reason or "stopped")
        elif kind in OVER:
            track.end(kind.value, state.message)
        elif kind == StateType.CRASHED:
            release_lease(client, attempt.folder / LEASE)
            self._again(track, f"flow run crashed: {state.message or 'no message'}")
        elif why := self._stalled(attempt, kind):
            self._stop(client, attempt, kind, why)
            if kind == StateType.SCHEDULED:  # no process was ever started
                self._again(track, why)

    def _stalled(self, attempt: Attempt, kind: StateType) -> str | None:
        """Why the attempt is taken for dead, if neither its state nor its progress has
        changed for the state's timeout."""
        now = time.monotonic()
        try:
            progress = (attempt.folder / PROGRESS).read_text(encoding="utf-8")
        except OSError:
            progress = None
        if (kind.value, progress) != attempt.seen:
            attempt.seen, attempt.seen_at = (kind.value, progress), now
            return None
        quiet, limits = now - attempt.seen_at, self.timeouts
        if kind == StateType.SCHEDULED and quiet > limits.start:
            return f"no worker took it within {limits.start:g} s"
        if kind == StateType.PENDING and quiet > limits.start:
            return f"pending for {limits.start:g} s without starting"
        limit = limits.progress + (limits.host_wait if _phase(progress) == WAITING_FOR_HOSTS else 0)
        if kind in (StateType.RUNNING, StateType.CANCELLING, StateType.PAUSED) and quiet > limit:
            return f"no progress for {limit:g} s"
        return None

    def _stop(self, client: Any, attempt: Attempt, kind: StateType, why: str) -> None:
        """Cancel an attempt taken for dead and free its hosts; it is gone once Prefect says so."""
        logger.warning("attempt %d (%s) taken for dead: %s", attempt.number, attempt.flow_run_id, why)
        attempt.stopping, attempt.reason = time.monotonic(), why
        ending = Cancelled(message=why) if kind == StateType.SCHEDULED else Cancelling(message=why)
        try:
            client.set_flow_run_state(attempt.flow_run_id, ending, force=True)
        except Exception as exc:  # noqa: BLE001 - it is waited out for the lease's length
            self._no_answer(exc)
        release_lease(client, attempt.folder / LEASE)

    def _bury(self, client: Any, attempt: Attempt) -> None:
        """Mark Crashed an attempt nobody confirmed stopped (its worker is gone too): its
        process, if any is left, stopped by itself when it could not renew its lease."""
        try:
            client.set_flow_run_state(attempt.flow_run_id, Crashed(message=attempt.reason), force=True)
        except Exception as exc:  # noqa: BLE001 - only how it shows in Prefect
            self._no_answer(exc)

    def _again(self, track: Track, reason: str) -> None:
        """Start the batch again, if attempts are left; else it is over."""
        number = len(track.attempts)
        if number >= self.max_attempts:
            track.end(StateType.CRASHED.value, f"{reason}; gave up after {number} attempts")
            return
        track.live = None
        if not self.deadline.passed():
            self._start(track)

    def _wind_down(self, client: Any, tracks: list[Track]) -> None:
        """Past the deadline: give running attempts `grace` seconds to end by themselves,
        then cancel what still runs and end its batch as cut by the deadline."""
        until = time.monotonic() + self.timeouts.grace
        while time.monotonic() < until and any(t.state is None and t.live and not t.live.stopping for t in tracks):
            time.sleep(self.poll_seconds)
            for track in tracks:
                if track.state is None and track.live is not None and track.live.stopping is None:
                    self._over_yet(client, track)
        for track in tracks:
            if track.state is None:
                live = track.live
                if live is not None and live.stopping is None:
                    self._stop(
                        client, live, StateType(live.seen[0]) if live.seen else StateType.SCHEDULED, DEADLINE_PASSED
                    )
                track.end(StateType.CANCELLED.value, DEADLINE_PASSED, cut=True)

    def _over_yet(self, client: Any, track: Track) -> None:
        try:
            state = client.read_flow_run(track.live.flow_run_id).state
        except Exception as exc:  # noqa: BLE001 - cancelled after the grace
            self._no_answer(exc)
            return
        if state is not None and state.type in GONE:
            track.end(state.type.value, state.message, cut=state.type == StateType.CRASHED)

    def _no_answer(self, exc: Exception) -> None:
        """Log that the Prefect server does not answer (once a minute at most)."""
        if time.monotonic() - self._unanswered > 60:
            self._unanswered = time.monotonic()
            logger.warning("the Prefect server does not answer: %s", exc)


def _phase(progress: str | None) -> str | None:
    try:
        return json.loads(progress)["phase"] if progress else None
    except (ValueError, KeyError, TypeError):
        return None
