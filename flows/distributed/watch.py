"""Starting the night's batches on the work pool and watching them to the end.

Every batch is started with `run_deployment(timeout=0)` (the call returns at once; a worker
on any machine takes the run) and then polled. What each state means here:
- Completed: the attempt finished; its folder holds its landing files and outcomes.
- Failed or Cancelled: the batch is over; its portals without a whole landing run are
  reported failed, as a failed portal is on one machine.
- Crashed (Prefect saw the process die), or Running with a heartbeat that has not changed
  for `heartbeat_timeout` seconds, or Pending (a worker took it, the flow has not begun)
  for `start_timeout` seconds: the attempt is dead (a worker killed outright leaves its run
  Running, or Pending, for ever). It is marked Crashed, its host lease released, and the
  batch started again, up to `max_attempts` attempts in all.
Ages are measured by the orchestrator's own monotonic clock from the moment it last saw the
heartbeat file change (or the run change state), so the machines' clocks never need to agree.
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
from prefect.states import Crashed

from flows.distributed.batch import HEARTBEAT, LEASE, attempt_dir
from flows.distributed.plan import WorkerBatch

logger = logging.getLogger(__name__)

OVER = {StateType.COMPLETED, StateType.FAILED, StateType.CANCELLED}
DEAD = {StateType.CRASHED}
TAKEN = {StateType.PENDING, StateType.RUNNING, StateType.CANCELLING, StateType.PAUSED}


@dataclass
class Attempt:
    """One flow run of a batch, and the last heartbeat the orchestrator saw of it."""

    batch: WorkerBatch
    number: int
    flow_run_id: UUID
    folder: Path
    beat: str | None = None
    beat_at: float | None = None  # monotonic time the heartbeat or the state last changed
    kind: StateType | None = None


@dataclass
class Finished:
    """How a batch ended: its last attempt's folder and state, and every attempt made."""

    batch: WorkerBatch
    folder: Path
    state: str
    message: str | None
    attempts: list[UUID] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.state == StateType.COMPLETED.value


@dataclass
class Watch:
    """Starts batches on `deployment` and follows them until every one has ended."""

    deployment: str
    exchange: Path
    run_id: str
    parameters: Callable[[WorkerBatch], dict[str, Any]]
    heartbeat_timeout: float = 120.0
    start_timeout: float = 600.0
    max_attempts: int = 3
    poll_seconds: float = 2.0
    finished: dict[str, Finished] = field(default_factory=dict)
    _tried: dict[str, list[UUID]] = field(default_factory=dict)

    def run(self, batches: list[WorkerBatch]) -> dict[str, Finished]:
        """Start every batch, then poll until each is Completed, Failed or out of attempts."""
        live = [self._start(batch) for batch in batches]
        with get_client(sync_client=True) as client:
            while live:
                time.sleep(self.poll_seconds)
                live = [follow for attempt in live if (follow := self._check(client, attempt)) is not None]
        return self.finished

    def _start(self, batch: WorkerBatch) -> Attempt:
        """A new flow run of the batch on the pool, returned at once (timeout=0)."""
        tried = self._tried.setdefault(batch.id, [])
        run = run_deployment(
            self.deployment,
            parameters=self.parameters(batch),
            timeout=0,
            flow_run_name=f"{self.run_id}-{batch.id}-{len(tried) + 1}",
            tags=["xxgk", f"xxgk-run-{self.run_id}"],
        )
        tried.append(run.id)
        logger.info("batch %s attempt %d: flow run %s", batch.id, len(tried), run.id)
        folder = attempt_dir(self.exchange, self.run_id, batch.id, str(run.id))
        return Attempt(batch, len(tried), run.id, folder)

    def _check(self, client: Any, attempt: Attempt) -> Attempt | None:
        """The attempt to keep following (this one or its replacement), or None when over."""
        state = client.read_flow_run(attempt.flow_run_id).state
        kind = state.type if state is not None else StateType.SCHEDULED
        if kind in OVER:
            self._finish(attempt, kind.value, state.message)
            return None
        if kind in DEAD:
            return self._again(client, attempt, f"flow run crashed: {state.message or 'no message'}")
        if kind in TAKEN and self._stale(attempt, kind):
            waited = self.heartbeat_timeout if kind != StateType.PENDING else self.start_timeout
            reason = f"{kind.value.lower()} without a heartbeat for {waited:g} s (its worker is gone)"
            client.set_flow_run_state(attempt.flow_run_id, Crashed(message=reason), force=True)
            return self._again(client, attempt, reason)
        return attempt  # Scheduled (no worker has taken it yet), or alive

    def _stale(self, attempt: Attempt, kind: StateType) -> bool:
        """Whether neither the heartbeat nor the state has changed for the state's timeout
        (`start_timeout` while Pending: starting a flow run's process can take a while)."""
        now = time.monotonic()
        try:
            beat = (attempt.folder / HEARTBEAT).read_text(encoding="utf-8")
        except OSError:
            beat = None
        if attempt.beat_at is None or beat != attempt.beat or kind != attempt.kind:
            attempt.beat, attempt.beat_at, attempt.kind = beat, now, kind
            return False
        timeout = self.start_timeout if kind == StateType.PENDING else self.heartbeat_timeout
        return now - attempt.beat_at > timeout

    def _again(self, client: Any, attempt: Attempt, reason: str) -> Attempt | None:
        """Free a dead attempt's hosts and start the batch again, if attempts are left."""
        logger.warning("batch %s attempt %d died: %s", attempt.batch.id, attempt.number, reason)
        release_lease(client, attempt.folder / LEASE)
        if attempt.number >= self.max_attempts:
            self._finish(attempt, StateType.CRASHED.value, f"{reason}; gave up after {attempt.number} attempts")
            return None
        return self._start(attempt.batch)

    def _finish(self, attempt: Attempt, state: str, message: str | None) -> None:
        tried = list(self._tried.get(attempt.batch.id, []))
        self.finished[attempt.batch.id] = Finished(attempt.batch, attempt.folder, state, message, tried)


def release_lease(client: Any, record: Path) -> None:
    """Release the host lease a dead attempt recorded (gone already, or never taken: nothing)."""
    try:
        lease_id = UUID(json.loads(record.read_text(encoding="utf-8"))["lease_id"])
    except (OSError, ValueError, KeyError):
        return
    try:
        client.release_concurrency_slots_with_lease(lease_id)
    except Exception as exc:  # noqa: BLE001 - an expired lease is already released
        logger.info("lease %s of a dead attempt: %s", lease_id, exc)
