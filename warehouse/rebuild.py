"""Make the state database again from the landing files, its archive (warehouse/state.py):
the compacted parts and the run folders' sets alike."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.db import connect
from warehouse.landing_sets import every_set
from warehouse.load import LoadResult, ensure_schema, finish_load, load_sets
from warehouse.manifest import COMPACTED, RETIRED, file_rows, record


def rebuild_state(state_path: str | os.PathLike, data_dir: str | os.PathLike, runs_per_batch: int = 7) -> LoadResult:
    """Make the state database again from every landing set, and put it in place atomically.

    Each compacted part is folded on its own, then the run folders' sets `runs_per_batch`
    run folders at a time, in run order, into a new file beside `state_path`, which then
    replaces it with `os.replace`; the state folded from the archive equals the state the
    nightly loads kept (warehouse/state.py), and its manifest lists every set it folded. A
    set a whole part supersedes (a compaction killed before it removed it) is not folded
    again: the manifest marks it retired, for the next compaction to remove. Run it under
    the nightly run lock: a load meanwhile would be lost with the old file.
    """
    target = Path(state_path)
    building = target.with_name(f".{target.name}.rebuilding-{os.getpid()}")
    _remove(building)
    result = LoadResult()
    landing = Path(data_dir) / "landing"
    sets, superseded, loose = every_set(landing)
    whole_parts = [s for s in sets if s.kind == "part"]
    folders = sorted({s.marker.parent for s in sets if s.kind != "part"})
    step = max(1, runs_per_batch)
    try:
        con = connect(building)
        try:
            ensure_schema(con)
            for part in whole_parts:
                load_sets(con, landing, [part], result, status=COMPACTED)
            for start in range(0, len(folders), step):
                batch = set(folders[start : start + step])
                load_sets(con, landing, [s for s in sets if s.kind != "part" and s.marker.parent in batch], result)
            record(con, file_rows(landing, superseded, RETIRED))
            finish_load(con, landing, result, loose)
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
