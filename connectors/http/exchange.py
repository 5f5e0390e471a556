"""One exchange on the wire: a session per host, one request sent without following
redirects, the next hop of a redirect, and a body read under its size caps.

Failures come out as `Retryable` (worth another attempt) or `FetchError` (final), in words
an operator can act on rather than the HTTP stack's chain of wrappers.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
import urllib3

from connectors.errors import FetchError, ResponseTooLarge
from connectors.http.deadline import Deadline
from connectors.http.watchdog import WatchedAdapter, headers_by

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


def new_session(host: str, user_agent: str, pool_size: int) -> requests.Session:
    """A session for `host` that neither retries nor redirects on its own (the client does
    both, checked).

    The environment's proxies and CA bundle are read once here: requests would otherwise
    scan the whole environment on every request, half the client's own CPU on loopback.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(f"http://{host}/")
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    adapter = WatchedAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def send(
    session: requests.Session,
    hop: Hop,
    headers: dict[str, str],
    connect_timeout: float,
    read_timeout: float,
    deadline: Deadline,
) -> requests.Response:
    """Send one request without following redirects or reading the body."""
    try:
        with headers_by(deadline):
            return session.request(
                hop.method,
                hop.url,
                data=hop.data,
                headers=headers,
                allow_redirects=False,
                stream=True,
                timeout=deadline.timeout(connect_timeout, read_timeout),
            )
    except requests.exceptions.InvalidURL as exc:
        raise FetchError(f"{hop.method} {hop.url}: invalid URL: {exc}", url=hop.url) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Retryable(network_failure(exc, connect_timeout, read_timeout)) from exc
    except (requests.RequestException, ValueError) as exc:
        # A URL or header the HTTP stack will not send (hostile Location, bad characters)
        # or response headers it will not accept (conflicting Content-Length values).
        raise FetchError(
            f"{hop.method} {hop.url}: refused by the HTTP stack: {type(exc).__name__}: {short(exc)}", url=hop.url
        ) from exc


def next_hop(hop: Hop, response: requests.Response) -> Hop:
    """The request a redirect asks for; its host is checked when it is made."""
    target = urljoin(hop.url, response.headers["location"].strip())
    if response.status_code == 303 or (response.status_code in (301, 302) and hop.method == "POST"):
        # What browsers do, and what portals behind them expect.
        return Hop("GET", target, None)
    return Hop(hop.method, target, hop.data)


def read_capped(
    response: requests.Response, url: str, max_bytes: int, max_decoded_bytes: int, deadline: Deadline
) -> bytes:
    """Stream the body, refusing more than `max_bytes` on the wire or `max_decoded_bytes`
    after decompression. Stops early when the deadline passes: the caller tells a body cut
    short by `deadline.expired`."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"{url}: Content-Length {declared} exceeds the {max_bytes}-byte cap", url=url, status=response.status_code
        )
    raw = response.raw
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
        raise FetchError(
            f"{url}: undecodable content-encoding: {short(exc)}", url=url, status=response.status_code
        ) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise Retryable(f"body read failed: {type(exc).__name__}: {short(exc)}", status=response.status_code) from exc
    return b"".join(chunks)


def _check_size(response: requests.Response, url: str, decoded: int, max_bytes: int, max_decoded_bytes: int) -> None:
    """Refuse a body grown past either cap; `decoded` is its size so far."""
    wire = response.raw.tell()  # what urllib3 has read, before decompression
    if decoded > max_decoded_bytes:
        raise ResponseTooLarge(
            f"{url}: body exceeds the {max_decoded_bytes}-byte cap after decompression ({wire} bytes on the wire)",
            url=url,
            status=response.status_code,
        )
    if wire > max_bytes:
        raise ResponseTooLarge(f"{url}: body exceeds the {max_bytes}-byte cap", url=url, status=response.status_code)


def lower(headers: requests.structures.CaseInsensitiveDict) -> dict[str, str]:
    """Response headers as a plain dict with lower-case names."""
    return {name.lower(): value for name, value in headers.items()}


def network_failure(exc: BaseException, connect_timeout: float, read_timeout: float) -> str:
    """What went wrong on the wire, in the words an operator acts on; the library's wrapper
    chain (pools, adapters, "Max retries exceeded") says nothing they can use."""
    if isinstance(exc, requests.ConnectTimeout):
        return f"no connection within {connect_timeout:g} s"
    if isinstance(exc, requests.Timeout):
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
        cause = nested if isinstance(nested, BaseException) else cause.__context__
    return f"{type(exc).__name__}: {short(exc)}"


def short(exc: BaseException, limit: int = 200) -> str:
    """An exception's message, cut so a hostile server cannot flood the log."""
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"
