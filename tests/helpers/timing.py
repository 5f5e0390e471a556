"""One parse timed in CPU seconds and cut off if it runs away, for the hostile-page tests.

CPU time of this process, not wall time: parsing is CPU work, and other processes on a
shared machine stretch the wall clock without saying anything about the parser. The cut-off
is a CPU-time alarm (SIGPROF), so a parser that never ends fails the test instead of hanging.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from connectors.errors import PageError


class _TooSlow(Exception):
    pass


def _alarm(signum, frame):
    raise _TooSlow


def cpu_timed(parse: Callable, page: str, cut_off: float) -> tuple[float, object]:
    """(CPU seconds, result or PageError) of `parse(page)`; the outcome is None when the call
    was cut off after `cut_off` CPU seconds. Any other exception propagates."""
    previous = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, cut_off)
    started = time.process_time()
    try:
        outcome: object = parse(page)
    except PageError as exc:
        outcome = exc
    except _TooSlow:
        outcome = None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    return time.process_time() - started, outcome
