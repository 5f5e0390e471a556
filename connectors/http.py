"""The one HTTP client: polite, bounded, and suspicious of everything a portal sends.

One `HttpClient` serves a whole process and is shared by its threads. For every host it
keeps a `requests.Session` and a politeness gate (a minimum, jittered delay between the
starts of two requests to the host, and at most `per_host_concurrency` requests in
flight). A request may only go to the hosts its caller allows; redirects are followed by
hand so every hop is checked. Bodies are streamed under a wire-size cap and a decoded-size
cap, decoded with the charset the page declares (else UTF-8, else gb18030), archived by
sha256, and logged. Validators (ETag, Last-Modified) are remembered per URL so the next
request is conditional and a 304 is answered from the archive.
"""

from __future__ import annotations

import codecs
import heapq
import itertools
import json
import os
import random
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter
from urllib3.util.retry import Retry

from connectors.archive import PageArchive, sha256_hex
from connectors.errors import FetchError, ForeignHostError, ResponseTooLarge
from connectors.records import FetchLogEntry, Request

__all__ = [
    "HttpClient",
    "Page",
    "allowed_hosts",
    "decode_body",
    "host_key",
]

_MB = 1024 * 1024
_CHUNK = 64 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Every name the GB family goes by: gb18030 is their superset, so decoding with it never
# loses a character (镕 is not in GB2312 but portals that declare gb2312 send it anyway).
_GB_NAMES = frozenset({"gb2312", "gbk", "gb_2312", "gb_2312-80", "gb18030", "cp936", "ms936",
                       "x-gbk", "csgb2312", "euc-cn", "windows-936"})
# Codecs no web page is written in; a page naming one would have its bytes reinterpreted
# (utf-7 and the escape codecs turn harmless text into markup).
_REFUSED_CODECS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "idna",
                             "punycode", "undefined"})
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml\b[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:\-]+)", re.I)
# Browsers look for the meta charset in the first 1024 bytes; portals with long heads
# (inline scripts, comment banners) push it further, so look a little deeper.
_SNIFF_BYTES = 16 * 1024


@dataclass(frozen=True)
class Page:
    """A response body as the crawl sees it: decoded, archived, with how it was obtained."""

    url: str  # the URL asked for
    final_url: str  # after same-host redirects; relative links resolve against this
    status: int  # 200-299, or 304 when the archived body was reused
    headers: dict[str, str]  # lower-case names
    content: bytes
    text: str
    encoding: str
    sha256: str
    attempts: int
    elapsed: float
    fetched_at: datetime
    not_modified: bool = False


def host_key(url: str) -> str:
    """`hostname:port` of an http(s) URL, the port made explicit; the unit of politeness."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. a malformed IPv6 literal in a hostile Location
        raise ForeignHostError(f"unreadable URL {url!r}: {exc}", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ForeignHostError(f"not an http(s) URL: {url!r}", url=url)
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:  # a port that is not a number or out of range
        raise ForeignHostError(f"bad port in URL {url!r}: {exc}", url=url) from exc
    return f"{parts.hostname.lower()}:{port}"


def allowed_hosts(url: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host keys a portal may use: its entry URL's host plus configured extra hosts.

    A host named without a port (the entry URL on its scheme's default port, or an extra
    host given as `name`) may be reached on both default ports, so the common move from
    http to https on the same name is followed. An extra host may also be `name:port` or
    a URL, which allow exactly that port.
    """
    entry = host_key(url)
    parts = urlsplit(url)
    keys = {entry}
    if parts.port is None:
        keys.update(_default_port_keys(parts.hostname or ""))
    for item in extra:
        item = item.strip()
        if "://" in item:
            keys.add(host_key(item))
        elif ":" in item.rsplit("]", 1)[-1]:
            keys.add(item.lower())
        else:
            keys.update(_default_port_keys(item))
    return frozenset(keys)


def _default_port_keys(hostname: str) -> set[str]:
    """`hostname` on the http and https default ports."""
    return {f"{hostname.lower()}:{port}" for port in _DEFAULT_PORTS.values()}


def _codec_name(label: str) -> str | None:
    """The Python codec for a declared charset label, GB names folded into gb18030."""
    label = label.strip().strip("\"'").lower()
    if label in _GB_NAMES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _REFUSED_CODECS:
        return None
    return "gb18030" if name in _GB_NAMES else name


def _declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Charsets the response declares, most authoritative first: header, then meta / XML."""
    labels: list[str] = []
    if content_type and (found := _HEADER_CHARSET.search(content_type)):
        labels.append(found.group(1))
    head = body[:_SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        if found := pattern.search(head):
            labels.append(found.group(1).decode("ascii", "replace"))
    names = []
    for label in labels:
        name = _codec_name(label)
        if name and name not in names:
            names.append(name)
    return names


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a body; returns (text, codec name).

    Order: a byte-order mark, then the charsets the response declares (HTTP header, then
    `<meta>` / XML declaration), the first that decodes the bytes cleanly winning; with no
    declaration, strict UTF-8, then gb18030. A declared charset the bytes do not decode
    under is passed over (portals mislabel pages); when no candidate decodes cleanly, the
    one with the fewest broken characters wins, so a UTF-8 page with one bad byte stays
    UTF-8 and a GBK page labelled UTF-8 is read as GBK.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8):].decode("utf-8", "replace"), "utf-8"
    declared = _declared_charsets(body, content_type)
    candidates = [*declared, *(name for name in ("utf-8", "gb18030") if name not in declared)]
    for name in declared or candidates:
        try:
            return body.decode(name), name
        except (UnicodeDecodeError, LookupError):
            # LookupError: a non-text codec (rot13, zlib) named by a hostile header.
            continue
    best: tuple[int, int, str, str] | None = None
    for rank, name in enumerate(candidates):
        try:
            text = body.decode(name, "replace")
        except LookupError:
            continue
        score = (text.count("\ufffd"), rank, name, text)
        best = score if best is None or score < best else best
    assert best is not None  # utf-8 and gb18030 always decode with "replace"
    return best[3], best[2]


class _HostGate:
    """Politeness for one host: spaced request starts and a cap on requests in flight."""

    def __init__(self, delay: float, jitter: float, concurrency: int) -> None:
        self._delay = delay
        self._jitter = jitter
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._not_before = 0.0  # set when the host asked us to wait (Retry-After)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold one of the host's slots, starting no sooner than the gate allows."""
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start, self._not_before)
                # Jitter only lengthens the gap: the configured delay is a floor.
                self._next_start = start + self._delay * (1 + random.uniform(0, self._jitter))
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


class _Watchdog:
    """Shuts the sockets of one exchange when its time is up.

    Socket timeouts bound each read, not a whole response: a server that trickles a byte
    of headers or body every few seconds would hold a worker forever. The watchdog is
    the bound on the whole exchange (`HttpClient.total_timeout`).
    """

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self.done = False
        self._seconds = seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @classmethod
    def watch(cls, sock: socket.socket | None) -> None:
        """Put `sock` under the current thread's watchdog, if one is running."""
        dog = getattr(cls._current, "dog", None)
        if dog is None or sock is None:
            return
        with dog._lock:
            dog._sockets.append(sock)
            expired = dog.expired
        if expired:
            _shut(sock)

    def expire(self) -> None:
        """Time is up: shut every socket of the exchange (nothing if it has ended)."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def __enter__(self) -> _Watchdog:
        _Watchdog._current.dog = self
        _CLOCK.add(self, time.monotonic() + self._seconds)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.done = True
            self._sockets.clear()
        _Watchdog._current.dog = None


class _Clock:
    """One daemon thread that expires watchdogs at their deadlines (a timer thread per
    request would cost more than a loopback request itself)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Watchdog]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, dog: _Watchdog, deadline: float) -> None:
        """Expire `dog` at `deadline` (monotonic seconds) unless it is done by then."""
        with self._cond:
            heapq.heappush(self._heap, (deadline, next(self._order), dog))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="xxgk-http-watchdog",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            due = []
            with self._cond:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].done or self._heap[0][0] <= now):
                    due.append(heapq.heappop(self._heap)[2])
                if not due:
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
            for dog in due:
                dog.expire()


_CLOCK = _Clock()


def _shut(sock: socket.socket) -> None:
    """Shut a socket down so a read blocked on it returns at once."""
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    """A connection that puts its socket under the watchdog when it awaits a response."""

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        _Watchdog.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    """The https twin of `_WatchedHTTPConnection`."""

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        _Watchdog.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with connections the watchdog can cut."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool,
                                                   "https": _WatchedHTTPSPool}


class _Retryable(Exception):
    """One attempt failed in a way worth another: connection trouble, 429 or 5xx."""

    def __init__(self, reason: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


@dataclass
class _Body:
    """What one successful exchange produced, before decoding and archiving."""

    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes


class _Validators:
    """ETag / Last-Modified per URL, with the archived body (and its Content-Type) they
    belong to.

    Persisted as append-only JSON lines (the last line for a URL wins) so recording one
    costs one small write, whatever the number of URLs; compacted when loaded if mostly
    stale. Thread-safe.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._by_url: dict[str, dict[str, str]] = {}
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        lines = 0
        with path.open(encoding="utf-8") as stored:
            for line in stored:
                lines += 1
                # A line cut short by a crash is skipped: it only costs one unconditional GET.
                with suppress(ValueError, KeyError, TypeError):
                    entry = json.loads(line)
                    self._by_url[entry["url"]] = entry
        if lines > 2 * len(self._by_url) + 100:
            self._rewrite(path)

    def _rewrite(self, path: Path) -> None:
        """Replace the file by one line per URL (temporary file + rename)."""
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for entry in self._by_url.values():
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        os.replace(tmp, path)

    def get(self, url: str) -> dict[str, str] | None:
        """The validators recorded for `url`, if any."""
        with self._lock:
            return self._by_url.get(url)

    def put(self, url: str, headers: dict[str, str], sha256: str) -> None:
        """Remember the validators of `url`'s latest body, if the response gave any."""
        entry = {"url": url, "sha256": sha256}
        for field, header in (("etag", "etag"), ("last_modified", "last-modified"),
                              ("content_type", "content-type")):
            if headers.get(header):
                entry[field] = headers[header]
        if "etag" not in entry and "last_modified" not in entry:
            return
        with self._lock:
            if self._by_url.get(url) == entry:
                return
            self._by_url[url] = entry
            if self._path is not None:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                with self._path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def forget(self, url: str) -> None:
        """Drop `url`'s validators (their archived body is gone); not persisted, harmless."""
        with self._lock:
            self._by_url.pop(url, None)


class HttpClient:
    """The process's HTTP client. Thread-safe; see the module docstring for what it enforces.

    `data_dir` holds the page archive and the validators; None keeps neither (no archive,
    no conditional requests). Timeouts are in seconds; `retry_after_max` caps how long a
    Retry-After header can make us wait; `total_timeout` bounds one attempt end to end, so
    a server that trickles bytes (headers or body) cannot hold a worker forever.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        user_agent: str = "xxgk/0.1",
        connect_timeout: float = 10.0,
        timeout: float = 30.0,
        total_timeout: float = 120.0,
        per_host_delay: float = 1.0,
        jitter: float = 0.25,
        per_host_concurrency: int = 1,
        max_attempts: int = 4,
        backoff: float = 1.0,
        backoff_max: float = 60.0,
        retry_after_max: float = 120.0,
        max_bytes: int = 20 * _MB,
        max_decoded_bytes: int = 20 * _MB,
        max_redirects: int = 5,
        conditional: bool = True,
    ) -> None:
        if per_host_delay < 0 or jitter < 0:
            raise ValueError("per_host_delay and jitter must be >= 0")
        if per_host_concurrency < 1 or max_attempts < 1:
            raise ValueError("per_host_concurrency and max_attempts must be >= 1")
        self.user_agent = user_agent
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.per_host_delay = per_host_delay
        self.jitter = jitter
        self.per_host_concurrency = per_host_concurrency
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.max_bytes = max_bytes
        self.max_decoded_bytes = max_decoded_bytes
        self.max_redirects = max_redirects
        self.archive = PageArchive(data_dir) if data_dir is not None else None
        use_validators = conditional and data_dir is not None
        self._validators = (
            _Validators(Path(data_dir) / "validators.jsonl") if use_validators else None
        )
        self._retry_after = Retry(total=0, retry_after_max=int(retry_after_max))
        self._lock = threading.Lock()
        self._sessions: dict[str, requests.Session] = {}
        self._gates: dict[str, _HostGate] = {}
        self._log: list[FetchLogEntry] = []

    # -- public -------------------------------------------------------------------------

    def fetch(
        self,
        request: Request,
        allowed: Iterable[str],
        *,
        log: list[FetchLogEntry] | None = None,
    ) -> Page:
        """Fetch one request, retrying what is worth retrying; return the decoded page.

        `allowed` is the set of host keys (see `allowed_hosts`) this request and its
        redirects may touch. Raises `ForeignHostError`, `ResponseTooLarge` or `FetchError`.
        One `FetchLogEntry` is appended to `log`, or to the client's own log when no list
        is given (see `take_log`), whether the fetch succeeds or not.
        """
        allowed = frozenset(allowed)
        started = time.monotonic()
        state = {"attempts": 0, "status": None}
        try:
            body, not_modified = self._fetch_with_retries(request, allowed, state)
            page = self._finish(request, body, not_modified, state["attempts"], started)
        except FetchError as exc:
            exc.attempts = exc.attempts or state["attempts"]
            exc.url = exc.url or request.url
            self._record(log, request, state["status"], started, state["attempts"], error=exc)
            raise
        self._record(log, request, page.status, started, page.attempts, page=page)
        return page

    def take_log(self) -> list[FetchLogEntry]:
        """Return and clear the entries of fetches made without a `log` list."""
        with self._lock:
            entries, self._log = self._log, []
        return entries

    def close(self) -> None:
        """Close every session's pooled connections."""
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- retries ------------------------------------------------------------------------

    def _fetch_with_retries(
        self, request: Request, allowed: frozenset[str], state: dict
    ) -> tuple[_Body, bool]:
        """Run attempts until one succeeds, a permanent error occurs, or attempts run out."""
        backoff = wait_exponential_jitter(
            multiplier=self.backoff, max=self.backoff_max, jitter=self.backoff
        )

        def wait(retry_state: RetryCallState) -> float:
            exc = retry_state.outcome.exception() if retry_state.outcome else None
            if isinstance(exc, _Retryable) and exc.retry_after is not None:
                return exc.retry_after
            return backoff(retry_state)

        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    state["attempts"] = attempt.retry_state.attempt_number
                    return self._attempt(request, allowed, state)
        except _Retryable as exc:
            raise FetchError(
                f"{request.method} {request.url}: {exc} after {state['attempts']} attempts",
                url=request.url, status=exc.status, attempts=state["attempts"],
            ) from exc
        raise AssertionError("tenacity ended without an outcome")  # pragma: no cover

    # -- one attempt --------------------------------------------------------------------

    def _attempt(
        self, request: Request, allowed: frozenset[str], state: dict
    ) -> tuple[_Body, bool]:
        """One exchange, following same-host redirects by hand; returns (body, was_304)."""
        method, url = request.method.upper(), request.url
        data: list[tuple[str, str]] | None = list(request.data) or None
        conditional = self._conditional_headers(request)
        for _hop in range(self.max_redirects + 1):
            host = self._check_host(url, allowed, request.url)
            headers = {"User-Agent": self.user_agent, **dict(request.headers)}
            if url == request.url:
                headers.update(conditional)
            gate, session = self._host(host)
            with gate.turn(), _Watchdog(self.total_timeout) as watchdog:
                try:
                    response = self._send(session, method, url, data, headers)
                except _Retryable as exc:
                    raise self._timed_out(watchdog, method, url, state) or exc from exc
                if timed_out := self._timed_out(watchdog, method, url, state):
                    # Cut off mid-headers, the end of the socket looks like their end.
                    response.close()
                    raise timed_out
                whole = False  # the body was read to its end: the connection can be reused
                try:
                    state["status"] = response.status_code
                    status = response.status_code
                    if status in _REDIRECT_STATUSES and "location" in response.headers:
                        url, method, data = self._redirect(url, method, data, response)
                        continue
                    if status == 429 or status >= 500:
                        retry_after = self._parse_retry_after(response)
                        if retry_after is not None:
                            gate.defer(retry_after)
                        raise _Retryable(f"HTTP {status}", status=status,
                                         retry_after=retry_after)
                    if status == 304:
                        if not conditional:
                            raise FetchError(f"{method} {url}: HTTP 304 to an "
                                             "unconditional request", url=url, status=304)
                        whole = response.raw.read() == b""  # a 304 has no body by definition
                        return _Body(url, 304, _lower(response.headers), b""), True
                    if not 200 <= status < 300:  # 4xx, or a 3xx that leads nowhere
                        raise FetchError(f"{method} {url}: HTTP {status}", url=url,
                                         status=status)
                    try:
                        content = self._read_capped(response, url)
                    except _Retryable as exc:
                        raise self._timed_out(watchdog, method, url, state) or exc from exc
                    if timed_out := self._timed_out(watchdog, method, url, state):
                        raise timed_out  # a body cut short where no length was declared
                    whole = True
                    return _Body(url, status, _lower(response.headers), content), False
                finally:
                    # Closing drops the connection, which is what an unread (perhaps huge)
                    # body needs; a body read to its end leaves a connection to keep alive.
                    if whole and not watchdog.expired:
                        response.raw.release_conn()
                    else:
                        response.close()
        raise FetchError(f"{request.method} {request.url}: more than {self.max_redirects} "
                         "redirects", url=request.url, status=state["status"])

    def _timed_out(self, watchdog: _Watchdog, method: str, url: str,
                   state: dict) -> FetchError | None:
        """The error for an exchange the watchdog cut, or None when it did not."""
        if not watchdog.expired:
            return None
        return FetchError(f"{method} {url}: no complete response within {self.total_timeout} s",
                          url=url, status=state["status"])

    def _send(self, session: requests.Session, method: str, url: str,
              data: list[tuple[str, str]] | None, headers: dict[str, str]) -> requests.Response:
        """Send one request without following redirects or reading the body."""
        try:
            return session.request(
                method, url, data=data, headers=headers, allow_redirects=False, stream=True,
                timeout=(self.connect_timeout, self.timeout),
            )
        except requests.exceptions.InvalidURL as exc:
            raise FetchError(f"{method} {url}: invalid URL: {exc}", url=url) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable(_network_failure(exc, self.connect_timeout, self.timeout)) from exc
        except (requests.RequestException, ValueError) as exc:
            # A URL or header the HTTP stack will not send (hostile Location, bad characters)
            # or response headers it will not accept (conflicting Content-Length values).
            raise FetchError(f"{method} {url}: refused by the HTTP stack: "
                             f"{type(exc).__name__}: {_short(exc)}", url=url) from exc

    def _redirect(self, url: str, method: str, data: list[tuple[str, str]] | None,
                  response: requests.Response) -> tuple[str, str, list[tuple[str, str]] | None]:
        """The next hop of a redirect; the host is checked when the hop is made."""
        target = urljoin(url, response.headers["location"].strip())
        if response.status_code == 303 or (response.status_code in (301, 302)
                                           and method == "POST"):
            # What browsers do, and what portals behind them expect.
            return target, "GET", None
        return target, method, data

    def _check_host(self, url: str, allowed: frozenset[str], asked: str) -> str:
        """The host key of `url`, or ForeignHostError when the portal may not go there."""
        host = host_key(url)
        if host not in allowed:
            how = "a redirect" if url != asked else "a request"
            raise ForeignHostError(
                f"{how} to {url} (host {host}) refused: allowed are {sorted(allowed)}"
                + (f"; asked for {asked}" if url != asked else ""),
                url=asked,
            )
        return host

    def _parse_retry_after(self, response: requests.Response) -> float | None:
        """Seconds the server asked us to wait (capped at retry_after_max), if it said so."""
        value = response.headers.get("retry-after")
        if not value:
            return None
        try:
            return float(self._retry_after.parse_retry_after(value))
        except urllib3.exceptions.InvalidHeader:
            return None  # a header we cannot read: ordinary backoff applies

    def _read_capped(self, response: requests.Response, url: str) -> bytes:
        """Stream the body, refusing more than max_bytes on the wire or max_decoded_bytes
        after decompression (the watchdog bounds the time it may take)."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ResponseTooLarge(f"{url}: Content-Length {declared} exceeds the "
                                   f"{self.max_bytes}-byte cap", url=url,
                                   status=response.status_code)
        raw = response.raw
        # urllib3 counts wire bytes (tell) only outside chunked transfer; without a
        # content-encoding the decoded count is the wire count, so use whichever is known.
        identity = not response.headers.get("content-encoding")
        chunks: list[bytes] = []
        decoded = 0
        try:
            # urllib3 decompresses incrementally, at most _CHUNK bytes per step, so a bomb
            # is stopped after one chunk past the cap, never inflated whole.
            for chunk in raw.stream(_CHUNK, decode_content=True):
                decoded += len(chunk)
                if decoded > self.max_decoded_bytes:
                    raise ResponseTooLarge(
                        f"{url}: body exceeds the {self.max_decoded_bytes}-byte cap "
                        f"after decompression ({raw.tell()} bytes on the wire)",
                        url=url, status=response.status_code)
                if max(raw.tell(), decoded if identity else 0) > self.max_bytes:
                    raise ResponseTooLarge(f"{url}: body exceeds the {self.max_bytes}-byte"
                                           " cap", url=url, status=response.status_code)
                chunks.append(chunk)
        except urllib3.exceptions.DecodeError as exc:
            raise FetchError(f"{url}: undecodable content-encoding: {_short(exc)}",
                             url=url, status=response.status_code) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Retryable(f"body read failed: {type(exc).__name__}: {_short(exc)}",
                             status=response.status_code) from exc
        return b"".join(chunks)

    # -- bookkeeping --------------------------------------------------------------------

    def _host(self, host: str) -> tuple[_HostGate, requests.Session]:
        """The gate and session of `host`, made on first use."""
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _HostGate(
                    self.per_host_delay, self.jitter, self.per_host_concurrency)
            session = self._sessions.get(host)
            if session is None:
                session = self._sessions[host] = self._new_session(host)
        return gate, session

    def _new_session(self, host: str) -> requests.Session:
        """A session that neither retries nor redirects on its own (we do both, checked).

        The environment's proxies and CA bundle are read once here: requests would otherwise
        scan the whole environment on every request, half the client's own CPU on loopback.
        """
        session = requests.Session()
        session.trust_env = False
        session.proxies = requests.utils.get_environ_proxies(f"http://{host}/")
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
        adapter = _WatchedAdapter(pool_connections=1, pool_maxsize=self.per_host_concurrency,
                                  max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = self.user_agent
        return session

    def _conditional_headers(self, request: Request) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a GET whose last body is archived."""
        if self._validators is None or request.method.upper() != "GET":
            return {}
        known = self._validators.get(request.url)
        if not known or self.archive is None or known["sha256"] not in self.archive:
            return {}
        headers = {}
        if "etag" in known:
            headers["If-None-Match"] = known["etag"]
        if "last_modified" in known:
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    def _archived_body(self, url: str) -> tuple[bytes, str | None]:
        """The archived body a 304 for `url` refers to, with the Content-Type it came with."""
        known = self._validators.get(url) if self._validators else None
        archived = self.archive.get(known["sha256"]) if known and self.archive else None
        if archived is None:
            # The archive lost the body after the request was made; the next fetch of this
            # URL is unconditional again.
            if self._validators:
                self._validators.forget(url)
            raise FetchError(f"GET {url}: HTTP 304 but the archived body is gone", url=url,
                             status=304)
        return archived, known.get("content_type")

    def _finish(self, request: Request, body: _Body, not_modified: bool, attempts: int,
                started: float) -> Page:
        """Turn a received body (or a 304) into a decoded, archived Page."""
        content, content_type = body.content, body.headers.get("content-type")
        if not_modified:
            content, stored_type = self._archived_body(request.url)
            # A 304 seldom repeats the Content-Type; the charset it declared still holds.
            content_type = content_type or stored_type
        sha = self.archive.put(content) if self.archive else sha256_hex(content)
        if self._validators is not None and request.method.upper() == "GET" and not not_modified:
            self._validators.put(request.url, body.headers, sha)
        text, encoding = decode_body(content, content_type)
        return Page(
            url=request.url, final_url=body.final_url, status=body.status,
            headers=body.headers, content=content, text=text, encoding=encoding, sha256=sha,
            attempts=attempts, elapsed=time.monotonic() - started,
            fetched_at=datetime.now(UTC), not_modified=not_modified,
        )

    def _record(self, log: list[FetchLogEntry] | None, request: Request, status: int | None,
                started: float, attempts: int, *, page: Page | None = None,
                error: Exception | None = None) -> None:
        """Append one fetch-log entry to `log`, or to the client's own log."""
        entry = FetchLogEntry(
            url=request.url, method=request.method.upper(), status=status,
            bytes=len(page.content) if page else 0, elapsed=time.monotonic() - started,
            attempts=attempts, sha256=page.sha256 if page else None,
            encoding=page.encoding if page else None,
            error=str(error) if error is not None else None,
            fetched_at=page.fetched_at if page else datetime.now(UTC),
            final_url=page.final_url if page else None,
            not_modified=page.not_modified if page else False,
        )
        if log is not None:
            log.append(entry)
        else:
            with self._lock:
                self._log.append(entry)


def _lower(headers: requests.structures.CaseInsensitiveDict) -> dict[str, str]:
    """Response headers as a plain dict with lower-case names."""
    return {name.lower(): value for name, value in headers.items()}


def _network_failure(exc: BaseException, connect_timeout: float, read_timeout: float) -> str:
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
    return f"{type(exc).__name__}: {_short(exc)}"


def _short(exc: BaseException, limit: int = 200) -> str:
    """An exception's message, cut so a hostile server cannot flood the log."""
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"
