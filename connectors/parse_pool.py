"""Page parsing in the harvest threads or in worker processes, under a deadline.

A page's parse is bounded by the body cap, the depth and element caps and linear regexes;
the deadline (`[harvest] parse_timeout`) bounds what those miss — a parser bug, a page
nobody imagined:

- `InlineParser` (`parse_processes = 0`, the default) parses in the calling thread. Nothing
  can stop a parser from outside there: the deadline is checked when the parse ends, so the
  page fails all the same, but the time has been spent. It costs the least CPU: no page and
  no row crosses a process boundary (docs/reliability.md has the measurements).
- `ParsePool` (`parse_processes = N`) owns N processes, one pipe each, and lends a process
  to one parse at a time; the deadline counts from when its worker receives the page. A
  parse past it raises `ParseDeadline` in the calling thread, and that one process is killed
  (SIGKILL: a parse stuck in C code would ignore anything gentler) and replaced by a fresh
  one at the next demand. Every other portal's parse runs in a process of its own and is
  untouched. A process found dead otherwise (the OOM killer, a crash in C) costs its parse
  one more try on a fresh process before the page fails. For pages whose parse must be
  stopped from outside, at the price of pickling every page and its rows both ways.

The pool is ours, not pebble's `ProcessPool`: measured on the same pages
(bench/bench_parse_pool.py), pebble costs 1.2-2.3 times the CPU per page, 1.3-3.2 times in
the harvest process (manager threads and an acknowledgement per task), and a pebble worker
that dies while idle breaks its whole pool.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import Connection
from typing import Any, Protocol

from connectors.errors import PageError, ParseDeadline

__all__ = ["PARSE_TIMEOUT", "InlineParser", "ParsePool", "Parser", "parse_page"]

#: Seconds one page's parse may take (the default of `[harvest] parse_timeout`).
PARSE_TIMEOUT = 20.0


class Parser(Protocol):
    """Runs `fn(*args)`, the parse of the page at `url`, under a deadline."""

    timeout: float

    def parse(self, url: str, fn: Callable[..., Any], *args: Any) -> Any: ...


def parse_page(parser: Parser | Executor | None, url: str, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` by `parser`: a `Parser`, a plain `Executor` (its result is waited for up to
    `PARSE_TIMEOUT`, but its stuck worker cannot be killed), or None (in this thread)."""
    if parser is None:
        return InlineParser().parse(url, fn, *args)
    if isinstance(parser, Executor):
        future = parser.submit(fn, *args)
        try:
            return future.result(timeout=PARSE_TIMEOUT)
        except FutureTimeout:
            raise ParseDeadline(f"parse of {url} exceeded {PARSE_TIMEOUT:g} s") from None
    return parser.parse(url, fn, *args)


class InlineParser:
    """Parses in the calling thread; the deadline is checked once the parse has ended."""

    def __init__(self, timeout: float = PARSE_TIMEOUT) -> None:
        if timeout <= 0:
            raise ValueError("the parse timeout must be > 0 seconds")
        self.timeout = timeout

    def parse(self, url: str, fn: Callable[..., Any], *args: Any) -> Any:
        started = time.monotonic()
        result = fn(*args)
        took = time.monotonic() - started
        if took > self.timeout:
            raise ParseDeadline(
                f"parse of {url} exceeded {self.timeout:g} s (it took {took:.1f} s "
                "in the harvest thread, where it cannot be stopped)"
            )
        return result

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> InlineParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Seconds a new parse process may take to start and import the families.
_START_TIMEOUT = 120.0
#: What a parse process imports before it says it is ready.
PRELOAD = ("connectors.families",)


class _Overdue(Exception):
    """A worker did not answer within the deadline."""


def _serve(conn: Connection, parent: int, preload: tuple[str, ...]) -> None:
    """A worker process's loop: import `preload`, say it is ready, then receive `(fn, args)`
    and answer `("ok", result)` or `("error", exception)`; end at `None`, at the end of the
    pipe, or when orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    for module in preload:  # the parsers' imports are not a page's parse time
        importlib.import_module(module)
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, args = task
        try:
            answer = ("ok", fn(*args))
        except Exception as exc:  # noqa: BLE001 - the caller's to judge, as raised here
            answer = ("error", exc)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - a result or an error that does not pickle
            conn.send(("error", PageError(f"unpicklable parse result: {type(exc).__name__}: {exc}")))


def _exit_when_orphaned(parent: int) -> None:
    """End this process when its parent is gone (killed -9, say) instead of parsing on."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


class _Worker:
    """One parse process and the parent's end of its pipe."""

    def __init__(self, context: Any, preload: tuple[str, ...]) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, os.getpid(), preload), name="xxgk-parse", daemon=True
        )
        self.process.start()
        child.close()
        # the deadline starts with a page, not with an interpreter starting up
        try:
            ready = self.conn.poll(_START_TIMEOUT) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError(
                f"a parse process did not start within {_START_TIMEOUT:g} s (exit code {self.process.exitcode})"
            )

    def call(self, fn: Callable[..., Any], args: tuple, timeout: float) -> tuple[str, Any]:
        """The worker's answer; `_Overdue` past `timeout`, EOFError or OSError if it died."""
        self.conn.send((fn, args))
        if not self.conn.poll(timeout):
            raise _Overdue
        return self.conn.recv()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class ParsePool:
    """Up to `processes` parse processes (spawned on demand: forking a threaded process can
    copy a held lock into the child), shared by every portal's thread; thread-safe.

    A thread waits for a free process; its deadline starts when the process receives the page.
    """

    def __init__(
        self, processes: int, timeout: float = PARSE_TIMEOUT, context: Any = None, preload: tuple[str, ...] = PRELOAD
    ) -> None:
        if processes < 1:
            raise ValueError("a parse pool needs at least one process")
        if timeout <= 0:
            raise ValueError("the parse timeout must be > 0 seconds")
        self.processes = processes
        self.timeout = timeout
        self.replaced = 0  # processes killed past the deadline or found dead
        self._context = context or multiprocessing.get_context("spawn")
        self._preload = preload
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()
        self._starting = 0
        self._free = threading.Condition()
        self._closed = False

    def parse(self, url: str, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` in a worker process; its exception raises here. `ParseDeadline` past
        the deadline (the process is killed); `PageError` when two processes died on it."""
        for attempt in (1, 2):
            worker = self._checkout()
            try:
                kind, value = worker.call(fn, args, self.timeout)
            except _Overdue:
                self._discard(worker)
                raise ParseDeadline(f"parse of {url} exceeded {self.timeout:g} s; its process was killed") from None
            except (EOFError, OSError):
                self._discard(worker)
                if attempt == 2:
                    raise PageError(f"the processes parsing {url} died (exit code {worker.process.exitcode})") from None
                continue
            except BaseException:  # interrupted mid-parse: its answer would reach the next page
                self._discard(worker)
                raise
            self._checkin(worker)
            if kind == "error":
                raise value
            return value
        raise AssertionError("unreachable")

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._free:
            return sorted(w.process.pid for w in self._live)

    def _checkout(self) -> _Worker:
        """An idle worker, or a new one while under `processes`; else wait for one."""
        with self._free:
            while not self._closed and not self._idle and len(self._live) + self._starting >= self.processes:
                self._free.wait()
            if self._closed:
                raise RuntimeError("the parse pool is closed")
            if self._idle:
                return self._idle.pop()
            self._starting += 1
        worker = None
        try:
            worker = _Worker(self._context, self._preload)  # spawning takes a while: not under the lock
        finally:
            with self._free:
                self._starting -= 1
                if worker is not None:
                    self._live.add(worker)
                self._free.notify()
        return worker

    def _checkin(self, worker: _Worker) -> None:
        with self._free:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)
            self._free.notify()

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker; the next checkout starts its replacement."""
        worker.kill()
        with self._free:
            self._live.discard(worker)
            self.replaced += 1
            self._free.notify()

    def close(self) -> None:
        """Kill every worker; a parse still waiting for its answer fails."""
        with self._free:
            self._closed = True
            workers = list(self._live)
            self._idle.clear()
            self._live.clear()
            self._free.notify_all()
        for worker in workers:
            worker.kill()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
