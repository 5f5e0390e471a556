"""Compaction: the loaded landing sets of each month that has ended, rolled into one part.

A year of nights at a few thousand portals leaves hundreds of thousands of landing files; the
load must not list them all, nor the disk keep them apart. Once the state holds a run newer
than a month, every loaded set of that month's run folders is copied, a row group at a time,
into one part `landing/compacted/{YYYY-MM}.{n}/`: `listings.parquet` (every row, in the
landing schema), `fetches.parquet` (every fetch log, in the fetch schema) and `runs.parquet`
(every run document, and in its footer the markers of the sets it replaced), each flushed,
the folder written under a temporary name and renamed into place whole. Then, in this order:
the sets it replaced are marked `retired` in the manifest, the part is recorded (its runs
found already in the state), and the retired files are removed. A kill anywhere leaves a
state the next compaction finishes: a temporary folder (removed by the run's clean-up), a
part the manifest does not know (taken in: a whole part supersedes the sets it names,
warehouse/landing_sets.py), retired files (removed). A set whose files changed since they
were loaded is left where it is and reported.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.db import connect
from warehouse.landing import FETCH_SCHEMA, LANDING_SCHEMA, LandingError, fsync_path
from warehouse.landing_check import check_set
from warehouse.landing_sets import (
    COMPACTED,
    PART_FILES,
    SOURCES_KEY,
    LandingSet,
    month_of,
    parts,
    rel,
    sources_of,
    uncompacted,
)
from warehouse.landing_stream import RowStream
from warehouse.load import ensure_schema, loaded_among
from warehouse.manifest import COMPACTED as COMPACTED_STATUS
from warehouse.manifest import LOADED, RETIRED, TABLE, file_rows, record, sha256_file

_RUNS_SCHEMA = pa.schema([("run_id", pa.string()), ("portal_id", pa.string()), ("document", pa.string())])


@dataclass
class CompactResult:
    """What a compaction did: parts written, sets and files replaced, bytes, and what it left."""

    parts: list[str] = field(default_factory=list)  # part folders written or taken in
    sets_compacted: int = 0
    files_removed: int = 0
    bytes_removed: int = 0
    bytes_written: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (marker, why it stays)


def compact_landing(state_path: str | os.PathLike, data_dir: str | os.PathLike) -> CompactResult:
    """Finish what a killed compaction left, then roll every loaded set of each month older
    than the newest loaded run's into one part. Call under the nightly run lock."""
    result = CompactResult()
    landing = Path(data_dir) / "landing"
    con = connect(state_path)
    try:
        ensure_schema(con)
        known = {row[0] for row in con.execute(f"SELECT DISTINCT marker FROM {TABLE}").fetchall()}
        for part in parts(landing):
            if rel(landing, part.marker) not in known:
                _take_in(con, landing, part, result)
        _remove_retired(con, landing, result)
        for month, sets in _months_due(con, landing, result):
            part = _write_part(landing, month, sets, result)
            _take_in(con, landing, part, result)
            result.sets_compacted += len(sets)
            _remove_retired(con, landing, result)
    finally:
        con.close()
    return result


def _months_due(con, landing: Path, result: CompactResult) -> list[tuple[str, list[LandingSet]]]:
    """The loaded, unchanged sets of each month before the newest loaded run's, by month."""
    newest = con.execute("SELECT max(run_id) FROM raw_runs").fetchone()[0]
    current = month_of(newest) if newest else None
    if current is None:
        return []
    recorded: dict[str, list[tuple[str, int, int, str]]] = {}
    for marker, path, size, mtime, sha in con.execute(
        f"SELECT marker, path, size, mtime_ns, sha256 FROM {TABLE} WHERE status = ?", [LOADED]
    ).fetchall():
        recorded.setdefault(marker, []).append((path, size, mtime, sha))
    due: dict[str, list[LandingSet]] = {}
    for landing_set in uncompacted(landing)[0]:
        month, marker = landing_set.month(), rel(landing, landing_set.marker)
        if month is None or month >= current or marker not in recorded:
            continue
        why = _changed(landing, landing_set, recorded[marker])
        if why:
            result.skipped.append((marker, why))
        else:
            due.setdefault(month, []).append(landing_set)
    return sorted(due.items())


def _changed(landing: Path, landing_set: LandingSet, files: list[tuple[str, int, int, str]]) -> str | None:
    """Why the set's files are not what was loaded, if they are not."""
    on_disk = {rel(landing, path) for path in landing_set.files}
    if on_disk != {path for path, *_ in files}:
        return "its files are not the files that were loaded"
    for path, size, _, sha in files:
        if (landing / path).stat().st_size != size or sha256_file(landing / path) != sha:
            return f"{path} changed since it was loaded"
    return None


def _conform(table: pa.Table, schema: pa.Schema, fill: dict[str, str]) -> pa.Table:
    """`table` in `schema`: missing columns from `fill` (run and portal ids) or NULL."""
    columns = []
    for column in schema:
        if column.name in table.column_names:
            columns.append(table.column(column.name).cast(column.type))
        elif column.name in fill:
            columns.append(pa.array([fill[column.name]] * table.num_rows, column.type))
        else:
            columns.append(pa.nulls(table.num_rows, column.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _copy(stream: RowStream, path: Path, fill: dict[str, str]) -> None:
    """Every row of a Parquet file into `stream`, a record batch at a time."""
    for batch in pq.ParquetFile(path).iter_batches():
        stream.write(_conform(pa.Table.from_batches([batch]), stream.schema, fill))


def _part_name(landing: Path, month: str) -> str:
    """`{month}.{n}`: the next number among the month's parts."""
    folder = landing / COMPACTED
    taken = [int(p.name.split(".")[1]) for p in folder.glob(f"{month}.*") if p.name.split(".")[1].isdigit()]
    return f"{month}.{max(taken, default=0) + 1:03d}"


def _write_part(landing: Path, month: str, sets: list[LandingSet], result: CompactResult) -> LandingSet:
    """Write the month's part under a temporary name, flushed, and rename it into place."""
    name = _part_name(landing, month)
    final = landing / COMPACTED / name
    temp = final.with_name(f".{name}.{os.getpid()}.tmp")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    streams = {kind: RowStream(temp / PART_FILES[kind], schema) for kind, schema in _PART_SCHEMAS.items()}
    runs: list[dict] = []
    for landing_set in sets:
        documents = landing_set.documents()
        runs += documents
        one = {"run_id": documents[0]["run_id"], "portal_id": documents[0]["portal_id"]} if documents else {}
        if landing_set.listings is not None:
            _copy(streams["listings"], landing_set.listings, {})
        if landing_set.fetches is not None:
            _copy(streams["fetches"], landing_set.fetches, one if landing_set.kind == "portal" else {})
    runs.sort(key=lambda d: (d["run_id"], d["portal_id"]))
    columns = {key: [d[key] for d in runs] for key in ("run_id", "portal_id")}
    columns["document"] = [json.dumps(d, ensure_ascii=False) for d in runs]
    streams["marker"].write(pa.table(columns, schema=_RUNS_SCHEMA))
    sources = json.dumps([rel(landing, s.marker) for s in sets], ensure_ascii=False).encode()
    for kind, stream in streams.items():
        stream.close({SOURCES_KEY: sources} if kind == "marker" else None)
    fsync_path(temp)
    os.rename(temp, final)
    fsync_path(final.parent)
    result.bytes_written += sum(path.stat().st_size for path in final.iterdir())
    return LandingSet(
        "part", final / PART_FILES["marker"], final / PART_FILES["listings"], final / PART_FILES["fetches"]
    )


_PART_SCHEMAS = {"listings": LANDING_SCHEMA, "fetches": FETCH_SCHEMA, "marker": _RUNS_SCHEMA}


def _take_in(con, landing: Path, part: LandingSet, result: CompactResult) -> None:
    """Record a whole part, whose runs must all be in the state already: in one transaction,
    the sets it names retired and its own files recorded as compacted."""
    marker = rel(landing, part.marker)
    try:
        checked = check_set(con, part)
    except (LandingError, ValueError, OSError, duckdb.Error) as exc:
        result.skipped.append((marker, f"part unreadable: {exc}"))
        return
    missing = set(checked.ids) - loaded_among(con, [checked])
    if missing:
        result.skipped.append((marker, f"part holds {len(missing)} runs the state does not: rebuild the state"))
        return
    rows = file_rows(landing, [part], COMPACTED_STATUS)
    con.execute("BEGIN TRANSACTION")
    try:
        sql = f"UPDATE {TABLE} SET status = ? WHERE marker IN (SELECT unnest(CAST(? AS VARCHAR[])))"
        con.execute(sql, [RETIRED, sources_of(part)])
        record(con, rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.parts.append(part.marker.parent.name)


def _remove_retired(con, landing: Path, result: CompactResult) -> None:
    """Remove the files of the retired sets (data first, marker last), their emptied run
    folders, and then their manifest rows."""
    rows = con.execute(
        f"SELECT path FROM {TABLE} WHERE status = ? ORDER BY marker, path = marker, path", [RETIRED]
    ).fetchall()
    folders = set()
    for (path,) in rows:
        target = landing / path
        if target.exists():
            result.bytes_removed += target.stat().st_size
            result.files_removed += 1
            target.unlink()
        folders.add(target.parent)
    for folder in folders:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    if rows:
        fsync_path(landing)
        con.execute(f"DELETE FROM {TABLE} WHERE status = ?", [RETIRED])
