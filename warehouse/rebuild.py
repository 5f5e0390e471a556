"""Make the state database again from the landing files, its archive (warehouse/state.py)."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.db import connect
from warehouse.load import LoadResult, ensure_schema, finish_load, load_runs, run_files_of


def rebuild_state(state_path: str | os.PathLike, data_dir: str | os.PathLike, runs_per_batch: int = 7) -> LoadResult:
    """Make the state database again from every landing file, and put it in place atomically.

    The runs are folded `runs_per_batch` run directories at a time, in run order, into a new
    file beside `state_path`, which then replaces it with `os.replace`; the state folded
    from the archive equals the state the nightly loads kept (warehouse/state.py). Run it
    under the nightly run lock: a load meanwhile would be lost with the old file.
    """
    target = Path(state_path)
    building = target.with_name(f".{target.name}.rebuilding-{os.getpid()}")
    _remove(building)
    result = LoadResult()
    landing = Path(data_dir) / "landing"
    run_files = run_files_of(landing)
    directories = sorted({run_file.parent for run_file in run_files})
    step = max(1, runs_per_batch)
    try:
        con = connect(building)
        try:
            ensure_schema(con)
            for start in range(0, len(directories), step):
                batch = set(directories[start : start + step])
                load_runs(con, [f for f in run_files if f.parent in batch], result)
            finish_load(con, landing, result)
        finally:
            con.close()
        target.with_name(target.name + ".wal").unlink(missing_ok=True)  # the old file's log
        os.replace(building, target)
    except BaseException:
        _remove(building)  # the old state stays as it was
        raise
    return result


def _remove(path: Path) -> None:
    """Delete a (partial) state file and its write-ahead log if they exist."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)
