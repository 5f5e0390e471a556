"""A run's housekeeping around the harvest: its id, the data dir's run lock, the leftovers
of killed runs, the memory the harvest freed, and the compaction of the landing files of
months that have ended.

Kept apart from the steps (flows/night/steps.py) because none of it harvests or builds: it is
what lets one run own the data dir, name its landing folder, clean up after a run that
never got to, and keep the landing folder from growing a file per portal and night,
whatever the steps in between do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.archive import PageArchive
from flows.config.clock import wall
from flows.config.model import Config
from warehouse.build import remove_stale_builds
from warehouse.compact import compact_landing
from warehouse.db import remove_spill_dir
from warehouse.landing import release_arrow_memory, remove_stale_temp
from warehouse.manifest import is_run_id_taken

logger = logging.getLogger(__name__)

#: How a run id spells the instant it was stamped with (UTC).
RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"


def new_run_id(now: datetime | None = None) -> str:
    """A UTC timestamp id (`20121231T020000Z`) of `now` (default: the wall clock), so runs
    sort by time."""
    now = now or wall()
    return now.astimezone(UTC).strftime(RUN_ID_FORMAT)


def night_of(run_id: str) -> date:
    """The night a run belongs to: the UTC date its id was stamped with (the date detail
    debt counts nights in)."""
    return datetime.strptime(run_id, RUN_ID_FORMAT).date()


def unused_run_id(data_dir: Path, now: datetime | None = None) -> str:
    """A run id no landing folder and no run of the state database has yet (a compacted run
    has no folder): two runs started in the same second must not share one. `now` is the
    run's clock's reading (flows/config/clock.py; default: the wall clock)."""
    now = now or wall()
    state = Path(data_dir) / "state.duckdb"
    while (Path(data_dir) / "landing" / new_run_id(now)).exists() or is_run_id_taken(state, new_run_id(now)):
        now += timedelta(seconds=1)
    return new_run_id(now)


class RunLocked(RuntimeError):
    """Another nightly run is using the same data dir."""


@contextmanager
def exclusive_run(data_dir: Path) -> Iterator[None]:
    """Hold the data dir's run lock: two runs loading into one state database would collide.

    An OS lock (flock), so a killed run never leaves a stale lock behind.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / "nightly.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(f"another xxgk run is using {data_dir}; try again when it has finished") from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def remove_leftovers(config: Config) -> list[Path]:
    """Delete what killed runs left behind; return it. Call only holding the run lock.

    The lock (`exclusive_run`) is what makes this safe: no other run of this data dir is
    alive, so every temporary file found is a dead process's. Removed: landing files never
    renamed into place, page-archive bodies never renamed into place, unfinished build files
    beside the published file, and DuckDB's spill folder of the state database. What stays:
    whole landing files (listings without their run file are reported by the load), the
    state database's write-ahead log (DuckDB replays its committed transactions and drops
    the rest when the file is next opened) and the published file. The page archive's pass
    also moves bodies stored under its earlier layout into the present one
    (connectors/archive.py).
    """
    data_dir = config.warehouse.data_dir
    removed = [
        *remove_stale_temp(data_dir),
        *PageArchive(data_dir).tidy(),
        *remove_stale_builds(config.warehouse.path),
        *remove_spill_dir(config.warehouse.state_path),
    ]
    if removed:
        logger.warning(
            "removed %d file(s) left by a killed run: %s", len(removed), ", ".join(path.name for path in removed[:5])
        )
    return removed


def compact(config: Config) -> dict[str, Any]:
    """Roll the loaded landing sets of the months that have ended into compacted parts
    (warehouse/compact.py); what was done, as build details. Call only holding the run lock,
    after the load. A compaction that fails is reported, never fails the night: whatever it
    had not finished, the next one finishes."""
    try:
        done = compact_landing(config.warehouse.state_path, config.warehouse.data_dir)
    except Exception as exc:  # noqa: BLE001 - the landing files stay whole; reported
        logger.warning("compaction of the landing files failed: %s: %s", type(exc).__name__, exc)
        return {"compaction_error": f"{type(exc).__name__}: {exc}"}
    if not (done.parts or done.skipped):
        return {}
    skipped = [f"{marker}: {why}" for marker, why in done.skipped]
    return {"compaction": {"parts": done.parts, "files_removed": done.files_removed, "skipped": skipped}}


def release_freed_memory() -> bool:
    """Hand the heap memory the harvest's threads freed back to the system before the load
    and the build. Call it once those threads have ended.

    The load and the build allocate through DuckDB's own allocator and would never reuse
    what the harvest freed, so without this the harvest's high-water mark stays under
    theirs. Arrow's allocator (mimalloc) keeps the pages of a thread that has ended until
    another thread collects them: about 90 MB at 1,000 portals, which a harvest thread's own
    collection after each portal cannot reach once the thread is gone. glibc keeps freed
    memory in each thread's arena for reuse. Returns False where the C library has no
    `malloc_trim` (not glibc): Arrow's part is handed back all the same.
    """
    release_arrow_memory()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)
    return True
