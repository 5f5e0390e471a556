"""One exchange on the wire: one request sent on its host's session without following
redirects, the next hop of a redirect, a body read under its size caps, and a response's
connection dropped.

Failures come out as `Retryable` (worth another attempt) or `FetchError` (final), in words
an operator can act on rather than the HTTP stack's chain of wrappers.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    LocationValueError,
    NewConnectionError,
    ReadTimeoutError,
)

from connectors.errors import FetchError, ResponseTooLarge
from connectors.http.deadline import Deadline
from connectors.http.session import HostSession
from connectors.http.watchdog import headers_by

Response = urllib3.BaseHTTPResponse

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class Retryable(Exception):
    """One attempt failed in a way worth another: connection trouble, 429 or 5xx."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Hop:
    """One request on the way to a page: the one asked for, or one a redirect led to."""

    method: str
    url: str
    data: list[tuple[str, str]] | None


@dataclass
class Body:
    """What one successful exchange produced, before decoding and archiving."""

    final_url: str
    status: int  # 304 when the archived body is to be reused
    headers: dict[str, str]  # lower-case names
    content: bytes


def send(
    session: HostSession,
    hop: Hop,
    headers: dict[str, str],
    connect_timeout: float,
    read_timeout: float,
    deadline: Deadline,
) -> Response:
    """Send one request without following redirects or reading the body."""
    try:
        with headers_by(deadline):
            return session.send(hop.method, hop.url, hop.data, headers, deadline.timeout(connect_timeout, read_timeout))
    except LocationValueError as exc:
        raise FetchError(f"{hop.method} {hop.url}: invalid URL: {exc}", url=hop.url) from exc
    except InvalidHeader as exc:  # conflicting Content-Length values, say
        raise _refused(hop, exc) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise Retryable(network_failure(exc, connect_timeout, read_timeout)) from exc
    except ValueError as exc:
        # A URL or header the HTTP stack will not send (hostile Location, bad characters).
        raise _refused(hop, exc) from exc


def _refused(hop: Hop, exc: BaseException) -> FetchError:
    return FetchError(
        f"{hop.method} {hop.url}: refused by the HTTP stack: {type(exc).__name__}: {short(exc)}", url=hop.url
    )


def next_hop(hop: Hop, response: Response) -> Hop:
    """The request a redirect asks for; its host is checked when it is made. A Location
    no URL parser reads (`http://[::1/x`) is a `FetchError`."""
    try:
        target = urljoin(hop.url, response.headers["location"].strip())
    except ValueError as exc:
        raise _refused(hop, exc) from exc
    if response.status == 303 or (response.status in (301, 302) and hop.method == "POST"):
        # What browsers do, and what portals behind them expect.
        return Hop("GET", target, None)
    return Hop(hop.method, target, hop.data)


def read_capped(response: Response, url: str, max_bytes: int, max_decoded_bytes: int, deadline: Deadline) -> bytes:
    """Stream the body, refusing more than `max_bytes` on the wire or `max_decoded_bytes`
    after decompression. Stops early when the deadline passes: the caller tells a body cut
    short by `deadline.expired`."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"{url}: Content-Length {declared} exceeds the {max_bytes}-byte cap", url=url, status=response.status
        )
    raw = response
    chunks: list[bytes] = []
    decoded = 0
    try:
        # read1 returns what has arrived rather than waiting for a whole chunk, so a body
        # that drips is seen to do so; it inflates at most _CHUNK bytes per call, so a
        # bomb is stopped one chunk past the cap, never inflated whole.
        while not deadline.expired and (chunk := raw.read1(_CHUNK, decode_content=True)):
            decoded += len(chunk)
            _check_size(response, url, decoded, max_bytes, max_decoded_bytes)
            chunks.append(chunk)
    except urllib3.exceptions.DecodeError as exc:
        raise FetchError(f"{url}: undecodable content-encoding: {short(exc)}", url=url, status=response.status) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise Retryable(f"body read failed: {type(exc).__name__}: {short(exc)}", status=response.status) from exc
    return b"".join(chunks)


def _check_size(response: Response, url: str, decoded: int, max_bytes: int, max_decoded_bytes: int) -> None:
    """Refuse a body grown past either cap; `decoded` is its size so far."""
    wire = response.tell()  # what urllib3 has read, before decompression
    if decoded > max_decoded_bytes:
        raise ResponseTooLarge(
            f"{url}: body exceeds the {max_decoded_bytes}-byte cap after decompression ({wire} bytes on the wire)",
            url=url,
            status=response.status,
        )
    if wire > max_bytes:
        raise ResponseTooLarge(f"{url}: body exceeds the {max_bytes}-byte cap", url=url, status=response.status)


def drop(response: Response) -> None:
    """Close a response's connection and hand it back to its pool (which opens a new one)."""
    response.close()
    response.release_conn()


def lower(headers: urllib3.HTTPHeaderDict) -> dict[str, str]:
    """Response headers as a plain dict with lower-case names; a header sent several times
    is its values joined by commas."""
    return {name.lower(): headers[name] for name in headers}


def network_failure(exc: BaseException, connect_timeout: float, read_timeout: float) -> str:
    """What went wrong on the wire, in the words an operator acts on; the library's wrapper
    chain (pools, "Connection aborted.", "Failed to establish a new connection") says
    nothing they can use."""
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return f"no connection within {connect_timeout:g} s"
    if isinstance(exc, ReadTimeoutError | TimeoutError):
        return f"no answer within {read_timeout:g} s"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(cause, socket.gaierror):
            return f"host name not found ({cause.strerror or cause})"
        nested = getattr(cause, "reason", None)
        cause = nested if isinstance(nested, BaseException) else cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {short(exc)}"


def short(exc: BaseException, limit: int = 200) -> str:
    """An exception's message, cut so a hostile server cannot flood the log."""
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"
