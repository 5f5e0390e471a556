"""Load whole landing runs into the `raw_` tables of the state database, once each (and the
operators' quarantine decisions, whole, at every load).

New runs are checked one by one, then loaded together in one transaction (their listings
folded in one pass from Parquet into the sighting state, warehouse/state.py, their run rows
beside them), so a half-loaded run is never visible; a run already in `raw_runs` is
skipped, so loading is idempotent. `warehouse.rebuild.rebuild_state` folds every landing
file again into a new state database: the landing files are the archive of the state.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from warehouse.application_store import ensure_applications_schema, load_applications
from warehouse.db import connect
from warehouse.decisions import ensure_decisions_schema, load_decisions
from warehouse.landing import LANDING_SCHEMA, RUN_KEYS, LandingError, check_name, later_columns_missing
from warehouse.portal_state import portal_states
from warehouse.reported_store import ensure_reported_schema, load_reported
from warehouse.state import ensure_state_schema, merge_rows

_RUN_COLUMNS = """
    portal_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL, mode VARCHAR NOT NULL,
    status VARCHAR NOT NULL, reason VARCHAR, started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP, pages INTEGER, rows INTEGER, advertised_total INTEGER,
    details_fetched INTEGER, details_owed INTEGER, details_paid INTEGER,
    details_given_up INTEGER, details_gone INTEGER, unreadable_rows INTEGER, requests INTEGER, retries INTEGER, bytes BIGINT,
    complete BOOLEAN NOT NULL, errors VARCHAR[], loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, portal_id)
"""
#: Run columns added after the first state databases were made (added to them on open).
_LATER_RUN_COLUMNS = ("details_owed", "details_paid", "details_given_up", "unreadable_rows", "details_gone")


@dataclass
class LoadResult:
    """What one `load` call did: runs loaded, rows loaded, and what it left alone and why."""

    runs_loaded: list[tuple[str, str]] = field(default_factory=list)  # (run_id, portal_id)
    rows_loaded: int = 0
    interrupted: list[str] = field(default_factory=list)  # listings files without a run file
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (run file, reason)


def ensure_schema(con) -> None:
    """Create the `raw_` tables if this state database is new (or fold an old one's
    `raw_listings` into the sighting state)."""
    ensure_state_schema(con)
    con.execute(f"CREATE TABLE IF NOT EXISTS raw_runs ({_RUN_COLUMNS})")
    for name in _LATER_RUN_COLUMNS:
        con.execute(f"ALTER TABLE raw_runs ADD COLUMN IF NOT EXISTS {name} INTEGER")
    ensure_decisions_schema(con)
    ensure_applications_schema(con)
    ensure_reported_schema(con)


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


def _run_row(run_file: Path) -> list:
    """The run file as a `raw_runs` row, refused with a reason when it breaks the contract."""
    try:
        document = json.loads(run_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LandingError(f"unreadable run file: {exc}") from exc
    if not isinstance(document, dict):
        raise LandingError("run file is not a JSON object")
    run_id = check_name("run_id", document.get("run_id"))
    portal_id = check_name("portal_id", document.get("portal_id"))
    if run_file.parent.name != run_id or run_file.name != f"{portal_id}.run.json":
        raise LandingError(f"run file names {portal_id}/{run_id} but sits at {run_file}")
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


def _check_listings(path: Path, run_id: str, portal_id: str, con) -> int:
    """Refuse a listings file whose columns or run/portal ids do not match its run file.

    Returns its row count (read in the same pass as the check).
    """
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
    n_rows, foreign = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE run_id IS DISTINCT FROM ? "
        "OR portal_id IS DISTINCT FROM ? OR item_key IS NULL OR seen_at IS NULL) "
        "FROM read_parquet(?)",
        [run_id, portal_id, str(path)],
    ).fetchone()
    if foreign:
        raise LandingError(f"{path.name} has {foreign} rows of another run or portal, or without item_key/seen_at")
    return n_rows


@dataclass
class _Run:
    """A checked run waiting to be inserted: its `raw_runs` row and its listings file."""

    row: list
    run_file: Path
    listings: Path | None
    n_rows: int

    @property
    def ids(self) -> tuple[str, str]:
        return self.row[1], self.row[0]  # (run_id, portal_id)


def _insert_runs(con, runs: list[_Run]) -> None:
    """Fold the listings of every run into the sighting state in one pass and insert their
    run rows, atomically."""
    files = [str(run.listings) for run in runs if run.listings is not None]
    con.execute("BEGIN TRANSACTION")
    try:
        if files:
            merge_rows(con, files)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        placeholders = ", ".join("?" for _ in range(len(RUN_KEYS) + 1))
        con.executemany(
            f"INSERT INTO raw_runs ({', '.join(RUN_KEYS)}, loaded_at) VALUES ({placeholders})",
            [[*run.row, loaded_at] for run in runs],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert_accepted(con, runs: list[_Run], result: LoadResult) -> None:
    """Insert the checked runs in one go; if that fails, run by run, refusing the culprits.

    A file that passed the checks can still fail to insert (a damaged page inside it); it
    must not hold back every other portal's run, night after night.
    """
    try:
        _insert_runs(con, runs)
        inserted = runs
    except duckdb.Error:
        inserted = []
        for run in runs:
            try:
                _insert_runs(con, [run])
                inserted.append(run)
            except duckdb.Error as exc:
                result.rejected.append((str(run.run_file), f"insert failed: {exc}"))
    for run in inserted:
        result.runs_loaded.append(run.ids)
        result.rows_loaded += run.n_rows


def _check_run(con, run_file: Path) -> _Run:
    """Read and check one run file and its listings; raise `LandingError` saying why not."""
    row = _run_row(run_file)
    listings = run_file.with_name(f"{row[0]}.listings.parquet")
    if not listings.exists():
        return _Run(row, run_file, None, 0)
    return _Run(row, run_file, listings, _check_listings(listings, row[1], row[0], con))


def load_runs(con, run_files: list[Path], result: LoadResult) -> None:
    """Check every run file not yet loaded and load the accepted ones in one transaction."""
    loaded = set(con.execute("SELECT run_id, portal_id FROM raw_runs").fetchall())
    accepted: list[_Run] = []
    for run_file in run_files:
        if (run_file.parent.name, run_file.name.removesuffix(".run.json")) in loaded:
            continue
        try:
            accepted.append(_check_run(con, run_file))
        except (LandingError, ValueError, OSError, duckdb.Error) as exc:
            result.rejected.append((str(run_file), str(exc)))
    if accepted:
        _insert_accepted(con, accepted, result)


def finish_load(con, landing: Path, result: LoadResult) -> None:
    """The operators' decisions and the applications registers, whole, every time; the
    annual reports read by nights not loaded yet; listings files without a run file."""
    result.rejected += load_decisions(con, landing.parent)
    result.rejected += load_applications(con, landing.parent)
    result.rejected += load_reported(con, landing)
    for listings in sorted(landing.glob("*/*.listings.parquet")) if landing.is_dir() else []:
        stem = listings.name.removesuffix(".listings.parquet")
        if not listings.with_name(f"{stem}.run.json").exists():
            result.interrupted.append(str(listings))


def run_files_of(landing: Path) -> list[Path]:
    """Every run file under the landing directory, in run order."""
    return sorted(landing.glob("*/*.run.json")) if landing.is_dir() else []


def load(state_path: str | os.PathLike, data_dir: str | os.PathLike) -> LoadResult:
    """Load every whole landing run under `data_dir/landing` not yet in the state database.

    Each new run is checked first; a run that breaks the contract is refused with its reason
    (nothing of it is loaded; it is tried again next time). The accepted runs then go in
    together: their listings folded into the sighting state and their run rows inserted in
    one transaction, so a run is never half visible and a crash loads nothing. Listings
    without a run file are reported as interrupted and left alone. The operators' quarantine
    decisions are read from their file and replace `raw_quarantine_decisions`
    (warehouse/decisions.py), the
    applications registers `raw_applications` (warehouse/application_store.py).
    """
    result = LoadResult()
    landing = Path(data_dir) / "landing"
    con = connect(state_path)
    try:
        ensure_schema(con)
        load_runs(con, run_files_of(landing), result)
        finish_load(con, landing, result)
    finally:
        con.close()
    return result


def known_items(state_path: str | os.PathLike, portal_id: str) -> dict[str, str]:
    """The latest listing hash of every item the portal has shown, for incremental crawls
    (for many portals at once: `warehouse.portal_state.portal_states`)."""
    return portal_states(state_path, [portal_id])[portal_id].known


def last_complete_full_run(state_path: str | os.PathLike, portal_id: str) -> datetime | None:
    """When the portal's latest complete, successful full listing started (UTC), from raw_runs.

    The one answer to "when was this portal last listed in full": the warehouse's withdrawal
    rules read the same rows. The nightly flow loads every landing run right after the
    harvest, so raw_runs is current when the next night asks. A landing run never loaded
    (the build was interrupted, or the loader refused the run) does not count until a later
    load takes it: the portal is then listed in full again, which is the safe side.
    """
    return portal_states(state_path, [portal_id])[portal_id].last_full
