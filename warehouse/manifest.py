"""The landing manifest: which landing files the state database holds (`raw_landing_files`).

One row per file of every landing set the state has taken, with its size, modification time
and sha256, written in the transaction that folds the set in, so a set is in the manifest
exactly when its runs are in the state. The load lists only the run folders not yet
compacted and skips every set whose marker the manifest knows, without opening it: it reads
what it has not loaded, however long the history.

A row's status: `loaded` (a run folder's file, its runs in the state), `compacted` (a file of
a compacted part), `retired` (a run folder's file a part has replaced, to be removed: while
it is still on disk the load must know it, or it would take it for new).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from warehouse.db import connect
from warehouse.landing_sets import LandingSet, rel

TABLE = "raw_landing_files"
LOADED, COMPACTED, RETIRED = "loaded", "compacted", "retired"

_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("marker", pa.string()),
        ("status", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("sha256", pa.string()),
        ("recorded_at", pa.timestamp("us")),
    ]
)


def ensure_manifest_schema(con) -> None:
    """Create the manifest table in a state database that has none."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (path VARCHAR PRIMARY KEY, marker VARCHAR NOT NULL, "
        "status VARCHAR NOT NULL, size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL, sha256 VARCHAR NOT NULL, "
        "recorded_at TIMESTAMP NOT NULL)"
    )


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_rows(landing: Path, sets: list[LandingSet], status: str) -> pa.Table:
    """The manifest rows of every file of `sets` (stat and hash read now, before the
    transaction that records them)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for landing_set in sets:
        marker = rel(landing, landing_set.marker)
        for path in landing_set.files:
            stat = path.stat()
            rows.append((rel(landing, path), marker, status, stat.st_size, stat.st_mtime_ns, sha256_file(path), now))
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in _SCHEMA]
    return pa.table(dict(zip(_SCHEMA.names, columns, strict=True)), schema=_SCHEMA)


def record(con, rows: pa.Table) -> None:
    """Add (or replace) manifest rows; call inside the transaction that takes their sets."""
    if rows.num_rows == 0:
        return
    con.register("manifest_rows", rows)
    try:
        con.execute(f"DELETE FROM {TABLE} WHERE path IN (SELECT path FROM manifest_rows)")
        con.execute(f"INSERT INTO {TABLE} SELECT * FROM manifest_rows")
    finally:
        con.unregister("manifest_rows")


def uncompacted_entries(con) -> dict[str, list[tuple[str, int, int, str]]]:
    """The run folders' files the manifest knows (loaded or retired), by marker:
    (path, size, mtime_ns, status) each."""
    entries: dict[str, list[tuple[str, int, int, str]]] = {}
    for marker, path, size, mtime, status in con.execute(
        f"SELECT marker, path, size, mtime_ns, status FROM {TABLE} WHERE status <> ? ORDER BY path", [COMPACTED]
    ).fetchall():
        entries.setdefault(marker, []).append((path, size, mtime, status))
    return entries


def changed_files(landing: Path, entries: dict[str, list[tuple[str, int, int, str]]]) -> list[tuple[str, str]]:
    """The loaded files whose size or modification time is no longer what was recorded
    (their sets are not loaded again: the state holds what they held when loaded)."""
    changed = []
    for files in entries.values():
        for path, size, mtime, status in files:
            if status != LOADED:
                continue
            try:
                stat = (landing / path).stat()
            except FileNotFoundError:
                changed.append((path, "removed since it was loaded"))
                continue
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
                changed.append((path, "changed since it was loaded"))
    return changed


def is_run_id_taken(state_path: str | os.PathLike, run_id: str) -> bool:
    """Whether the state database holds a run of this id (its landing folder may be gone,
    compacted into a part)."""
    if not Path(state_path).exists():
        return False
    con = connect(state_path, read_only=True)
    try:
        known = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_runs'").fetchone()
        return bool(known[0]) and bool(
            con.execute("SELECT count(*) FROM raw_runs WHERE run_id = ?", [run_id]).fetchone()[0]
        )
    finally:
        con.close()
