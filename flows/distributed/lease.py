"""The host lease of a batch: one slot of every host's Prefect global concurrency limit, taken
before the batch's first request, kept while it harvests, given back at its end.

Why not Prefect's own `concurrency(names, lease_duration=...)`: it hides the lease id, so
the orchestrator could not free the hosts of an attempt it took for dead; and when a
renewal fails it injects an exception into one thread, which neither reaches harvest
threads blocked in a request nor is tied to the lease's length. Here the lease id is
recorded in the attempt's folder, and a watchdog stops the whole process once no renewal
has succeeded for the lease's length, so a batch cut off from the Prefect server is gone
before the server can give its hosts to another.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import ConcurrencyLeaseHolder

from flows.config.clock import Deadline
from flows.distributed.exchange import read_json, write_json

logger = logging.getLogger(__name__)

LEASE_GONE = 410  # Prefect's answer to renewing a lease that was released or has expired
HELD = 423  # Prefect's answer to a slot another holder has
STOPPED = 75  # exit status of an attempt that stopped itself: its lease was lost


class HostsHeld(RuntimeError):
    """Another run held one of the batch's hosts for longer than the batch may wait."""


def _status(exc: BaseException) -> int | None:
    return getattr(getattr(exc, "response", None), "status_code", None)


def acquire(
    names: list[str], lease_seconds: float, wait: float, deadline: Deadline, holder: UUID | None
) -> tuple[UUID, float] | None:
    """Take one slot of each named limit; (lease id, monotonic time the request was sent).

    Waits while another holder has one of them (HTTP 423), at most `wait` seconds
    (HostsHeld then), and not past the night's deadline (None then: nothing to harvest).
    """
    owner = ConcurrencyLeaseHolder(type="flow_run", id=holder) if holder else None
    started = time.monotonic()
    with get_client(sync_client=True) as client:
        while True:
            sent = time.monotonic()
            try:
                response = client.increment_concurrency_slots_with_lease(
                    names=names, slots=1, mode="concurrency", lease_duration=lease_seconds, holder=owner
                )
                return UUID(response.json()["lease_id"]), sent
            except Exception as exc:
                if _status(exc) != HELD:
                    raise
                retry = float(exc.response.headers.get("Retry-After", 1))
            waited = time.monotonic() - started
            if deadline.passed():
                return None
            if waited >= wait:
                raise HostsHeld(f"hosts held by another run for {waited:.0f} s: {', '.join(names)}") from None
            time.sleep(max(0.1, min(retry, 5.0, wait - waited, deadline.left() or 5.0)))


def _renew(lease_id: UUID, lease_seconds: float) -> None:
    with get_client(sync_client=True) as client:
        client.renew_concurrency_lease(lease_id, lease_seconds)


def _exit() -> None:
    os._exit(STOPPED)


class LeaseKeeper:
    """Renews a lease every quarter of its length, and stops the process (`stop`) once it has
    not been renewed for its length, counted from when the last renewal that succeeded was
    sent (the server counts from when it received it: later), or at once when the server
    says the lease is gone (the orchestrator released it: this attempt was taken for dead).
    """

    def __init__(
        self,
        lease_id: UUID,
        lease_seconds: float,
        renewed: float,
        renew: Callable[[UUID, float], None] = _renew,
        stop: Callable[[], None] = _exit,
    ) -> None:
        self.lease_id, self.lease_seconds, self.renewed = lease_id, lease_seconds, renewed
        self._renew, self._stop_process = renew, stop
        self._stop = threading.Event()
        # the threads see the Prefect settings (the server to renew with) of their creator
        self._threads = [
            threading.Thread(target=contextvars.copy_context().run, args=(target,), name=name, daemon=True)
            for target, name in ((self._renewing, "xxgk-lease-renew"), (self._watching, "xxgk-lease-watch"))
        ]

    def _renewing(self) -> None:
        while not self._stop.wait(self.lease_seconds / 4):
            sent = time.monotonic()
            try:
                self._renew(self.lease_id, self.lease_seconds)
                self.renewed = sent
            except Exception as exc:  # noqa: BLE001 - the watchdog decides when it is too late
                if _status(exc) == LEASE_GONE:
                    self._give_up("the orchestrator released this attempt's host lease")
                    return
                logger.warning("host lease not renewed: %s", exc)

    def _watching(self) -> None:
        while not self._stop.wait(min(1.0, self.lease_seconds / 10)):
            if time.monotonic() - self.renewed >= self.lease_seconds:
                self._give_up(f"host lease not renewed for {self.lease_seconds:g} s")
                return

    def _give_up(self, why: str) -> None:
        if self._stop.is_set():
            return  # the batch has ended: nothing is asked any more
        logger.error("%s: another batch may have its hosts now; stopping", why)
        self._stop.set()
        self._stop_process()

    def __enter__(self) -> LeaseKeeper:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


@contextlib.contextmanager
def host_lease(
    names: list[str], lease_seconds: float, wait: float, deadline: Deadline, holder: UUID | None, record: Path
) -> Iterator[bool]:
    """Hold the named hosts' slots for the block (kept by a `LeaseKeeper`); yields False,
    holding nothing, when the deadline passed while waiting for them."""
    if not names:
        yield True
        return
    taken = acquire(names, lease_seconds, wait, deadline, holder)
    if taken is None:
        yield False
        return
    lease_id, sent = taken
    write_json(record, {"lease_id": str(lease_id), "slots": names})
    try:
        with LeaseKeeper(lease_id, lease_seconds, sent):
            yield True
    finally:
        try:
            with get_client(sync_client=True) as client:
                client.release_concurrency_slots_with_lease(lease_id)
        except Exception as exc:  # noqa: BLE001 - unreleased, it expires by itself
            logger.warning("host lease %s not released (it expires in %g s): %s", lease_id, lease_seconds, exc)


def release_lease(client: object, record: Path) -> None:
    """Release the host lease an attempt recorded (gone already, or never taken: nothing)."""
    try:
        lease_id = UUID((read_json(record) or {})["lease_id"])
    except (OSError, ValueError, KeyError):
        return
    try:
        client.release_concurrency_slots_with_lease(lease_id)
    except Exception as exc:  # noqa: BLE001 - an expired lease is already released
        logger.info("lease %s of a stopped attempt: %s", lease_id, exc)
