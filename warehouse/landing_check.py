"""Checking a landing set before it is loaded: its run documents against the contract and
its listings against its runs (warehouse/load.py loads what passes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.landing import LandingError, check_name
from warehouse.landing_schema import LANDING_SCHEMA, RUN_KEYS, later_columns_missing
from warehouse.landing_sets import LandingSet


def _parse_time(value: object, name: str) -> datetime | None:
    """An ISO time from a run file as naive UTC (how the warehouse stores times)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise LandingError(f"{name} is {value!r}, not an ISO time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _run_value(key: str, value: object) -> object:
    """One value of a run document as `raw_runs` takes it; `LandingError` when it cannot be."""
    if key in ("started_at", "finished_at"):
        return _parse_time(value, key)
    if key == "complete":
        return value is True
    if key == "errors":
        if not isinstance(value or [], list):
            raise LandingError("errors is not a list")
        return [str(error) for error in value or []]
    if key in ("portal_id", "run_id", "mode", "status") or value is None:
        return value
    if key == "reason":
        return str(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LandingError(f"{key} is {value!r}, not a whole number")
    return value


def _run_row(document: object, where: LandingSet) -> list:
    """A run document as a `raw_runs` row, refused with a reason when it breaks the contract."""
    if not isinstance(document, dict):
        raise LandingError("a run document is not a JSON object")
    run_id = check_name("run_id", document.get("run_id"))
    portal_id = check_name("portal_id", document.get("portal_id"))
    folder = where.marker.parent.name
    if where.kind == "portal" and (folder != run_id or where.marker.name != f"{portal_id}.run.json"):
        raise LandingError(f"run file names {portal_id}/{run_id} but sits at {where.marker}")
    if where.kind == "batch" and folder != run_id:
        raise LandingError(f"{where.marker.name} holds run {portal_id}/{run_id} but sits in {folder}")
    if document.get("mode") not in ("full", "incremental"):
        raise LandingError(f"mode {document.get('mode')!r} is not full or incremental")
    if document.get("status") not in ("ok", "partial", "failed"):
        raise LandingError(f"status {document.get('status')!r} is not ok, partial or failed")
    row = [_run_value(key, document.get(key)) for key in RUN_KEYS]
    if row[RUN_KEYS.index("started_at")] is None:
        raise LandingError("started_at is missing")
    return row


def _check_columns(path: Path) -> None:
    """Refuse a listings file whose columns do not match the contract."""
    schema = pq.read_schema(path)
    missing = [name for name in LANDING_SCHEMA.names if name not in schema.names]
    if later_columns_missing(schema.names) is not None:  # an older file: they load as NULL
        missing = []
    if missing:
        raise LandingError(f"{path.name} lacks columns {', '.join(missing)}")
    wrong = [
        f"{column.name} is {schema.field(column.name).type}, not {column.type}"
        for column in LANDING_SCHEMA
        if column.name in schema.names and not schema.field(column.name).type.equals(column.type)
    ]
    if wrong:
        raise LandingError(f"{path.name}: {'; '.join(wrong)}")


_COUNTS = (
    "SELECT {file}, run_id, portal_id, count(*), count(*) FILTER (WHERE item_key IS NULL OR seen_at IS NULL) "
    "FROM read_parquet(?{options}) GROUP BY ALL"
)


def _row_counts(con, paths: list[Path]) -> dict[str, list[tuple] | Exception]:
    """Per listings file, its rows per (run_id, portal_id) and how many lack item_key or
    seen_at: read in one pass over every file, or file by file when one cannot be read (its
    error is then its answer)."""
    if not paths:
        return {}
    counts: dict[str, list[tuple] | Exception] = {str(path): [] for path in paths}
    try:
        sql = _COUNTS.format(file="filename", options=", filename = true, union_by_name = true")
        for name, *count in con.execute(sql, [list(counts)]).fetchall():
            counts[name].append(tuple(count))  # a name not asked for is a KeyError: counted again
        return counts
    except (duckdb.Error, KeyError):
        pass
    for path in counts:
        try:
            counts[path] = con.execute(_COUNTS.format(file="NULL", options=""), [path]).fetchall()
            counts[path] = [tuple(row[1:]) for row in counts[path]]
        except duckdb.Error as exc:
            counts[path] = exc
    return counts


@dataclass
class CheckedSet:
    """A checked set waiting to be inserted: its `raw_runs` rows and its manifest rows."""

    landing_set: LandingSet
    rows: list[list]
    n_rows: int
    manifest: pa.Table | None = None
    already_loaded: bool = False  # its runs are in the state (from before the manifest)

    @property
    def ids(self) -> list[tuple[str, str]]:
        return [(row[1], row[0]) for row in self.rows]  # (run_id, portal_id)


def _runs_of(landing_set: LandingSet) -> list[list]:
    """The set's run documents as `raw_runs` rows, its listings' columns checked."""
    try:
        documents = landing_set.documents()
    except (OSError, ValueError) as exc:
        raise LandingError(f"unreadable run documents: {exc}") from exc
    rows = [_run_row(document, landing_set) for document in documents]
    if len({(row[1], row[0]) for row in rows}) < len(rows):
        raise LandingError(f"{landing_set.marker.name} holds a run twice")
    if landing_set.listings is not None:
        _check_columns(landing_set.listings)
    return rows


def _counted(landing_set: LandingSet, rows: list[list], counts: list[tuple] | Exception) -> CheckedSet:
    """The set checked against its listings' counts: every row of one of its runs."""
    if isinstance(counts, Exception):
        raise LandingError(f"{landing_set.listings.name} cannot be read: {counts}")
    ids = {(row[1], row[0]) for row in rows}
    foreign = sum(n if (run_id, portal_id) not in ids else bad for run_id, portal_id, n, bad in counts)
    if foreign:
        name = landing_set.listings.name
        raise LandingError(f"{name} has {foreign} rows of another run or portal, or without item_key/seen_at")
    return CheckedSet(landing_set, rows, sum(n for _, _, n, _ in counts))


def check_sets(con, sets: list[LandingSet]) -> tuple[list[CheckedSet], list[tuple[str, str]]]:
    """Check the sets' run documents and listings (their rows counted in one pass); the
    sets that pass, and (marker, reason) for each that does not."""
    runs: dict[LandingSet, list[list]] = {}
    refused: list[tuple[str, str]] = []
    for landing_set in sets:
        try:
            runs[landing_set] = _runs_of(landing_set)
        except (LandingError, ValueError, OSError) as exc:
            refused.append((str(landing_set.marker), str(exc)))
    counts = _row_counts(con, [s.listings for s in runs if s.listings is not None])
    checked = []
    for landing_set, rows in runs.items():
        try:
            checked.append(_counted(landing_set, rows, counts.get(str(landing_set.listings), [])))
        except LandingError as exc:
            refused.append((str(landing_set.marker), str(exc)))
    return checked, refused


#: `raw_runs`' columns as an Arrow schema (RUN_KEYS, then when the set was loaded).
RUN_ROW_SCHEMA = pa.schema(
    [
        *((key, pa.string()) for key in ("portal_id", "run_id", "mode", "status", "reason")),
        ("started_at", pa.timestamp("us")),
        ("finished_at", pa.timestamp("us")),
        *((key, pa.int64()) for key in RUN_KEYS[RUN_KEYS.index("pages") : RUN_KEYS.index("complete")]),
        ("complete", pa.bool_()),
        ("errors", pa.list_(pa.string())),
        ("loaded_at", pa.timestamp("us")),
    ]
)
