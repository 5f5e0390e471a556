"""The client's two jitters (the gap between a host's request starts, the backoff between
attempts): their bounds, and that neither draws from the process's global `random`. The gap's
upper bound is checked on a virtual clock: on a loaded machine a real sleep overruns."""

from __future__ import annotations

import random
import time
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from connectors.http.politeness import HostGate
from connectors.http.retry import RetryPolicy

backoffs = st.floats(min_value=0.001, max_value=60, allow_nan=False)
attempts = st.integers(min_value=1, max_value=2_000)


@given(base=backoffs, attempt=attempts, cap=st.floats(min_value=0, max_value=600, allow_nan=False))
def test_a_backoff_is_the_doubled_base_plus_at_most_one_base_of_jitter_under_its_cap(base, attempt, cap):
    policy = RetryPolicy(max_attempts=3, backoff=base, backoff_max=600, retry_after_max=60)
    wait = policy.backoff_seconds(attempt, cap)
    if attempt > 1_000:  # 2 ** 1_000 times any base is past every cap
        assert wait == cap
        return
    low = base * 2 ** (attempt - 1)
    assert min(low, cap) <= wait <= min(low + base, cap)


def test_backoffs_vary_between_calls():
    policy = RetryPolicy(max_attempts=3, backoff=1.0, backoff_max=600, retry_after_max=60)
    waits = {policy.backoff_seconds(2, 600) for _ in range(50)}
    assert len(waits) > 1  # jitter, not a fixed wait
    assert all(2.0 <= w <= 3.0 for w in waits)


def test_neither_jitter_moves_the_global_random_sequence():
    random.seed(2012)
    expected = [random.random() for _ in range(3)]
    random.seed(2012)
    gate = HostGate(delay=0.0001, jitter=0.25, concurrency=1)
    for _ in range(20):
        with gate.turn():
            pass
    policy = RetryPolicy(max_attempts=3, backoff=0.5, backoff_max=10, retry_after_max=60)
    for attempt in range(1, 20):
        policy.backoff_seconds(attempt, 10)
    assert [random.random() for _ in range(3)] == expected


class VirtualClock:
    """A clock whose sleeps take exactly the time asked: the gate's own spacing, without the
    scheduler's overruns of a loaded machine (a real sleep may overrun, never underrun)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


@given(delay=st.floats(0.001, 5), jitter=st.floats(0, 2), work=st.lists(st.floats(0, 10), min_size=2, max_size=20))
def test_a_gate_spaces_starts_by_at_least_its_delay_and_at_most_delay_plus_jitter(delay, jitter, work):
    clock = VirtualClock()
    gate = HostGate(delay=delay, jitter=jitter, concurrency=1)
    starts = []
    with patch("connectors.http.politeness.time", clock):
        for seconds in work:  # each request takes a while; a long one leaves no wait at all
            with gate.turn():
                starts.append(clock.now)
                clock.sleep(seconds)
    for (a, took), b in zip(zip(starts, work, strict=False), starts[1:], strict=False):
        gap = b - a
        assert gap >= delay * (1 - 1e-9)
        assert gap <= max(delay * (1 + jitter), took) * (1 + 1e-9) + 1e-9


def test_a_gate_on_the_real_clock_never_starts_before_its_delay():
    delay = 0.02
    gate = HostGate(delay=delay, jitter=0.5, concurrency=1)
    # measured from before the first turn: a thread held up after its turn records a late
    # start, which shortens the next measured gap but never a start's distance from here
    before = time.monotonic()
    starts = []
    for _ in range(8):
        with gate.turn():
            starts.append(time.monotonic())
    assert all(start - before >= k * delay * 0.999 for k, start in enumerate(starts))
