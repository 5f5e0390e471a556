"""Landing files: one harvest of one portal as Parquet plus its run summary as JSON.

A landing directory is the hand-off between the harvest and the warehouse. Every file is
written to a temporary name, flushed and renamed, and the run file is written last, so a
listings file without its run file is an interrupted harvest that the loader ignores.
A run written again (a retry, a copy from another folder) first removes its run file, so
the listings and fetch log of one writing are never paired with the run file of another.
The batch layout (a task's portals in one file) and streaming are in
warehouse/landing_stream.py; how the load finds landing sets, in warehouse/landing_sets.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.landing_schema import FETCH_SCHEMA, LANDING_SCHEMA, RUN_KEYS

# run_id and portal_id become path parts: a value from outside must not climb directories.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class LandingError(ValueError):
    """A landing file or its input is not what the contract says; nothing was written."""


def check_name(kind: str, value: object) -> str:
    """Return `value` if it is safe as a file-name part, else raise `LandingError` saying why."""
    if not isinstance(value, str) or not _SAFE_NAME.match(value) or ".." in value:
        raise LandingError(f"{kind} {value!r} is not a safe name (letters, digits, . _ -)")
    return value


def landing_paths(data_dir: str | os.PathLike, run_id: str, portal_id: str) -> dict[str, Path]:
    """The listings, fetches and run file paths of one portal's run."""
    base = Path(data_dir) / "landing" / check_name("run_id", run_id)
    stem = check_name("portal_id", portal_id)
    return {
        "listings": base / f"{stem}.listings.parquet",
        "fetches": base / f"{stem}.fetches.parquet",
        "run": base / f"{stem}.run.json",
    }


def _json_value(value: object) -> object:
    """Dates and times as ISO text (times in UTC) so the run file is plain JSON."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def run_document(run: dict, run_id: str, portal_id: str) -> dict:
    """The run summary as it is written: the contract's keys, checked against the file names."""
    if run.get("run_id", run_id) != run_id or run.get("portal_id", portal_id) != portal_id:
        raise LandingError(
            f"run summary names {run.get('portal_id')!r}/{run.get('run_id')!r}, "
            f"but the landing is {portal_id!r}/{run_id!r}"
        )
    missing = [key for key in ("mode", "status", "started_at") if run.get(key) is None]
    if missing:
        raise LandingError(f"run summary of {portal_id}/{run_id} lacks {', '.join(missing)}")
    document = {key: _json_value(run.get(key)) for key in RUN_KEYS}
    document.update(run_id=run_id, portal_id=portal_id, errors=list(run.get("errors") or []))
    return document


def rows_table(rows: list[dict], run_id: str, portal_id: str) -> pa.Table:
    """The rows as an Arrow table in `LANDING_SCHEMA`; a row of another portal is refused."""
    for position, row in enumerate(rows):
        if row.get("portal_id") != portal_id:
            raise LandingError(f"row {position} belongs to portal {row.get('portal_id')!r}, not {portal_id!r}")
    columns = {name: [row.get(name) for row in rows] for name in LANDING_SCHEMA.names if name != "run_id"}
    columns["run_id"] = [run_id] * len(rows)
    try:
        return pa.Table.from_pydict(columns, schema=LANDING_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise LandingError(f"rows of {portal_id}/{run_id} do not fit the landing schema: {exc}") from exc


def release_arrow_memory() -> None:
    """Hand back the pages Arrow's allocator (mimalloc) keeps after they were freed.

    It keeps what a thread freed for that thread: a night converts each portal's rows from
    one of many harvest threads, and what those threads kept came to about 85 MB at 1,000
    portals (bench/bench_portals.py), so each landing write calls this. The pages of a
    thread that has ended can only be collected by another thread: the night calls it
    again once the harvest's threads are gone (flows/night/housekeeping.py). About 70 µs a
    call."""
    pa.default_memory_pool().release_unused()


def fsync_path(path: Path) -> None:
    """Flush a file's or a directory's contents (a directory's: its entries) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_into(path: Path, write) -> None:
    """Write through `write(temp_path)`, flush it, then rename onto `path`, so `path` is
    always whole, even after a power cut. A process killed before the rename leaves only
    its temporary file (`.{name}.{pid}.tmp`, see `remove_stale_temp`)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temp)
        fsync_path(temp)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def fetch_table(fetches: list[dict], run_id: str, portal_id: str) -> pa.Table:
    """A portal's fetch log (`FetchLogEntry` dicts) as a table of `FETCH_SCHEMA`."""
    try:
        table = pa.Table.from_pylist(fetches, schema=FETCH_SCHEMA.remove(1).remove(0))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise LandingError(f"fetch log of {portal_id}/{run_id} is not a table: {exc}") from exc
    n = table.num_rows
    return table.add_column(0, FETCH_SCHEMA.field(0), pa.array([portal_id] * n, pa.string())).add_column(
        1, FETCH_SCHEMA.field(1), pa.array([run_id] * n, pa.string())
    )


def remove_stale_temp(data_dir: str | os.PathLike) -> list[Path]:
    """Delete the temporary files (and a compaction's temporary folders) killed landing
    writes left, and the run folders left empty; return them.

    Only for a caller that knows no landing write is running (the nightly run's lock).
    """
    landing = Path(data_dir) / "landing"
    stale = sorted(landing.glob("*/.*.tmp")) if landing.is_dir() else []
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    folders = sorted(landing.iterdir()) if landing.is_dir() else []
    empty = [folder for folder in folders if folder.is_dir() and not any(folder.iterdir())]
    for folder in empty:
        folder.rmdir()
    return stale + empty


def write_landing(
    data_dir: str | os.PathLike,
    run_id: str,
    portal_id: str,
    rows: list[dict],
    run: dict,
    fetches: list[dict] | None = None,
) -> dict[str, Path]:
    """Write one portal's run: listings Parquet, optional fetch log, then the run file last.

    `rows` are `dataclasses.asdict(Listing)` dicts; `run` is the `RunSummary` as a dict.
    Everything is validated before the first byte is written. Returns the paths written.
    """
    return write_landing_table(data_dir, run_id, portal_id, rows_table(rows, run_id, portal_id), run, fetches)


def write_landing_table(
    data_dir: str | os.PathLike,
    run_id: str,
    portal_id: str,
    table: pa.Table,
    run: dict,
    fetches: list[dict] | None = None,
) -> dict[str, Path]:
    """`write_landing` for rows already in an Arrow table of `LANDING_SCHEMA` (bulk writers)."""
    if not table.schema.equals(LANDING_SCHEMA):
        raise LandingError(f"listings of {portal_id}/{run_id} are not in LANDING_SCHEMA")
    paths = landing_paths(data_dir, run_id, portal_id)
    document = run_document(run, run_id, portal_id)
    fetch_log = fetch_table(fetches, run_id, portal_id) if fetches else None
    new_dir = make_run_dir(paths["run"].parent)
    try:
        land_portal_files(
            paths,
            lambda: replace_into(paths["listings"], lambda temp: pq.write_table(table, temp)),
            (lambda temp: pq.write_table(fetch_log, temp)) if fetch_log is not None else None,
            document_writer(document),
            new_dir,
        )
    finally:
        release_arrow_memory()
    return paths


def copy_landing(source_dir: str | os.PathLike, data_dir: str | os.PathLike, run_id: str, portal_id: str) -> bool:
    """Copy one whole landing run from the landing folder under `source_dir` to the one
    under `data_dir`, by the same rules as a writing (the run file removed first, copied
    last); False, copying nothing, when the source has no run file (not whole)."""
    source = landing_paths(source_dir, run_id, portal_id)
    if not source["run"].exists():
        return False
    paths = landing_paths(data_dir, run_id, portal_id)

    def copier(kind: str):
        return lambda temp: shutil.copyfile(source[kind], temp)

    land_portal_files(
        paths,
        lambda: replace_into(paths["listings"], copier("listings")),
        copier("fetches") if source["fetches"].exists() else None,
        copier("run"),
        make_run_dir(paths["run"].parent),
    )
    return True


def document_writer(document: dict):
    """A writer of the run document as the run file's JSON text into a temporary path."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    return lambda temp: temp.write_text(text, encoding="utf-8")


def make_run_dir(run_dir: Path) -> bool:
    """Make a run's landing folder if missing; whether it is new (its parent then needs a flush)."""
    new_dir = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    return new_dir


def land_portal_files(paths: dict[str, Path], place_listings, write_fetches, write_run, new_dir: bool) -> None:
    """Put one portal's run in place in the contract's order: an earlier run file of the same
    run and portal removed first, and that on the disk (its files must never pair with this
    attempt's), the listings (`place_listings()` renames them in, flushed), the fetch log
    (or none: an old one would be paired with the new listings), the run file last, then the
    folder flushed. `write_fetches` and `write_run` each fill a temporary path."""
    run_dir = paths["run"].parent
    if paths["run"].exists():
        paths["run"].unlink()
        fsync_path(run_dir)  # gone on the disk before the listings it described are replaced
    place_listings()
    if write_fetches is not None:
        replace_into(paths["fetches"], write_fetches)
    else:
        paths["fetches"].unlink(missing_ok=True)
    replace_into(paths["run"], write_run)
    fsync_path(run_dir)  # the renames are on the disk before the harvest reports done
    if new_dir:
        fsync_path(run_dir.parent)
