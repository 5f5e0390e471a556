"""The retry policy: how many attempts a fetch gets, how long it waits between them, and
what a server's Retry-After header is allowed to ask for.

Kept apart from `client` so the policy (tenacity's `Retrying`, jittered exponential backoff,
the capped Retry-After) reads in one place and the client only says what one attempt is.
Only `Retryable` failures are retried; a fetch whose attempts run out ends in `FetchError`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import urllib3
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from urllib3.util.retry import Retry

from connectors.errors import FetchError
from connectors.http.exchange import Body, Retryable
from connectors.records import Request


@dataclass
class Progress:
    """How far one fetch got, for its error and its log entry."""

    attempts: int = 0
    status: int | None = None  # the last HTTP status seen


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and waits of one client. `backoff` and `backoff_max` are the jittered
    exponential backoff's base and cap (seconds); `retry_after_max` caps a Retry-After."""

    max_attempts: int
    backoff: float
    backoff_max: float
    retry_after_max: float
    _parser: Retry = field(init=False, repr=False, compare=False)
    # The jitter's own generator: drawing from the global `random` would move a sequence that
    # other code in the process (a seeded simulation, a property test) relies on.
    _random: random.Random = field(init=False, repr=False, compare=False, default_factory=random.Random)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parser", Retry(total=0, retry_after_max=int(self.retry_after_max)))

    def run(
        self, attempt: Callable[[], Body], request: Request, progress: Progress, attempts: int | None = None
    ) -> Body:
        """Run `attempt` until it succeeds, a permanent error occurs, or attempts run out.

        `attempts` lowers `max_attempts` for this request, and its retries then wait no
        longer than `backoff` plus jitter."""
        quick = attempts is not None and attempts < self.max_attempts
        retrying = Retrying(
            stop=stop_after_attempt(attempts if quick else self.max_attempts),
            wait=self.wait(quick),
            retry=retry_if_exception_type(Retryable),
            reraise=True,
        )
        try:
            for tried in retrying:
                with tried:
                    progress.attempts = tried.retry_state.attempt_number
                    return attempt()
        except Retryable as exc:
            raise FetchError(
                f"{request.method} {request.url}: {exc} after {progress.attempts} attempts",
                url=request.url,
                status=exc.status,
                attempts=progress.attempts,
            ) from exc
        raise AssertionError("tenacity ended without an outcome")  # pragma: no cover

    def wait(self, quick: bool = False) -> Callable[[RetryCallState], float]:
        """The wait before a retry: what the server asked for, else jittered backoff
        (no more than `backoff` plus jitter when `quick`)."""
        cap = self.backoff if quick else self.backoff_max

        def wait(retry_state: RetryCallState) -> float:
            exc = retry_state.outcome.exception() if retry_state.outcome else None
            if isinstance(exc, Retryable) and exc.retry_after is not None:
                return exc.retry_after
            return self.backoff_seconds(retry_state.attempt_number, cap)

        return wait

    def backoff_seconds(self, attempt: int, cap: float) -> float:
        """The wait after failed attempt `attempt` (1 for the first): `backoff` · 2^(attempt−1)
        plus U(0, `backoff`) of jitter, at most `cap`."""
        jitter = self._random.uniform(0, self.backoff)
        try:
            result = self.backoff * 2.0 ** (attempt - 1) + jitter
        except OverflowError:
            return cap
        return max(0.0, min(result, cap))

    def retry_after(self, response: urllib3.BaseHTTPResponse) -> float | None:
        """Seconds the server asked us to wait (capped by `retry_after_max`), if it said so."""
        value = response.headers.get("retry-after")
        if not value:
            return None
        try:
            return float(self._parser.parse_retry_after(value))
        except urllib3.exceptions.InvalidHeader:
            return None  # a header we cannot read: ordinary backoff applies
