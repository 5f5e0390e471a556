"""Detail debt: the detail pages a portal still owes us, and which of them to ask for tonight.

A sighting whose wanted detail page was not read (it failed, or the circuit breaker kept us
from asking) is *owed*; one whose page answered 404 or 410 is *gone*. The warehouse says what
is owed or gone before a crawl, as plain data (`OwedDetail` per item key); the crawl asks
again for the pages that are *due*, within a per-night budget of seconds that the portal's
per-host delay turns into requests, and counts what it paid, what is still owed, what is
given up and what is gone (docs/reliability.md, "Detail debt").

- After the k-th failed attempt an owed page waits 2^(k-1) nights (1, 2, 4, … nights), until
  the portal answers again: once a detail page of it has been read tonight, every owed page
  of it is due at once, whatever its backoff.
- After `max_attempts` failed attempts a page is given up: reported, and not asked again
  unless its listing row changes.
- A gone page waits `GONE_WAIT_NIGHTS` nights between requests (the portal may restore it),
  unless its listing row changes; it is never given up, and a portal's answering again does
  not hurry it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

#: What becomes of a wanted detail page tonight: read, failed, gone (404/410), or not asked
#: (the circuit breaker was open).
READ, FAILED, GONE, NOT_ASKED = "read", "failed", "gone", "not asked"

#: Nights a gone page waits before it is asked for again (about a month).
GONE_WAIT_NIGHTS = 30


class OwedDetail(NamedTuple):
    """One owed (or gone) detail page, as the warehouse knows it before tonight (its rows come
    in this field order, so `OwedDetail._make(row)` reads one)."""

    url: str
    attempts: int = 0  # failed requests since the page was last read or last answered gone
    last_attempt: date | None = None  # the night of the latest of those failed requests
    owed_since: date | None = None  # the night of the oldest row the warehouse keeps of the debt
    gone_on: date | None = None  # the night it last answered 404/410, when that is its latest answer
    listing_hash: str | None = None  # the listing row's hash when the page was last asked for


@dataclass(frozen=True)
class DebtPolicy:
    """Tonight's date and the per-portal budget for asking again.

    `max_seconds` bounds the time spent; `per_host_delay` (the client's minimum gap between
    two requests to one host) turns it into the requests it can hold at most, so the budget
    follows the portal's politeness instead of a fixed count. `max_requests`, when set, is a
    further cap an operator may choose."""

    night: date
    max_seconds: float = 600.0
    per_host_delay: float = 0.0
    max_attempts: int = 8
    max_requests: int | None = None

    @property
    def request_budget(self) -> int | None:
        """The most owed pages asked for tonight (None: only the seconds bound them)."""
        paced = int(self.max_seconds // self.per_host_delay) if self.per_host_delay > 0 else None
        caps = [cap for cap in (paced, self.max_requests) if cap is not None]
        return min(caps) if caps else None


def wait_nights(attempts: int) -> int:
    """Nights an owed page waits after its latest failed attempt: 0, then 1, 2, 4, …"""
    return 0 if attempts <= 0 else 2 ** (attempts - 1)


def is_due(owed: OwedDetail, night: date, answering: bool = False) -> bool:
    """Whether a page may be asked for on `night`: a gone page after GONE_WAIT_NIGHTS; an owed
    page once its backoff has passed, or at once when the portal answers tonight
    (`answering`)."""
    if owed.gone_on is not None:
        return (night - owed.gone_on).days >= GONE_WAIT_NIGHTS
    if answering or owed.attempts <= 0 or owed.last_attempt is None:
        return True
    return (night - owed.last_attempt).days >= wait_nights(owed.attempts)


@dataclass
class DebtBook:
    """The owed and gone pages of one crawl and what became of each tonight."""

    owed: Mapping[str, OwedDetail]
    policy: DebtPolicy
    outcomes: dict[str, str] = field(default_factory=dict)  # item key -> READ | FAILED | GONE | NOT_ASKED

    def record(self, item_key: str, outcome: str) -> None:
        """What became of a wanted detail page tonight (the latest word wins)."""
        self.outcomes[item_key] = outcome

    @property
    def answering(self) -> bool:
        """The portal has answered tonight: a detail page of it was read."""
        return READ in self.outcomes.values()

    def given_up(self, item_key: str) -> bool:
        """Owed with as many failed attempts as allowed: not asked again unless its row changes."""
        owed = self.owed.get(item_key)
        return owed is not None and owed.gone_on is None and owed.attempts >= self.policy.max_attempts

    def rests(self, item_key: str, row_hash: str | None, known_hash: str | None) -> bool:
        """Whether the walk leaves a wanted page alone tonight: given up, or gone and not yet
        due, while its listing row is the one it had when the page was last asked for
        (`known_hash`, the row's hash before tonight, when that is not recorded)."""
        owed = self.owed.get(item_key)
        if owed is None or row_hash != (owed.listing_hash or known_hash):
            return False
        return self.given_up(item_key) or (owed.gone_on is not None and not is_due(owed, self.policy.night))

    def may_ask(self, item_key: str) -> bool:
        """Whether a page of the book may be asked for again now (not given up, and due)."""
        owed = self.owed[item_key]
        return not self.given_up(item_key) and is_due(owed, self.policy.night, self.answering)

    def candidates(self, exclude: Iterable[str] = ()) -> list[tuple[str, OwedDetail]]:
        """The pages that may be asked for again tonight, in asking order: owed pages past
        their backoff, then owed pages still in it (due only once the portal has answered),
        then gone pages; the longest owed first within each. Given-up pages and those already
        settled tonight (`exclude`, the walk's outcomes) are not among them."""
        settled = set(exclude) | self.outcomes.keys()
        night = self.policy.night

        def order(item: tuple[str, OwedDetail]) -> tuple:
            key, owed = item
            rank = 2 if owed.gone_on is not None else 0 if is_due(owed, night) else 1
            return rank, owed.owed_since or date.min, key

        kept = [(key, owed) for key, owed in self.owed.items() if key not in settled and not self.given_up(key)]
        return sorted(kept, key=order)

    def counts(self) -> tuple[int, int, int, int]:
        """(owed, paid, given up, gone) after tonight: what is still owed and may be asked
        again, what owed or gone before was read tonight, what is owed past its last attempt,
        and what answered 404/410 at its latest request."""
        attempts = {key: owed.attempts for key, owed in self.owed.items() if owed.gone_on is None}
        gone = {key for key, owed in self.owed.items() if owed.gone_on is not None}
        paid = 0
        for key, outcome in self.outcomes.items():
            if outcome == READ:
                paid += key in self.owed
                attempts.pop(key, None)
                gone.discard(key)
            elif outcome == GONE:
                attempts.pop(key, None)
                gone.add(key)
            elif outcome == FAILED:
                attempts[key] = (0 if key in gone else attempts.get(key, 0)) + 1
                gone.discard(key)
            elif key not in gone:
                attempts.setdefault(key, 0)
        given_up = sum(1 for n in attempts.values() if n >= self.policy.max_attempts)
        return len(attempts) - given_up, paid, given_up, len(gone)
