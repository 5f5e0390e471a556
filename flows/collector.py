"""Python's cyclic garbage collector over a process's start-up.

Importing Prefect (and, in its server's process, building Prefect's API application) makes
hundreds of thousands of objects that live as long as the process. The collector runs every
few hundred allocations while they are made, and each full collection of the run after it
walks all of them again, finding nothing: about 0.3 s of a night's CPU at start and as much
again in the harvest's full collections, and about 0.4 s of the server's start (measured in
docs/capacity.md's CPU section).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_for_startup() -> Iterator[None]:
    """Run the block with the collector off, then move every object the process holds to the
    collector's permanent generation (`gc.freeze`), which later collections do not walk.

    For a process's start-up only: a cycle that became garbage inside the block is frozen with
    the rest and never freed, so the block must make objects the process keeps (modules, an
    application), not a night's data.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
