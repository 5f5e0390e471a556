"""The night's running counts: portals done, failed and in flight, pages and rows read so far.

One `NightTally` is shared by every harvest thread of a night. The harvests tell it when a
portal starts, as its rows arrive and when it ends; whoever shows the night's progress (the
terminal's live view, flows/ui/progress.py; the Prefect progress artifact,
flows/night/progress_artifact.py) reads a `TallySnapshot` of it. Telling it is a dict write
under a lock, cheap enough for every row: the counting never waits on the drawing.

A portal harvested again after a transient failure counts once: its latest attempt's figures
replace the earlier ones, so the sums never count a retried portal's pages twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: What a portal is doing, as the live view shows it.
WAITING, HARVESTING = "waiting", "harvesting"


@dataclass(frozen=True)
class InFlight:
    """One portal being harvested now: how far it got, and for how many seconds."""

    portal_id: str
    pages: int
    rows: int
    advertised: int | None
    seconds: float


@dataclass(frozen=True)
class TallySnapshot:
    """The night's counts at one instant."""

    portals: int  # portals in the night
    done: int  # finished ok or partial
    failed: int  # finished failed (their latest attempt)
    pages: int  # listing pages read, finished and in-flight portals alike
    rows: int  # listing rows read
    elapsed: float  # seconds since the tally began
    in_flight: tuple[InFlight, ...]

    @property
    def finished(self) -> int:
        """Portals whose harvest ended, however it ended."""
        return self.done + self.failed

    @property
    def share(self) -> float:
        """The finished share of the night's portals, 0 to 1 (1 for a night of none)."""
        return self.finished / self.portals if self.portals else 1.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the pace of the portals finished so far; None before the first
        (portals differ in size by hundreds of times: the estimate firms up as they end)."""
        if not self.finished:
            return None
        return self.elapsed / self.finished * (self.portals - self.finished)


@dataclass
class _Portal:
    pages: int = 0
    rows: int = 0
    advertised: int | None = None
    status: str = WAITING  # waiting | harvesting | ok | partial | failed
    since: float = 0.0


class NightTally:
    """Thread-safe counts of one night's harvests (module docstring)."""

    def __init__(self, portal_ids: Iterable[str], clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._portals = {portal_id: _Portal() for portal_id in portal_ids}
        self._started = clock()
        self._pages = self._rows = 0

    def start(self, portal_id: str) -> None:
        """The portal's harvest (or another attempt of it) begins: it is in flight, from zero."""
        with self._lock:
            portal = self._portals[portal_id]
            self._count(portal, 0, 0)
            portal.advertised, portal.status, portal.since = None, HARVESTING, self._clock()

    def update(self, portal_id: str, pages: int, rows: int, advertised: int | None) -> None:
        """The portal has read `rows` rows on `pages` pages so far (of `advertised` items)."""
        with self._lock:
            portal = self._portals[portal_id]
            if portal.status == WAITING:
                portal.status, portal.since = HARVESTING, self._clock()
            self._count(portal, pages, rows)
            portal.advertised = advertised

    def finish(self, portal_id: str, status: str, pages: int, rows: int) -> None:
        """The portal's harvest ended with `status` (ok | partial | failed) and these figures."""
        with self._lock:
            portal = self._portals[portal_id]
            self._count(portal, pages, rows)
            portal.status = status

    def _count(self, portal: _Portal, pages: int, rows: int) -> None:
        """Set a portal's figures, keeping the sums in step (under the lock)."""
        self._pages += pages - portal.pages
        self._rows += rows - portal.rows
        portal.pages, portal.rows = pages, rows

    def snapshot(self) -> TallySnapshot:
        """The counts now; the portals in flight the longest-running first."""
        with self._lock:
            now = self._clock()
            statuses = [p.status for p in self._portals.values()]
            flying = [
                InFlight(pid, p.pages, p.rows, p.advertised, now - p.since)
                for pid, p in self._portals.items()
                if p.status == HARVESTING
            ]
            pages, rows = self._pages, self._rows
        return TallySnapshot(
            portals=len(statuses),
            done=sum(s in ("ok", "partial") for s in statuses),
            failed=statuses.count("failed"),
            pages=pages,
            rows=rows,
            elapsed=now - self._started,
            in_flight=tuple(sorted(flying, key=lambda f: -f.seconds)),
        )
