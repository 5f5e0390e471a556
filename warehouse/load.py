"""Load whole landing sets into the `raw_` tables of the state database, once each (and the
operators' quarantine decisions, whole, at every load).

The load lists the run folders not yet compacted (warehouse/landing_sets.py) and takes only
the sets the manifest (warehouse/manifest.py) does not know. New sets are checked one by one,
then loaded together in one transaction: their listings folded in one pass from Parquet into
the sighting state (warehouse/state.py), their run rows and their manifest rows beside
them, so a half-loaded set is never visible and a set is in the manifest exactly when its
runs are in the state. `warehouse.rebuild.rebuild_state` folds every landing set again,
compacted parts included, into a new state database: the landing files are its archive.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.application_store import ensure_applications_schema, load_applications
from warehouse.db import MEMORY_LIMIT, connect
from warehouse.decisions import ensure_decisions_schema, load_decisions
from warehouse.landing import fsync_path
from warehouse.landing_check import RUN_ROW_SCHEMA, CheckedSet, check_sets
from warehouse.landing_sets import LandingSet, rel, uncompacted
from warehouse.manifest import LOADED, changed_files, ensure_manifest_schema, file_rows, record, uncompacted_entries
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
    interrupted: list[str] = field(default_factory=list)  # landing files without their marker
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (marker, reason)
    changed: list[tuple[str, str]] = field(default_factory=list)  # (loaded file, what changed)
    sets_recorded: int = 0  # sets whose runs were already in the state, now in the manifest


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
    ensure_manifest_schema(con)


def _insert(con, checked: list[CheckedSet]) -> None:
    """Fold the listings of every set into the sighting state in one pass and insert their run
    rows and manifest rows, atomically."""
    files = [str(c.landing_set.listings) for c in checked if c.landing_set.listings and not c.already_loaded]
    runs = [row for c in checked if not c.already_loaded for row in c.rows]
    con.execute("BEGIN TRANSACTION")
    try:
        if files:
            merge_rows(con, files)
        loaded_at = datetime.now(UTC).replace(tzinfo=None)
        if runs:
            columns = list(zip(*(run + [loaded_at] for run in runs), strict=True))
            new_runs = pa.table(dict(zip(RUN_ROW_SCHEMA.names, columns, strict=True)), schema=RUN_ROW_SCHEMA)
            con.register("new_runs", new_runs)
            try:
                con.execute(f"INSERT INTO raw_runs ({', '.join(RUN_ROW_SCHEMA.names)}) SELECT * FROM new_runs")
            finally:
                con.unregister("new_runs")
        record(con, pa.concat_tables([c.manifest for c in checked]))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert_accepted(con, checked: list[CheckedSet], result: LoadResult) -> None:
    """Insert the checked sets in one go; if that fails, set by set, refusing the culprits.

    A file that passed the checks can still fail to insert (a damaged page inside it); it
    must not hold back every other portal's run, night after night.
    """
    try:
        _insert(con, checked)
        inserted = checked
    except (duckdb.Error, pa.ArrowException):
        inserted = []
        for one in checked:
            try:
                _insert(con, [one])
                inserted.append(one)
            except (duckdb.Error, pa.ArrowException) as exc:
                result.rejected.append((str(one.landing_set.marker), f"insert failed: {exc}"))
    for one in inserted:
        if one.already_loaded:
            result.sets_recorded += 1
            continue
        result.runs_loaded += one.ids
        result.rows_loaded += one.n_rows


def loaded_among(con, checked: list[CheckedSet]) -> set[tuple[str, str]]:
    """Which of the checked sets' runs `raw_runs` already holds (asked for those run ids only)."""
    run_ids = sorted({run_id for c in checked for run_id, _ in c.ids})
    if not run_ids:
        return set()
    sql = "SELECT run_id, portal_id FROM raw_runs WHERE run_id IN (SELECT unnest(CAST(? AS VARCHAR[])))"
    return set(con.execute(sql, [run_ids]).fetchall())


def _sort_out(con, checked: list[CheckedSet], result: LoadResult) -> list[CheckedSet]:
    """The sets to insert: a set whose runs are all in the state already (loaded before the
    manifest existed) is only recorded; a set of which some are, or that repeats a run of
    another new set, is refused."""
    loaded, seen, accepted = loaded_among(con, checked), set(), []
    for c in checked:
        ids = set(c.ids)
        twice = sorted((ids & loaded) if not ids <= loaded else set()) or sorted(ids & seen)
        if twice:
            run_id, portal_id = twice[0]
            reason = f"run {portal_id}/{run_id} is already loaded from another landing file"
            result.rejected.append((str(c.landing_set.marker), reason))
            continue
        c.already_loaded = bool(ids) and ids <= loaded
        seen |= ids
        accepted.append(c)
    return accepted


def load_sets(con, landing: Path, sets: list[LandingSet], result: LoadResult, status: str = LOADED) -> None:
    """Check the given sets and load the accepted ones in one transaction, recording their
    files in the manifest with `status`."""
    checked, refused = check_sets(con, sets)
    result.rejected += refused
    accepted = _sort_out(con, checked, result)
    for c in accepted:
        c.manifest = file_rows(landing, [c.landing_set], status)
    for folder in {c.landing_set.marker.parent for c in accepted}:
        fsync_path(folder)  # batch files are renamed in unflushed: their names reach the disk now
    if accepted:
        fsync_path(landing)
        _insert_accepted(con, accepted, result)


def finish_load(con, landing: Path, result: LoadResult, loose: list[Path]) -> None:
    """The operators' decisions and the applications registers, whole, every time; the
    annual reports read by nights not loaded yet; the landing files no marker vouches for."""
    result.rejected += load_decisions(con, landing.parent)
    result.rejected += load_applications(con, landing.parent)
    result.rejected += load_reported(con, landing)
    result.interrupted += [str(path) for path in loose]


def load(state_path: str | os.PathLike, data_dir: str | os.PathLike, memory_limit: str = MEMORY_LIMIT) -> LoadResult:
    """Load every whole landing set under `data_dir/landing` the manifest does not know.

    Each new set is checked first; a set that breaks the contract is refused with its reason
    (nothing of it is loaded; it is tried again next time). The accepted sets then go in
    together: their listings folded into the sighting state, their run rows and manifest
    rows inserted in one transaction, so a run is never half visible and a crash loads
    nothing. Landing files without their marker are reported as interrupted and left alone;
    loaded files changed since are reported. The operators' quarantine decisions are read
    from their file and replace `raw_quarantine_decisions` (warehouse/decisions.py), the
    applications registers `raw_applications` (warehouse/application_store.py).
    `memory_limit` bounds DuckDB's memory (`[warehouse] memory_limit`); it spills the rest.
    """
    result = LoadResult()
    landing = Path(data_dir) / "landing"
    con = connect(state_path, memory_limit=memory_limit)
    try:
        ensure_schema(con)
        known = uncompacted_entries(con)
        sets, loose = uncompacted(landing)
        load_sets(con, landing, [s for s in sets if rel(landing, s.marker) not in known], result)
        known_files = {path for files in known.values() for path, *_ in files}
        finish_load(con, landing, result, [p for p in loose if rel(landing, p) not in known_files])
        result.changed = changed_files(landing, known)
    finally:
        con.close()
    return result


def load_reported_readings(
    state_path: str | os.PathLike, data_dir: str | os.PathLike, memory_limit: str = MEMORY_LIMIT
) -> list[tuple[str, str]]:
    """Load only the annual reports' readings landed since the last load, and return the
    refused files with their reasons: for a night that read reports after its load, whose
    other landing files are loaded already."""
    con = connect(state_path, memory_limit=memory_limit)
    try:
        ensure_schema(con)
        return load_reported(con, Path(data_dir) / "landing")
    finally:
        con.close()


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
