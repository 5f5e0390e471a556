"""Cuts off a server that trickles its response headers: the one reach into urllib3.

http.client reads the status line and headers with one socket read per line, each
bounded only by the read timeout, and urllib3 offers no hook between
sending a request and having its headers; so a server sending a header line every few
seconds holds a worker for as long as it likes. Here a connection puts its socket under
a clock while it awaits headers, and the clock shuts the socket at the exchange's
deadline. This relies on urllib3 internals (a pool builds its connections from
`ConnectionCls`, and calls `getresponse()` on the connection with `sock` set), which is
why pyproject.toml pins urllib3 to the range this was tested with.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import HTTPResponse

from connectors.http.deadline import Deadline

_current = threading.local()  # the deadline of the exchange the thread is making


@contextmanager
def headers_by(deadline: Deadline) -> Iterator[None]:
    """Run one exchange of this thread with its response headers due by `deadline`."""
    _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = None


class _Watch:
    """One socket awaiting headers, shut if the clock reaches it before they are in."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock: socket.socket | None = sock
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        """Whether the socket is no longer watched (its headers came, or it was shut)."""
        return self._sock is None

    def finish(self) -> None:
        """The headers are in (or the read failed): the socket is no longer watched."""
        with self._lock:
            self._sock = None

    def expire(self) -> None:
        """Time is up: shut the socket, so the blocked read returns at once."""
        with self._lock:
            if self._sock is not None:
                with suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
                self._sock = None


class _Clock:
    """One daemon thread that expires watches at their deadlines (a timer thread per
    request would cost more than a loopback request itself)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, watch: _Watch, end: float) -> None:
        """Expire `watch` at `end` (monotonic seconds) unless it is done by then."""
        with self._cond:
            entry = (end, next(self._order), watch)
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="xxgk-http-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0] is entry:
                # The clock sleeps until its earliest deadline: it needs waking only for an
                # earlier one. Deadlines mostly come in the order of the requests, so most
                # requests wake no thread (a wake-up per request cost more than the watch).
                self._cond.notify()

    def _run(self) -> None:
        """Expire each watch when its time comes; drop finished ones as they surface."""
        while True:
            due = []
            with self._cond:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].done or self._heap[0][0] <= now):
                    due.append(heapq.heappop(self._heap)[2])
                if not due:
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
            for watch in due:
                watch.expire()


_CLOCK = _Clock()


@contextmanager
def _watched(sock: socket.socket | None) -> Iterator[None]:
    """Keep `sock` under the clock for the current exchange's deadline, if there is one."""
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is None or sock is None:
        yield
        return
    watch = _Watch(sock)
    _CLOCK.add(watch, deadline.end)
    try:
        yield
    finally:
        watch.finish()


class _WatchedHTTPConnection(HTTPConnection):
    """A connection whose wait for response headers is bounded by the exchange's deadline."""

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        with _watched(self.sock):
            return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    """The https twin of `_WatchedHTTPConnection`."""

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        with _watched(self.sock):
            return super().getresponse()


_WATCHED = {"http": _WatchedHTTPConnection, "https": _WatchedHTTPSConnection}


def watched(scheme: str) -> type[HTTPConnection]:
    """The connection class a pool of `scheme` builds, so that its connections, direct or
    through a proxy, are watched."""
    return _WATCHED[scheme]
