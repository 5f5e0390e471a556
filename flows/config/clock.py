"""The harvester's clock: what "now" is for a run.

Everything a run dates (its run id, its portals' started_at and finished_at, the fetched_at
of every page and so every listing's seen_at, the choice between a full and an incremental
listing, and through those the withdrawal dates and what is held at a year's end) reads
this clock, never `datetime.now` directly.

By default it is the wall clock. A test or a backfill can make a run start at another
instant: `xxgk sync --clock 2013-01-06T02:00:00+08:00`, or the environment variable
`XXGK_CLOCK` with the same value (the option wins over the variable). The clock then starts
at that instant and runs at the wall clock's pace from there, so the times within a run
stay ordered as they happened. See docs/reliability.md ("Clock").

A clock is a plain callable returning an aware UTC `datetime`; the connectors take one as
a parameter and never import this module.

A night also has a deadline (`[harvest] night_deadline`), kept on the monotonic clock:
past it the night stops harvesting and publishes what it has (docs/reliability.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

#: The environment variable that sets the instant a run starts at (ISO 8601 with an offset).
ENV = "XXGK_CLOCK"

#: A clock: called for "now", returns an aware datetime in UTC.
Clock = Callable[[], datetime]


def wall() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset (`2013-01-06T02:00:00+08:00`, `...Z`), in UTC.

    An instant without an offset is refused: a day boundary in China time is not one in UTC,
    and guessing would move withdrawals across days."""
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"clock {text!r} is not an ISO 8601 instant (e.g. 2013-01-06T02:00:00+08:00)") from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"clock {text!r} has no UTC offset (e.g. 2013-01-06T02:00:00+08:00)")
    return instant.astimezone(UTC)


def starting_at(start: datetime) -> Clock:
    """A clock that reads `start` now and advances with the wall clock's pace (monotonic)."""
    origin = time.monotonic()
    start = start.astimezone(UTC)

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

    return now


def run_clock(override: str | datetime | None = None) -> Clock:
    """The clock of a run: `override` (the CLI's `--clock`) if given, else `XXGK_CLOCK` if
    set and not empty, else the wall clock. Raises ValueError for a malformed instant."""
    if override is None:
        override = os.environ.get(ENV) or None
    if override is None:
        return wall
    start = override if isinstance(override, datetime) else parse_instant(override)
    if start.tzinfo is None:
        raise ValueError(f"clock {start.isoformat()} has no UTC offset")
    return starting_at(start)


#: Why a portal's harvest was stopped, or never began: the night ran out of time.
DEADLINE_PASSED = "night deadline passed"


class Deadline:
    """The moment a night must stop harvesting, `seconds` after it was made, on the
    monotonic clock (a wall clock set back or forward does not move it)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.reason = DEADLINE_PASSED
        self._at = None if seconds is None else time.monotonic() + seconds

    def cut(self, reason: str) -> None:
        """Bring the deadline to now, for `reason` (the run was cancelled, say)."""
        self.reason, self._at = reason, time.monotonic()

    def left(self) -> float | None:
        """Seconds until the deadline (negative once past); None for a night without one."""
        return None if self._at is None else self._at - time.monotonic()

    def passed(self) -> bool:
        """Whether the deadline has come."""
        left = self.left()
        return left is not None and left <= 0
