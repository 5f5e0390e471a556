"""Detail debt: the detail pages a portal still owes us, and which of them to ask for tonight.

A sighting whose wanted detail page was not read (it failed, or the circuit breaker kept us
from asking) is *owed*. The warehouse says what is owed before a crawl, as plain data
(`OwedDetail` per item key); the crawl asks again for the owed pages that are *due*, oldest
first, within a per-night budget of requests and seconds, and counts what it paid, what is
still owed and what is given up (docs/reliability.md, "Detail debt").

After the k-th failed attempt a page waits 2^(k-1) nights (1, 2, 4, … nights) before the
next; after `max_attempts` failed attempts it is given up: reported, never asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

#: What becomes of a wanted detail page tonight: read, failed, or not asked (circuit open).
READ, FAILED, NOT_ASKED = "read", "failed", "not asked"


class OwedDetail(NamedTuple):
    """One owed detail page, as the warehouse knows it before tonight (its rows come in this
    field order, so `OwedDetail._make(row)` reads one)."""

    url: str
    attempts: int = 0  # failed requests since the page was last read (0: never asked)
    last_attempt: date | None = None  # the night of the latest failed request
    owed_since: date | None = None  # the night the page first became owed


@dataclass(frozen=True)
class DebtPolicy:
    """Tonight's date and the per-portal budget for asking again."""

    night: date
    max_requests: int = 200
    max_seconds: float = 120.0
    max_attempts: int = 8


def wait_nights(attempts: int) -> int:
    """Nights an owed page waits after its latest failed attempt: 0, then 1, 2, 4, …"""
    return 0 if attempts <= 0 else 2 ** (attempts - 1)


def is_due(owed: OwedDetail, night: date) -> bool:
    """Whether an owed page may be asked for on `night` (its backoff has passed)."""
    if owed.attempts <= 0 or owed.last_attempt is None:
        return True
    return (night - owed.last_attempt).days >= wait_nights(owed.attempts)


@dataclass
class DebtBook:
    """The owed pages of one crawl and what became of each tonight."""

    owed: Mapping[str, OwedDetail]
    policy: DebtPolicy
    outcomes: dict[str, str] = field(default_factory=dict)  # item key -> READ | FAILED | NOT_ASKED

    def record(self, item_key: str, outcome: str) -> None:
        """What became of a wanted detail page tonight (the latest word wins)."""
        self.outcomes[item_key] = outcome

    def given_up(self, item_key: str) -> bool:
        """Owed with as many failed attempts as allowed: never asked again."""
        owed = self.owed.get(item_key)
        return owed is not None and owed.attempts >= self.policy.max_attempts

    def due(self, exclude: Iterable[str] = ()) -> list[tuple[str, OwedDetail]]:
        """The owed pages to ask for tonight, oldest debt first: not given up, past their
        backoff, and not already settled tonight (`exclude`, the walk's outcomes)."""
        settled = set(exclude) | self.outcomes.keys()
        due = [
            (key, owed)
            for key, owed in self.owed.items()
            if key not in settled and not self.given_up(key) and is_due(owed, self.policy.night)
        ]
        return sorted(due, key=lambda item: (item[1].owed_since or date.min, item[0]))

    def counts(self) -> tuple[int, int, int]:
        """(owed, paid, given up) after tonight: what is still owed and may be asked again,
        what owed before was read tonight, and what is owed past its last attempt."""
        attempts = {key: owed.attempts for key, owed in self.owed.items()}
        paid = 0
        for key, outcome in self.outcomes.items():
            if outcome == READ:
                paid += key in attempts
                attempts.pop(key, None)
            elif outcome == FAILED:
                attempts[key] = attempts.get(key, 0) + 1
            else:
                attempts.setdefault(key, 0)
        given_up = sum(1 for n in attempts.values() if n >= self.policy.max_attempts)
        return len(attempts) - given_up, paid, given_up
