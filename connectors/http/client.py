"""`HttpClient`: fetch one request politely, within bounds, with retries, and log it.

This module holds the client's state (sessions, gates, archive, validators, log) and what
one attempt is: same-host redirects followed by hand, each exchange in its host's turn and
within the total timeout. What each response means is `answer`'s, the retry policy is
`retry`'s and turning a body into a `Page` is `page`'s.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connectors.archive import PageArchive
from connectors.errors import FetchError
from connectors.http.answer import answer
from connectors.http.deadline import Deadline
from connectors.http.exchange import Body, Hop, Retryable, drop, send
from connectors.http.host_table import Host, HostTable
from connectors.http.hosts import check_host
from connectors.http.page import Page, log_entry, make_page
from connectors.http.politeness import HostGate
from connectors.http.retry import Progress, RetryPolicy
from connectors.http.session import HostSession
from connectors.http.validators import ValidatorCache
from connectors.records import FetchLogEntry, Request

_MB = 1024 * 1024
#: What the client's archive, retry policy and per-host gates and sessions are made from.
_FIXED_SETTINGS = {"data_dir", "conditional", "user_agent", "per_host_delay", "jitter", "per_host_concurrency"}
_FIXED_SETTINGS |= {"max_attempts", "backoff", "backoff_max", "retry_after_max"}


@dataclass(eq=False)
class HttpClient:
    """The process's HTTP client. Thread-safe; see the package docstring for what it enforces.

    `data_dir` holds the page archive and the validators; None keeps neither (no archive,
    no conditional requests). Timeouts are in seconds; `retry_after_max` caps how long a
    Retry-After header can make us wait; `total_timeout` bounds one exchange end to end, so
    a server that trickles bytes (headers or body) cannot hold a worker forever. `clock`
    says what time it is (an aware UTC datetime): every page's `fetched_at` and fetch-log
    entry is dated by it, and crawls date their runs by it (the wall clock by default).
    """

    data_dir: str | os.PathLike[str] | None = None
    _: KW_ONLY
    user_agent: str = "xxgk/0.1"
    connect_timeout: float = 10.0
    timeout: float = 30.0
    total_timeout: float = 120.0
    per_host_delay: float = 1.0
    jitter: float = 0.25
    per_host_concurrency: int = 1
    max_attempts: int = 4
    backoff: float = 1.0
    backoff_max: float = 60.0
    retry_after_max: float = 120.0
    max_bytes: int = 20 * _MB
    max_decoded_bytes: int = 20 * _MB
    max_redirects: int = 5
    conditional: bool = True
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)  # wall
    archive: PageArchive | None = field(init=False, repr=False)
    _validators: ValidatorCache | None = field(init=False, repr=False)
    _retry: RetryPolicy = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _hosts: HostTable = field(init=False, repr=False)
    _log: list[FetchLogEntry] = field(init=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        if self.per_host_delay < 0 or self.jitter < 0:
            raise ValueError("per_host_delay and jitter must be >= 0")
        if self.per_host_concurrency < 1 or self.max_attempts < 1:
            raise ValueError("per_host_concurrency and max_attempts must be >= 1")
        stored = Path(self.data_dir) if self.data_dir is not None else None
        self.archive = PageArchive(stored) if stored is not None else None
        use_validators = self.conditional and stored is not None
        self._validators = ValidatorCache(stored / "validators.jsonl") if use_validators else None
        self._retry = RetryPolicy(self.max_attempts, self.backoff, self.backoff_max, self.retry_after_max)
        self._hosts = HostTable(
            lambda host: HostGate(self.per_host_delay, self.jitter, self.per_host_concurrency),
            lambda host: HostSession(host, self.user_agent, self.per_host_concurrency),
        )

    def __setattr__(self, name: str, value: object) -> None:
        # read once, into the retry policy, gates and sessions: a later change would go unheeded
        if name in _FIXED_SETTINGS and "_hosts" in self.__dict__:
            raise AttributeError(f"HttpClient.{name} is fixed once the client is made: make another client")
        object.__setattr__(self, name, value)

    # -- public -------------------------------------------------------------------------

    def fetch(
        self,
        request: Request,
        allowed: Iterable[str],
        *,
        log: list[FetchLogEntry] | None = None,
        attempts: int | None = None,
    ) -> Page:
        """Fetch one request, retrying what is worth retrying; return the decoded page.

        `allowed` is the set of host keys (see `allowed_hosts`) this request and its
        redirects may touch. Raises `ForeignHostError`, `ResponseTooLarge` or `FetchError`.
        One `FetchLogEntry` is appended to `log`, or to the client's own log when no list
        is given (see `take_log`), whether the fetch succeeds or not. `attempts` lowers
        `max_attempts` for this request, and its retries then wait no longer than
        `backoff` plus jitter (what a page we can do without deserves: a detail page is
        asked for again on a later night, connectors/detail_debt.py).
        """
        allowed = frozenset(allowed)
        started = time.monotonic()
        progress = Progress()
        try:
            body = self._retry.run(lambda: self._attempt(request, allowed, progress), request, progress, attempts)
            page = make_page(
                request,
                body,
                progress.attempts,
                started,
                self.clock(),
                archive=self.archive,
                validators=self._validators,
            )
        except FetchError as exc:
            exc.attempts = exc.attempts or progress.attempts
            exc.url = exc.url or request.url
            self._record(
                log, log_entry(request, progress.status, started, progress.attempts, error=exc, now=self.clock())
            )
            raise
        self._record(log, log_entry(request, page.status, started, page.attempts, page=page))
        return page

    def take_log(self) -> list[FetchLogEntry]:
        """Return and clear the entries of fetches made without a `log` list."""
        with self._lock:
            entries, self._log = self._log, []
        return entries

    def hold(self, allowed: frozenset[str]) -> frozenset[str]:
        """A portal allowed `allowed` starts: its hosts' sessions stay while it runs. Returns
        `allowed`, for the caller to `release` when the portal is done."""
        self._hosts.hold(allowed)
        return allowed

    def release(self, allowed: frozenset[str] | None) -> None:
        """The portal allowed `allowed` is done: the sessions of its hosts that no portal
        still running may use are closed and dropped (their connections and memory; the
        politeness gates go once their delays have passed: `host_table.py`)."""
        if allowed is not None:
            self._hosts.release(allowed)

    @property
    def hosts_open(self) -> int:
        """Hosts whose session is open now."""
        return len(self._hosts)

    def close(self) -> None:
        """Close every session's pooled connections, and the page archive's pack."""
        self._hosts.close()
        if self.archive is not None:
            self.archive.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- one attempt --------------------------------------------------------------------

    def _attempt(self, request: Request, allowed: frozenset[str], progress: Progress) -> Body:
        """One exchange, following same-host redirects by hand."""
        hop = Hop(request.method.upper(), request.url, list(request.data) or None)
        conditional = self._conditional_headers(request)
        for _ in range(self.max_redirects + 1):
            with self._hosts.using(check_host(hop.url, allowed, request.url)) as host:
                headers = {"User-Agent": self.user_agent, **dict(request.headers)}
                if hop.url == request.url:
                    headers.update(conditional)
                outcome = self._exchange(host, hop, headers, bool(conditional), progress)
            if isinstance(outcome, Body):
                return outcome
            hop = outcome
        raise FetchError(
            f"{request.method} {request.url}: more than {self.max_redirects} redirects",
            url=request.url,
            status=progress.status,
        )

    def _exchange(
        self, host: Host, hop: Hop, headers: dict[str, str], conditional: bool, progress: Progress
    ) -> Body | Hop:
        """One request and its response, in the host's turn and within the total timeout;
        returns the body, or the next hop of a redirect."""
        gate = host.gate
        with gate.turn():
            deadline = Deadline(self.total_timeout)
            try:
                response = send(host.session, hop, headers, self.connect_timeout, self.timeout, deadline)
            except Retryable as exc:
                raise self._timed_out(deadline, hop, progress) or exc from exc
            if timed_out := self._timed_out(deadline, hop, progress):
                # Cut off mid-headers, the end of the socket looks like their end.
                drop(response)
                raise timed_out
            progress.status = response.status
            whole = False  # the body was read to its end: the connection can be reused
            try:
                outcome, whole = answer(
                    response,
                    hop,
                    conditional=conditional,
                    gate=gate,
                    retry=self._retry,
                    caps=(self.max_bytes, self.max_decoded_bytes),
                    deadline=deadline,
                    expired=lambda: self._timed_out(deadline, hop, progress),
                )
                return outcome
            finally:
                # Closing drops the connection, which is what an unread (perhaps huge) body
                # needs; a body read to its end leaves a connection to keep alive.
                if whole:
                    response.release_conn()
                else:
                    drop(response)

    def _timed_out(self, deadline: Deadline, hop: Hop, progress: Progress) -> FetchError | None:
        """The error for an exchange past its deadline, or None while there is time."""
        if not deadline.expired:
            return None
        return FetchError(
            f"{hop.method} {hop.url}: no complete response within {self.total_timeout} s",
            url=hop.url,
            status=progress.status,
        )

    # -- bookkeeping --------------------------------------------------------------------

    def _conditional_headers(self, request: Request) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a GET whose last body is archived."""
        if self._validators is None or self.archive is None or request.method.upper() != "GET":
            return {}
        return self._validators.conditional_headers(request.url, self.archive)

    def _record(self, log: list[FetchLogEntry] | None, entry: FetchLogEntry) -> None:
        """Append one fetch-log entry to `log`, or to the client's own log."""
        if log is not None:
            log.append(entry)
        else:
            with self._lock:
                self._log.append(entry)
