"""The bound on one whole exchange: a watchdog that shuts its sockets when time is up."""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from contextlib import suppress

import urllib3
from requests.adapters import HTTPAdapter


class Watchdog:
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

    def __enter__(self) -> Watchdog:
        Watchdog._current.dog = self
        _CLOCK.add(self, time.monotonic() + self._seconds)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.done = True
            self._sockets.clear()
        Watchdog._current.dog = None


class _Clock:
    """One daemon thread that expires watchdogs at their deadlines (a timer thread per
    request would cost more than a loopback request itself)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, dog: Watchdog, deadline: float) -> None:
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
        Watchdog.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    """The https twin of `_WatchedHTTPConnection`."""

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        Watchdog.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """requests' adapter with connections the watchdog can cut."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool,
                                                   "https": _WatchedHTTPSPool}
