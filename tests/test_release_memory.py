"""The memory the harvest freed goes back to the system before the build
(flows/night/housekeeping.py: `release_freed_memory`)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

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
