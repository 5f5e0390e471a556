"""Build the published warehouse: the models in the order of their inputs, checks, then an
atomic file swap.

The build writes a new DuckDB file next to the published one, attaches the state database
read-only, lays out the configured units and portals as `cfg_` tables, loads every CSV of
`seeds/` as a `seed_` table (warehouse/seed_loader.py), reads the doc_id
registry of the published file (warehouse/registry.py), runs every model
under `models/` after the models it reads (warehouse/dag.py: one SQL or Python file per
table, its header saying how it is kept), runs every check under `checks/` (each must
return zero rows), and only then replaces the published file with `os.replace` (and flushes
the folder, so the rename is on the disk). A failure at any point removes the new file and
leaves yesterday's published file as it was; a killed build leaves it behind, for the next
run to remove (`remove_stale_builds`).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.config_tables import config_tables, settings_table
from warehouse.dag import Model, ModelError, build_order, discover
from warehouse.db import MEMORY_LIMIT, connect, remove_spill_dir
from warehouse.fields import TemplateError, expand
from warehouse.history import HistoryError, read_previous_history
from warehouse.landing import fsync_path
from warehouse.load import ensure_schema, known_items
from warehouse.rank import RankLimitError, check_rank_limits, macros_sql
from warehouse.registry import RegistryError, read_previous_registry
from warehouse.seed_loader import SEEDS_DIR, SeedError, load_seeds, seed_files
from warehouse.totals import totals

__all__ = [
    "BuildError",
    "BuildResult",
    "build",
    "known_items",
    "remove_build",
    "remove_stale_builds",
    "run_checks",
    "run_models",
    "summarise",
    "totals",
]

_HERE = Path(__file__).parent
#: DuckDB shares a table's scan among its threads by row groups of this many rows: a state
#: of fewer sightings gives a build's threads nothing to share, only their scheduling to pay
#: for. Measured, the demo world (about 3,000 sightings) builds in 1.09 s on one thread
#: against 1.20 s on two, with a fifth less CPU; at 200,000 sightings two are faster.
ROW_GROUP_ROWS = 122_880
MODELS_DIR = _HERE / "models"
CHECKS_DIR = _HERE / "checks"

_CREATE = {"view": "CREATE TEMP VIEW", "temp": "CREATE TEMP TABLE", "table": "CREATE TABLE"}


class BuildError(RuntimeError):
    """The build did not publish: bad models, a failed model or a failed check (with rows)."""


@dataclass
class BuildResult:
    """What a published build holds and how long each step took."""

    published_path: str
    n_sightings: int = 0
    n_documents: int = 0
    n_index_conflicts: int = 0
    n_unmatched_publishers: int = 0
    n_undated_documents: int = 0  # counted under the date first seen (rpt_undated_documents)
    n_uncounted_documents: int = 0  # left out of the counts (rpt_uncounted_documents)
    n_unknown_values: int = 0  # field × value pairs no vocabulary seed maps (rpt_unknown_vocabulary)
    # the pending quarantines (docs/withdrawal.md): (portal_id, run_id), and each as a dict of
    # fct_portal_runs' portal_id, run_id, n_listed_before, n_would_withdraw, n_confirmations,
    # first_missed_run_id
    quarantined_runs: list[tuple[str, str]] = field(default_factory=list)
    pending_quarantines: list[dict] = field(default_factory=list)
    # rpt_held_drops: the held figures that fell tonight by more than the configured share
    held_drops: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per model and check, in order
    threads: int = 0  # DuckDB's threads for the build (one below a row group of sightings)


def models_in_order(models_dir: Path | None = None) -> list[Model]:
    """The models of the folder (`MODELS_DIR`), each after its inputs (the seeds of `SEEDS_DIR`
    are sources); refused with the reason otherwise."""
    try:
        return build_order(discover(models_dir or MODELS_DIR), seeds=seed_files(SEEDS_DIR))
    except (ModelError, SeedError) as exc:
        raise BuildError(str(exc)) from exc


def _run_model(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Create one model's view or table: its expanded SQL, or its Python step's Arrow table."""
    create = f"{_CREATE[model.materialized]} {model.name}"
    if model.sql is not None:
        con.execute(f"{create} AS {expand(model.sql, f'model {model.name}')}")
        return
    con.register(f"{model.name}_arrow", model.build(con))
    con.execute(f"{create} AS SELECT * FROM {model.name}_arrow")
    con.unregister(f"{model.name}_arrow")


def run_models(
    con: duckdb.DuckDBPyConnection,
    seconds: dict[str, float],
    models_dir: Path | None = None,
    models: list[Model] | None = None,
) -> None:
    """Create every model (or `models`, in build order) after its inputs, in one transaction;
    a failing model names itself.

    One commit instead of one per table: each commit writes and flushes the write-ahead log,
    about a tenth of a small build's time.
    """
    con.execute(macros_sql())
    con.execute("BEGIN TRANSACTION")
    for model in models_in_order(models_dir) if models is None else models:
        started = time.perf_counter()
        try:
            _run_model(con, model)
        except (duckdb.Error, TemplateError) as exc:
            con.execute("ROLLBACK")
            raise BuildError(f"model {model.name} failed: {exc}") from exc
        seconds[model.name] = round(time.perf_counter() - started, 3)
    con.execute("COMMIT")


def run_checks(con: duckdb.DuckDBPyConnection, seconds: dict[str, float], checks: list[Path] | None = None) -> None:
    """Run every check (or `checks`); the first that returns rows fails the build with a
    sample of them."""
    for check in sorted(CHECKS_DIR.glob("*.sql")) if checks is None else checks:
        started = time.perf_counter()
        cursor = con.execute(check.read_text(encoding="utf-8"))
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchmany(5)
        seconds[f"check:{check.stem}"] = round(time.perf_counter() - started, 3)
        if rows:
            sample = "; ".join(str(dict(zip(columns, row, strict=True))) for row in rows)
            raise BuildError(f"check {check.stem} failed: {sample}")


def summarise(con: duckdb.DuckDBPyConnection, result: BuildResult) -> None:
    """Fill the result's counts from the built tables."""
    result.n_sightings = con.execute("SELECT count(*) FROM fct_sightings").fetchone()[0]
    result.n_documents = con.execute("SELECT count(*) FROM fct_documents").fetchone()[0]
    result.n_index_conflicts = con.execute("SELECT count(*) FROM rpt_index_conflicts").fetchone()[0]
    result.n_unmatched_publishers = con.execute("SELECT count(*) FROM rpt_unmatched_publishers").fetchone()[0]
    result.n_undated_documents = con.execute("SELECT count(*) FROM rpt_undated_documents").fetchone()[0]
    result.n_uncounted_documents = con.execute("SELECT count(*) FROM rpt_uncounted_documents").fetchone()[0]
    result.n_unknown_values = con.execute(
        "SELECT count(DISTINCT (field, value)) FROM rpt_unknown_vocabulary"
    ).fetchone()[0]
    cursor = con.execute(
        "SELECT portal_id, run_id, n_listed_before, n_would_withdraw, n_confirmations, "
        "first_missed_run_id FROM fct_portal_runs WHERE is_quarantine_pending ORDER BY ALL"
    )
    columns = [column[0] for column in cursor.description]
    result.pending_quarantines = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    result.quarantined_runs = [(row["portal_id"], row["run_id"]) for row in result.pending_quarantines]
    cursor = con.execute("SELECT * EXCLUDE (run_id) FROM rpt_held_drops ORDER BY ALL")
    columns = [column[0] for column in cursor.description]
    result.held_drops = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _check_limits(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse, before any model runs, a state the packed rank cannot hold (warehouse/rank.py).

    Every portal with sightings has a run row, so the portals of raw_runs bound those ranked.
    """
    n_portals = con.execute("SELECT count(DISTINCT portal_id) FROM state.raw_runs").fetchone()[0]
    try:
        check_rank_limits(n_portals)
    except RankLimitError as exc:
        raise BuildError(str(exc)) from exc


def _publish(con: duckdb.DuckDBPyConnection, state_path, units, portals, settings, result) -> None:
    """Everything between opening the new file and closing it: config, the previous doc_id
    registry and history, models, checks."""
    con.execute("ATTACH ? AS state (READ_ONLY)", [str(state_path)])
    tables = (*config_tables(units, portals), settings_table(**settings))
    for name, table in zip(("cfg_units", "cfg_portals", "cfg_settings"), tables, strict=True):
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
    try:
        load_seeds(con, SEEDS_DIR)
    except SeedError as exc:
        raise BuildError(f"seed refused: {exc}") from exc
    _check_limits(con)
    try:
        read_previous_registry(con, Path(result.published_path))
        read_previous_history(con, Path(result.published_path))
    except (RegistryError, HistoryError) as exc:
        raise BuildError(str(exc)) from exc
    run_models(con, result.seconds)
    run_checks(con, result.seconds)
    summarise(con, result)
    con.execute("DETACH state")
    con.execute("CHECKPOINT")


def build(
    state_path: str | os.PathLike,
    published_path: str | os.PathLike,
    units: list[dict],
    portals: list[dict],
    memory_limit: str = MEMORY_LIMIT,
    **settings: float,
) -> BuildResult:
    """Build every model from the state database into a new file, check it, publish it.

    `units` and `portals` are the validated config (flows/config/model.py); `settings` the plain
    values of `cfg_settings` (warehouse/config_tables.py: quarantine_release_listings,
    removed_portal_grace_days), their defaults when not given. `memory_limit` bounds DuckDB's
    memory for the build (`[warehouse] memory_limit`): past it, DuckDB spills to the folder
    beside the file being built, which is removed with it. Raises `BuildError`
    (and leaves the published file untouched) when the models cannot be ordered, the state
    overflows the packed rank, a model fails or a check returns rows.
    """
    models_in_order()  # a cycle or an unknown input is refused before any file is written
    published = Path(published_path)
    published.parent.mkdir(parents=True, exist_ok=True)
    building = published.with_name(f".{published.name}.building-{os.getpid()}")
    remove_build(building)
    state = connect(state_path, memory_limit=memory_limit)
    try:
        ensure_schema(state)  # a warehouse with nothing loaded yet builds empty tables
        n_sightings = state.execute("SELECT count(*) FROM raw_sightings").fetchone()[0]
    finally:
        state.close()
    result = BuildResult(published_path=str(published))
    con = connect(building, memory_limit=memory_limit)
    try:
        if n_sightings < ROW_GROUP_ROWS:
            con.execute("SET threads = 1")
        result.threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        _publish(con, state_path, units, portals, settings, result)
        con.close()
        os.replace(building, published)
    except BaseException:
        con.close()
        remove_build(building)
        raise
    fsync_path(published.parent)  # the rename itself survives a power cut
    return result


def remove_build(path: Path) -> None:
    """Delete a (partial) build file, its write-ahead log and DuckDB's spill folder."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)
    remove_spill_dir(path)


def remove_stale_builds(published_path: str | os.PathLike) -> list[Path]:
    """Delete what killed builds left beside the published file; return it.

    A build killed before its `os.replace` leaves `.{name}.building-{pid}` (with perhaps its
    `.wal` and its `.tmp` spill folder). Only for a caller that knows no build is running
    (the nightly run's lock): the published file itself is never touched.
    """
    published = Path(published_path)
    stale = sorted(published.parent.glob(f".{published.name}.building-*"))
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return stale
