"""The memory the harvest freed goes back to the system before the build
(flows/night/housekeeping.py: `release_freed_memory`)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from pathlib import Path

import pyarrow as pa

from flows.night.housekeeping import release_freed_memory

BLOCK = 64 * 1024  # below glibc's mmap threshold: these blocks live in the heap
BLOCKS = 1600  # 100 MB


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_freed_heap_blocks_go_back_to_the_system():
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(BLOCK) for _ in range(BLOCKS)]
    for block in blocks:
        ctypes.memset(block, 1, BLOCK)  # touched: resident
    for block in blocks[:-1]:  # the last stays: the heap's top cannot shrink past it by itself
        libc.free(block)
    held = _rss()
    assert release_freed_memory() is True
    released = held - _rss()
    libc.free(blocks[-1])
    assert released > BLOCK * BLOCKS // 2, f"only {released / 2**20:.0f} MB of 100 MB went back"


def test_arrow_memory_of_threads_that_have_ended_goes_back_to_the_system():
    """Arrow's allocator keeps the pages of a thread that has ended (as the harvest's threads
    have once the harvest is over) until another thread collects them."""
    threads, tables, rows = 8, 12, 10_000  # about 65 MB alive at once

    def convert_and_drop(barrier: threading.Barrier) -> None:
        held = [pa.Table.from_pydict({"title": [f"{n:08d}" + "政" * 20] * rows}) for n in range(tables)]
        barrier.wait()  # every thread holds its tables at once
        del held

    release_freed_memory()  # what earlier tests' threads left is not counted
    start = _rss()
    barrier = threading.Barrier(threads)
    workers = [threading.Thread(target=convert_and_drop, args=(barrier,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    left = _rss() - start
    release_freed_memory()
    kept = _rss() - start
    assert left > 32 * 2**20, f"the threads left only {left / 2**20:.0f} MB: nothing to measure"
    assert kept < left / 2, f"{kept / 2**20:.0f} MB of the {left / 2**20:.0f} MB the threads left stayed"
