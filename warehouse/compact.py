"""Compaction: the loaded landing sets rolled into one part a night, the parts of a month that
has ended into one part a month.

A year of nights at a few thousand portals leaves hundreds of thousands of landing files; the
load must not list them all, nor the disk keep them apart. After each load every loaded set of
the run folders is copied into a new part of its month, `landing/compacted/{YYYY-MM}.{n}/`:
`listings.parquet` (every row, in the landing schema), `fetches.parquet` (every fetch log,
in the fetch schema) and `runs.parquet` (every run document, and in its footer the markers of
the sets it replaced). Once the state holds a run of a later month, the month's parts are
copied into one. DuckDB copies the rows, from all the files of a part at once; each file is
flushed, and the folder is written under a temporary name and renamed into place whole.
Then, in this order: in one transaction the sets it replaced are marked `retired` in the
manifest and the part is recorded (its runs found in the state already), and the retired
files are removed. A kill anywhere leaves a state the next compaction finishes: a temporary
folder (removed by the run's clean-up), a part the manifest does not know (taken in: a whole
part supersedes the sets it names, warehouse/landing_sets.py), retired files (removed). A set
whose files changed since they were recorded is left where it is and reported.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.db import connect
from warehouse.landing import fsync_path
from warehouse.landing_check import check_sets
from warehouse.landing_schema import FETCH_SCHEMA, LANDING_SCHEMA
from warehouse.landing_sets import PART_FILES, SOURCES_KEY, LandingSet, month_of, parts, rel, sources_of, uncompacted
from warehouse.load import ensure_schema, loaded_among
from warehouse.manifest import COMPACTED, LOADED, RETIRED, TABLE, file_rows, record, sha256_file

_RUNS_SCHEMA = pa.schema([("run_id", pa.string()), ("portal_id", pa.string()), ("document", pa.string())])
ROWS_PER_GROUP = 100_000


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
    """Finish what a killed compaction left, then copy the loaded sets of the run folders into
    one part per month, and the parts of each month older than the newest loaded run's into
    one. Call under the nightly run lock, after the load."""
    result = CompactResult()
    landing = Path(data_dir) / "landing"
    con = connect(state_path)
    try:
        ensure_schema(con)
        known = {marker for (marker,) in con.execute(f"SELECT DISTINCT marker FROM {TABLE}").fetchall()}
        for part in parts(landing):
            if rel(landing, part.marker) not in known:
                _take_in(con, landing, part, result)
        _remove_retired(con, landing, result)
        for level in (_loaded_sets, _parts_of_ended_months):
            for month, sets in level(con, landing, result):
                part = _write_part(con, landing, month, sets, result)
                if _take_in(con, landing, part, result):
                    result.sets_compacted += len(sets)
                _remove_retired(con, landing, result)
    finally:
        con.close()
    return result


def _recorded(con, status: str) -> dict[str, list[tuple[str, int, str]]]:
    """The manifest's files of `status`, by marker: (path, size, sha256) each."""
    rows = con.execute(f"SELECT marker, path, size, sha256 FROM {TABLE} WHERE status = ?", [status]).fetchall()
    recorded: dict[str, list[tuple[str, int, str]]] = {}
    for marker, *entry in rows:
        recorded.setdefault(marker, []).append(tuple(entry))
    return recorded


def _by_month(landing: Path, sets, recorded, result: CompactResult, month) -> list[tuple[str, list[LandingSet]]]:
    """The recorded, unchanged sets among `sets` grouped by `month(set)` (None: left alone)."""
    due: dict[str, list[LandingSet]] = {}
    for landing_set in sets:
        key, marker = month(landing_set), rel(landing, landing_set.marker)
        if key is None or marker not in recorded:
            continue
        why = _changed(landing, landing_set, recorded[marker])
        if why:
            result.skipped.append((marker, why))
        else:
            due.setdefault(key, []).append(landing_set)
    return sorted(due.items())


def _loaded_sets(con, landing: Path, result: CompactResult) -> list[tuple[str, list[LandingSet]]]:
    """Every loaded set of the run folders, by the month of its run."""
    return _by_month(landing, uncompacted(landing)[0], _recorded(con, LOADED), result, lambda s: s.month())


def _parts_of_ended_months(con, landing: Path, result: CompactResult) -> list[tuple[str, list[LandingSet]]]:
    """The parts of each month before the newest loaded run's that has more than one."""
    newest = con.execute("SELECT max(run_id) FROM raw_runs").fetchone()[0]
    current = month_of(newest) if newest else None
    if current is None:
        return []

    def ended(part: LandingSet) -> str | None:
        month = part.marker.parent.name.split(".")[0]
        return month if month < current else None

    grouped = _by_month(landing, parts(landing), _recorded(con, COMPACTED), result, ended)
    return [(month, sets) for month, sets in grouped if len(sets) > 1]


def _changed(landing: Path, landing_set: LandingSet, files: list[tuple[str, int, str]]) -> str | None:
    """Why the set's files are not what was recorded, if they are not."""
    if {rel(landing, path) for path in landing_set.files} != {path for path, *_ in files}:
        return "its files are not the files that were recorded"
    for path, size, sha in files:
        if (landing / path).stat().st_size != size or sha256_file(landing / path) != sha:
            return f"{path} changed since it was recorded"
    return None


def _copy(con, files: list[Path], schema: pa.Schema, target: Path, fill: dict[str, str]) -> None:
    """Every row of the Parquet `files` into `target` in `schema`, copied by DuckDB in one
    pass: a column some files lack is NULL in their rows; a column none has is NULL, or
    `fill[column]` (an SQL expression over the rows and their `filename`)."""
    if not files:
        pq.write_table(schema.empty_table(), target)
        return
    source, names = "read_parquet(?, union_by_name = true, filename = true)", [[str(f) for f in files]]
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}", names).fetchall()}
    columns = []
    for column in schema:
        value = fill.get(column.name, "NULL")
        if column.name in present:
            value = f"coalesce({column.name}, {value})" if column.name in fill else column.name
        columns.append(f"CAST({value} AS {_DUCK_TYPES[str(column.type)]}) AS {column.name}")
    path = str(target).replace("'", "''")
    con.execute("SET preserve_insertion_order = true")  # the same sources give the same part
    try:
        query = f"SELECT {', '.join(columns)} FROM {source}"
        con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE {ROWS_PER_GROUP})", names)
    finally:
        con.execute("SET preserve_insertion_order = false")


#: The DuckDB type each Arrow type of the landing and fetch schemas is copied as.
_DUCK_TYPES = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "double": "DOUBLE",
    "bool": "BOOLEAN",
    "date32[day]": "DATE",
    "timestamp[us, tz=UTC]": "TIMESTAMPTZ",
}

#: A portal's own fetch log (`{portal}.fetches.parquet`, older ones without these columns)
#: names its portal and run in its path.
_FROM_PATH = {
    "portal_id": r"regexp_extract(filename, '([^/]+)\.fetches\.parquet$', 1)",
    "run_id": r"regexp_extract(filename, '([^/]+)/[^/]+$', 1)",
}


def _part_name(landing: Path, month: str) -> str:
    """`{month}.{n}`: the next number among the month's parts."""
    taken = [p.name.split(".")[1] for p in (landing / "compacted").glob(f"{month}.*")]
    return f"{month}.{max((int(n) for n in taken if n.isdigit()), default=0) + 1:03d}"


def _write_part(con, landing: Path, month: str, sets: list[LandingSet], result: CompactResult) -> LandingSet:
    """Write the month's part under a temporary name, flushed, and rename it into place."""
    final = landing / "compacted" / _part_name(landing, month)
    temp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    files = {kind: temp / name for kind, name in PART_FILES.items()}
    _copy(con, [s.listings for s in sets if s.listings is not None], LANDING_SCHEMA, files["listings"], {})
    _copy(con, [s.fetches for s in sets if s.fetches is not None], FETCH_SCHEMA, files["fetches"], _FROM_PATH)
    runs = sorted((d for s in sets for d in s.documents()), key=lambda d: (d["run_id"], d["portal_id"]))
    columns = {key: [d[key] for d in runs] for key in ("run_id", "portal_id")}
    columns["document"] = [json.dumps(d, ensure_ascii=False) for d in runs]
    writer = pq.ParquetWriter(files["marker"], _RUNS_SCHEMA)
    writer.write_table(pa.table(columns, schema=_RUNS_SCHEMA))
    writer.add_key_value_metadata({SOURCES_KEY: json.dumps([rel(landing, s.marker) for s in sets]).encode()})
    writer.close()
    for path in (*files.values(), temp):
        fsync_path(path)
    os.rename(temp, final)
    fsync_path(final.parent)
    result.bytes_written += sum(path.stat().st_size for path in final.iterdir())
    return LandingSet(
        "part", final / PART_FILES["marker"], final / PART_FILES["listings"], final / PART_FILES["fetches"]
    )


def _take_in(con, landing: Path, part: LandingSet, result: CompactResult) -> bool:
    """Record a whole part, whose runs must all be in the state already: in one transaction,
    the sets it names retired and its own files recorded as compacted. Whether it was."""
    marker = rel(landing, part.marker)
    found, refused = check_sets(con, [part])
    if refused:
        result.skipped.append((marker, f"part unreadable: {refused[0][1]}"))
        return False
    checked = found[0]
    missing = set(checked.ids) - loaded_among(con, [checked])
    if missing:
        result.skipped.append((marker, f"part holds {len(missing)} runs the state does not: rebuild the state"))
        return False
    rows = file_rows(landing, [part], COMPACTED)
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
    return True


def _remove_retired(con, landing: Path, result: CompactResult) -> None:
    """Remove the files of the retired sets (data first, marker last), their emptied
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
        for folder in {landing, *(f.parent for f in folders if f.parent.is_dir())}:
            fsync_path(folder)  # the removals reach the disk before their rows leave the manifest
        con.execute(f"DELETE FROM {TABLE} WHERE status = ?", [RETIRED])
