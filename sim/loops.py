"""Event loops on threads of their own, among which a server spreads its portals.

A server answers on a few loops rather than one: a send on loopback wakes the client and
may hand it the CPU, and while one loop's thread waits to get it back the other loops go on
answering. On the shared build machine under load, one loop served a third of the pages a
second that eight did, for the same CPU per page (bench/bench_sim.py, docs/sim.md). Each
portal lives on one loop, so its counters and faults are only ever touched by one thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine, Iterable

from sim.httpd import Connection

#: Loops per server (fewer when a world has fewer portals).
LOOPS = 8


class LoopThread:
    """One asyncio event loop running on its own thread, and the connections open on it."""

    def __init__(self, name: str):
        self.loop = asyncio.new_event_loop()
        self.connections: set[Connection] = set()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def submit(self, work: Coroutine) -> concurrent.futures.Future:
        """Run `work` on this loop; its future."""
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    def stop(self, closing: Callable[[], None]) -> None:
        """Run `closing` on the loop, drop every connection still open, end the loop."""

        async def close() -> None:
            closing()
            for connection in list(self.connections):
                connection.transport.abort()

        if self._thread.is_alive():
            self.submit(close()).result()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
        self.loop.close()


def run_all(works: Iterable[tuple[LoopThread, Coroutine]]) -> None:
    """Run each coroutine on its loop, all at once; wait for every one, then raise the first
    error, if any."""
    futures = [thread.submit(work) for thread, work in works]
    concurrent.futures.wait(futures)
    for future in futures:
        future.result()
