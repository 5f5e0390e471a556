"""The capacity model of docs/capacity.md: how long a night over N portals takes at a per-host
delay d with W workers, and what it costs in CPU, disk and memory, from measured unit costs.

A portal's requests go one at a time to its host, their starts at least d × (1 + U(0, j))
apart (the client's politeness gate, j = 0.25); a worker holds one portal from its first
request to its last. So a portal of R requests takes s + (R − 1) × E[max(s, d(1 + u))]
seconds, s being the time one request keeps a worker busy (fetch, parse, landing: measured);
the portals are taken in order by the first free of W workers; and the night cannot go
faster than the machine's request rate either (measured at d = 0). `bench_capacity.py`
checks the model against nights measured on loopback and prints its error.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

JITTER = 0.25  # the client's default: each gap is delay × (1 + U(0, jitter))


@functools.lru_cache(maxsize=64)
def mean_gap(delay: float, service: float, jitter: float = JITTER, steps: int = 400) -> float:
    """E[max(service, delay × (1 + u))], u ~ U(0, jitter): the mean time between the starts
    of two requests of one portal."""
    if delay <= 0:
        return service
    points = ((i + 0.5) / steps for i in range(steps))
    return sum(max(service, delay * (1 + jitter * p)) for p in points) / steps


def portal_seconds(requests: float, delay: float, service: float, overhead: float = 0.0) -> float:
    """How long a worker is held by a portal of `requests` requests (`overhead`: what a
    portal costs besides its requests: its state, its landing files)."""
    if requests <= 0:
        return overhead
    return overhead + service + (requests - 1) * mean_gap(delay, service)


def schedule(durations: Iterable[float], workers: int) -> float:
    """When the last of `durations` ends, each taken in order by the first free worker."""
    free = [0.0] * max(workers, 1)
    for duration in durations:
        heapq.heapreplace(free, free[0] + duration)
    return max(free)


@dataclass(frozen=True)
class Costs:
    """Unit costs measured on a night at d = 0 (`bench_capacity.py`)."""

    service: float  # seconds one request keeps a worker busy
    overhead: float  # seconds a portal keeps a worker busy besides its requests (landing)
    rate: float  # requests a second the machine sustains (all workers)
    cpu_per_request: float  # CPU seconds per request (fetch, decode, archive, parse, landing)


def night_seconds(requests: Sequence[float], delay: float, workers: int, costs: Costs) -> float:
    """The wall time of a night whose portals make `requests` (in the order they are taken)."""
    polite = schedule((portal_seconds(r, delay, costs.service, costs.overhead) for r in requests), workers)
    return max(polite, sum(requests) / costs.rate)


def workers_needed(requests: Sequence[float], delay: float, window: float, costs: Costs) -> int:
    """The fewest workers that end the night within `window` seconds (largest portals first),
    or 0 when no number can: the largest portal alone takes longer."""
    ordered = sorted(requests, reverse=True)
    if not ordered or portal_seconds(ordered[0], delay, costs.service, costs.overhead) > window:
        return 0
    low, high = 1, len(ordered)
    if night_seconds(ordered, delay, high, costs) > window:
        return 0  # the machine's request rate cannot do it in time, whatever the workers
    while low < high:
        mid = (low + high) // 2
        if night_seconds(ordered, delay, mid, costs) <= window:
            high = mid
        else:
            low = mid + 1
    return low


def fit(requests: Sequence[int], seconds: Sequence[float]) -> tuple[float, float]:
    """(overhead, service): the least-squares line seconds = overhead + service × requests
    through the portals of a night at d = 0 (each portal's requests and how long it took)."""
    n = len(requests)
    mean_r, mean_t = sum(requests) / n, sum(seconds) / n
    spread = sum((r - mean_r) ** 2 for r in requests)
    if spread == 0:
        return 0.0, mean_t / max(mean_r, 1)
    service = sum((r - mean_r) * (t - mean_t) for r, t in zip(requests, seconds, strict=True)) / spread
    service = max(service, 0.0)
    return max(mean_t - service * mean_r, 0.0), service


@dataclass(frozen=True)
class Tier:
    """Sources of one size in an estimate: how many, and the catalog entries each lists."""

    sources: int
    entries: int


def listing_pages(entries: int, per_page: int = 20) -> int:
    """Listing pages of a source (at least one: a quiet night reads its first page)."""
    return max(1, -(-entries // per_page))


def tier_requests(tiers: Sequence[Tier], night: str, new_per_night: int, per_page: int = 20) -> list[float]:
    """Requests of each source on a `first` night (every listing page and every detail page),
    a `full` night (every listing page, details of the new entries only) or a `quiet` one (the
    first listing page, details of the new entries), new entries spread by size."""
    total = sum(t.sources * t.entries for t in tiers)
    out = []
    for tier in tiers:
        new = new_per_night * tier.entries / total  # expected: a fraction for small sources
        pages = listing_pages(tier.entries, per_page)
        each = {"first": pages + tier.entries, "full": pages + new, "quiet": 1 + new}[night]
        out.extend([each] * tier.sources)
    return out
