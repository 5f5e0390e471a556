"""Checking a landing set before it is loaded: its run documents against the contract and
its listings against its runs (warehouse/load.py loads what passes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.landing import LANDING_SCHEMA, LATER_COLUMNS, RUN_KEYS, LandingError, check_name
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
    errors = document.get("errors") or []
    if not isinstance(errors, list):
        raise LandingError("errors is not a list")
    row = []
    for key in RUN_KEYS:
        value = document.get(key)
        if key in ("started_at", "finished_at"):
            value = _parse_time(value, key)
        elif key == "complete":
            value = value is True
        elif key == "errors":
            value = [str(error) for error in errors]
        row.append(value)
    if row[RUN_KEYS.index("started_at")] is None:
        raise LandingError("started_at is missing")
    return row


def _check_listings(path: Path, ids: set[tuple[str, str]], con) -> int:
    """Refuse a listings file whose columns do not match the contract, or with a row of a run
    its set does not hold (or without item_key/seen_at). Returns its row count (read in the
    same pass as the check)."""
    schema = pq.read_schema(path)
    missing = [name for name in LANDING_SCHEMA.names if name not in schema.names]
    if missing == list(LATER_COLUMNS):  # an older file: they load as NULL
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
    counts = con.execute(
        "SELECT run_id, portal_id, count(*), count(*) FILTER (WHERE item_key IS NULL OR seen_at IS NULL) "
        "FROM read_parquet(?) GROUP BY ALL",
        [str(path)],
    ).fetchall()
    foreign = sum(n if (run_id, portal_id) not in ids else bad for run_id, portal_id, n, bad in counts)
    if foreign:
        raise LandingError(f"{path.name} has {foreign} rows of another run or portal, or without item_key/seen_at")
    return sum(n for _, _, n, _ in counts)


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


def check_set(con, landing_set: LandingSet) -> CheckedSet:
    """Read and check one set's run documents and listings; raise `LandingError` saying why not."""
    try:
        documents = landing_set.documents()
    except (OSError, ValueError) as exc:
        raise LandingError(f"unreadable run documents: {exc}") from exc
    rows = [_run_row(document, landing_set) for document in documents]
    ids = {(row[1], row[0]) for row in rows}
    if len(ids) < len(rows):
        raise LandingError(f"{landing_set.marker.name} holds a run twice")
    listings = landing_set.listings
    n_rows = _check_listings(listings, ids, con) if listings is not None else 0
    return CheckedSet(landing_set, rows, n_rows)
