"""The parse pool rebuilt on pebble's ProcessPool: the contender `bench_parse_pool.py` times
against `connectors.parse_pool.ParsePool`.

Same interface and the same promises as far as pebble allows: `parse(url, fn, *args)` runs
in a spawned process that has imported the families, under a per-task timeout counted from
when a worker takes the page (pebble stamps the task when the worker acknowledges it); past
it `ParseDeadline` with the pool's reason, and pebble stops that worker (SIGTERM, SIGKILL
3 s later) and starts another; a worker that dies on a page costs the page one more try,
then `PageError`; a worker exits when its parent is gone. It passes tests/test_parse_deadline.py
when swapped in for `ParsePool`.

What it does not keep: pebble 5 treats a worker that dies while idle (the OOM killer, say)
as "all workers expired" and marks the whole pool broken, so every later parse fails.
That, and its cost per page, is why the product keeps its own pool.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from pebble import ProcessExpired, ProcessPool

from connectors.errors import PageError, ParseDeadline
from connectors.parse_pool import PARSE_TIMEOUT, PRELOAD


def _start_worker(parent: int, preload: tuple[str, ...]) -> None:
    """A worker's initializer: watch the parent, import the parsers before any page."""
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    for module in preload:
        importlib.import_module(module)


def _exit_when_orphaned(parent: int) -> None:
    """End this worker when its parent is gone instead of parsing on."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


class PebbleParsePool:
    """`processes` pebble workers shared by every harvest thread; thread-safe."""

    def __init__(
        self, processes: int, timeout: float = PARSE_TIMEOUT, context: Any = None, preload: tuple[str, ...] = PRELOAD
    ) -> None:
        if processes < 1:
            raise ValueError("a parse pool needs at least one process")
        if timeout <= 0:
            raise ValueError("the parse timeout must be > 0 seconds")
        self.processes = processes
        self.timeout = timeout
        self.replaced = 0  # workers stopped past the deadline or found dead
        self._count = threading.Lock()
        self._pool = ProcessPool(
            processes,
            initializer=_start_worker,
            initargs=(os.getpid(), preload),
            context=context or multiprocessing.get_context("spawn"),
        )

    def parse(self, url: str, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` in a worker; its exception raises here. `ParseDeadline` past the
        deadline; `PageError` when two workers died on it."""
        for attempt in (1, 2):
            try:
                future = self._pool.schedule(fn, args, timeout=self.timeout)
            except RuntimeError as exc:  # stopped, or broken by a worker's death
                raise RuntimeError(f"the parse pool is closed ({exc})") from None
            try:
                return future.result()
            except FutureTimeout as exc:
                if exc.args[:1] != ("Task timeout",):  # a TimeoutError the parser raised
                    raise
                self._replaced()
                raise ParseDeadline(f"parse of {url} exceeded {self.timeout:g} s; its process was killed") from None
            except ProcessExpired as exc:
                self._replaced()
                if attempt == 2:
                    raise PageError(f"the processes parsing {url} died (exit code {exc.exitcode})") from None
            except BaseException:
                future.cancel()  # pebble stops the worker of a cancelled running task
                raise
        raise AssertionError("unreachable")

    def _replaced(self) -> None:
        with self._count:
            self.replaced += 1

    def pids(self) -> list[int]:
        """The process ids of the live workers (pebble keeps them by pid, unexposed)."""
        return sorted(self._pool._pool_manager.worker_manager.workers)

    def close(self) -> None:
        """Stop every worker; a parse still waiting for its answer fails."""
        self._pool.stop()
        self._pool.join()

    def __enter__(self) -> PebbleParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
