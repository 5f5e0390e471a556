"""Politeness toward one host: spaced request starts, a cap on requests in flight, and the
pauses the host itself asks for (Retry-After)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class HostGate:
    """Politeness for one host: spaced request starts and a cap on requests in flight."""

    def __init__(self, delay: float, jitter: float, concurrency: int) -> None:
        self._delay = delay
        self._jitter = jitter
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._not_before = 0.0  # set when the host asked us to wait (Retry-After)
        # The jitter's own generator: drawing from the global `random` would move a sequence
        # that other code in the process (a seeded simulation, a property test) relies on.
        self._random = random.Random()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold one of the host's slots, starting no sooner than the gate allows."""
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start, self._not_before)
                # Jitter only lengthens the gap: the configured delay is a floor.
                self._next_start = start + self._delay * (1 + self._random.uniform(0, self._jitter))
            if start > now:
                time.sleep(start - now)
            # With more than one slot, the host may have asked for a pause while we slept.
            while (hold := self._hold()) > 0:
                time.sleep(hold)
            yield

    def _hold(self) -> float:
        """Seconds left of a pause the host asked for."""
        with self._lock:
            return self._not_before - time.monotonic()

    def defer(self, seconds: float) -> None:
        """Hold every request to this host back for `seconds` (the host asked us to wait)."""
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + seconds)

    def idle(self) -> bool:
        """Whether the gate would let a request start now with nothing to wait for: a new
        gate in its place would behave the same (the delay after the last start and any
        pause the host asked for are over)."""
        with self._lock:
            now = time.monotonic()
            return self._next_start <= now and self._not_before <= now
