"""What one response means: a redirect to follow, a retry (a 429 or 5xx, the host's gate
deferred by its Retry-After), an error, or a body read under its size caps.

Kept apart from the client (connectors/http/client.py), which decides when and where a
request goes; here only the status and the body of one response are read.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.errors import FetchError
from connectors.http.deadline import Deadline
from connectors.http.exchange import REDIRECT_STATUSES, Body, Hop, Response, Retryable, lower, next_hop, read_capped
from connectors.http.politeness import HostGate
from connectors.http.retry import RetryPolicy


def answer(
    response: Response,
    hop: Hop,
    *,
    conditional: bool,
    gate: HostGate,
    retry: RetryPolicy,
    caps: tuple[int, int],
    deadline: Deadline,
    expired: Callable[[], FetchError | None],
) -> tuple[Body | Hop, bool]:
    """What `response` to `hop` means, with whether its body was read to its end (its
    connection can then be kept). `conditional`: the request carried validators, so a 304 is
    an answer; `caps`: the most bytes read off the wire and decoded; `expired()`: the error for
    an exchange past its deadline, or None while there is time."""
    status = response.status
    if status in REDIRECT_STATUSES and "location" in response.headers:
        return next_hop(hop, response), False
    if status == 429 or status >= 500:
        wait = retry.retry_after(response)
        if wait is not None:
            gate.defer(wait)
        raise Retryable(f"HTTP {status}", status=status, retry_after=wait)
    if status == 304:
        if not conditional:
            raise FetchError(f"{hop.method} {hop.url}: HTTP 304 to an unconditional request", url=hop.url, status=304)
        whole = response.read() == b""  # a 304 has no body by definition
        return Body(hop.url, 304, lower(response.headers), b""), whole
    if not 200 <= status < 300:  # 4xx, or a 3xx that leads nowhere
        raise FetchError(f"{hop.method} {hop.url}: HTTP {status}", url=hop.url, status=status)
    try:
        content = read_capped(response, hop.url, *caps, deadline)
    except Retryable as exc:
        raise expired() or exc from exc
    if timed_out := expired():
        raise timed_out  # a body cut short where no length was declared
    return Body(hop.url, status, lower(response.headers), content), True
