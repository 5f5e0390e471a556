"""Build the published warehouse: SQL models in order, checks, then an atomic file swap.

The build writes a new DuckDB file next to the published one, attaches the state database
read-only, runs every model of `MODELS` (one SQL file per table under `models/`, two steps
in Python over Arrow), runs every check under `checks/` (each must return zero rows), and
only then replaces the published file with `os.replace`. A failure at any point removes the
new file and leaves yesterday's published file as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.components import free_components, run_eligibility
from warehouse.db import connect
from warehouse.load import ensure_schema

_HERE = Path(__file__).parent
MODELS_DIR = _HERE / "models"
CHECKS_DIR = _HERE / "checks"
LEVELS = ("province", "city", "county")

#: Models computed where they are read (temporary views): a renaming of the state
#: database's rows, the sightings' latest states (read once, by int_sightings), a sighting
#: with its document key.
_VIEWS = ("stg_listings", "int_sighting_states", "int_document_keys")
#: Steps read by several models: temporary tables (memory, spilling to disk past the limit),
#: never written to the published file. fct_sightings, fct_documents and int_matches keep
#: what an analyst needs of them.
_TEMPORARY = (
    "int_listing_spans",
    "int_sightings",
    "int_match_groups",
    "int_components",
    "int_component_keys",
    "int_documents",
)


class BuildError(RuntimeError):
    """The build did not publish: bad config, a failed model or a failed check (with rows)."""


@dataclass
class BuildResult:
    """What a published build holds and how long each step took."""

    published_path: str
    n_sightings: int = 0
    n_documents: int = 0
    n_index_conflicts: int = 0
    n_unmatched_publishers: int = 0
    quarantined_runs: list[tuple[str, str]] = field(default_factory=list)  # (portal_id, run_id)
    seconds: dict[str, float] = field(default_factory=dict)  # per model and check, in order


def _build_run_eligibility(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """int_run_eligibility: which complete full listings may withdraw sightings (section 9)."""
    runs = con.sql(
        "SELECT portal_id, run_id, started_at FROM stg_runs "
        "WHERE mode = 'full' AND status = 'ok' AND is_complete"
    ).to_arrow_table()
    spans = con.sql(
        "SELECT portal_id, first_run_id, last_run_id, count(*) AS n FROM int_listing_spans "
        "GROUP BY ALL"
    ).to_arrow_table()
    return run_eligibility(runs, spans)


def _build_components(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """int_components: the components of sightings without index_no over their match groups."""
    groups = con.sql(
        "SELECT group_key, sighting_id FROM int_match_groups WHERE index_no IS NULL"
    ).to_arrow_table()
    return free_components(groups)


#: The models in build order: a name alone is `models/{name}.sql`; a pair is built in Python.
MODELS: tuple[str | tuple[str, Callable[[duckdb.DuckDBPyConnection], pa.Table]], ...] = (
    "stg_units",
    "stg_portals",
    "stg_runs",
    "stg_listings",
    "int_unit_names",
    "int_unit_ancestry",
    "int_listing_spans",
    "int_sighting_states",
    ("int_run_eligibility", _build_run_eligibility),
    "int_sightings",
    "int_match_groups",
    "int_matches",
    ("int_components", _build_components),
    "int_component_keys",
    "int_document_keys",
    "int_documents",
    "dim_units",
    "dim_portals",
    "fct_sightings",
    "fct_documents",
    "fct_totals",
    "fct_category_counts",
    "fct_portal_runs",
    "rpt_unmatched_publishers",
    "rpt_index_conflicts",
)


def _config_tables(units: list[dict], portals: list[dict]) -> tuple[pa.Table, pa.Table]:
    """Units and portals as Arrow tables, refused with a reason when they contradict."""
    unit_ids = [unit.get("id") for unit in units]
    if len(set(unit_ids)) != len(unit_ids) or None in unit_ids:
        raise BuildError(f"unit ids must be present and unique: {unit_ids}")
    known = set(unit_ids)
    for unit in units:
        if unit.get("level") not in LEVELS:
            raise BuildError(f"unit {unit['id']}: level {unit.get('level')!r} not in {LEVELS}")
        if unit.get("parent") is not None and unit["parent"] not in known:
            raise BuildError(f"unit {unit['id']}: parent {unit['parent']!r} is not a unit")
    _refuse_parent_cycles(units)
    portal_ids = [portal.get("id") for portal in portals]
    if len(set(portal_ids)) != len(portal_ids) or None in portal_ids:
        raise BuildError(f"portal ids must be present and unique: {portal_ids}")
    for portal in portals:
        if portal.get("unit") is not None and portal["unit"] not in known:
            raise BuildError(f"portal {portal['id']}: unit {portal['unit']!r} is not a unit")
    unit_schema = pa.schema(
        [(name, pa.string()) for name in ("id", "name", "level", "region", "parent")]
        + [("aliases", pa.list_(pa.string()))]
    )
    portal_schema = pa.schema(
        [
            (name, pa.string())
            for name in ("id", "name", "level", "region", "platform", "url", "unit", "details")
        ]
    )
    unit_rows = [
        {
            **{key: unit.get(key) for key in unit_schema.names},
            "aliases": list(unit.get("aliases") or []),
        }
        for unit in units
    ]
    portal_rows = [{key: portal.get(key) for key in portal_schema.names} for portal in portals]
    return (
        pa.Table.from_pylist(unit_rows, schema=unit_schema),
        pa.Table.from_pylist(portal_rows, schema=portal_schema),
    )


def _refuse_parent_cycles(units: list[dict]) -> None:
    """A unit may not be its own ancestor: systems would never end."""
    parents = {unit["id"]: unit.get("parent") for unit in units}
    for start in parents:
        seen, current = {start}, parents[start]
        while current is not None:
            if current in seen:
                raise BuildError(f"unit {start}: parent chain loops through {current}")
            seen.add(current)
            current = parents[current]


def _create(name: str) -> str:
    """The CREATE clause of a model: a view, a temporary table or a published table."""
    if name in _VIEWS:
        return f"CREATE TEMP VIEW {name}"
    return f"CREATE TEMP TABLE {name}" if name in _TEMPORARY else f"CREATE TABLE {name}"


def _run_models(con: duckdb.DuckDBPyConnection, seconds: dict[str, float]) -> None:
    """Create every model table in order; a failing model names itself."""
    for model in MODELS:
        started = time.perf_counter()
        name = model if isinstance(model, str) else model[0]
        try:
            if isinstance(model, str):
                sql = (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")
                con.execute(f"{_create(name)} AS {sql}")
            else:
                con.register(f"{name}_arrow", model[1](con))
                con.execute(f"{_create(name)} AS SELECT * FROM {name}_arrow")
                con.unregister(f"{name}_arrow")
        except duckdb.Error as exc:
            raise BuildError(f"model {name} failed: {exc}") from exc
        seconds[name] = round(time.perf_counter() - started, 3)


def run_checks(con: duckdb.DuckDBPyConnection, seconds: dict[str, float]) -> None:
    """Run every check; the first that returns rows fails the build with a sample of them."""
    for check in sorted(CHECKS_DIR.glob("*.sql")):
        started = time.perf_counter()
        cursor = con.execute(check.read_text(encoding="utf-8"))
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchmany(5)
        seconds[f"check:{check.stem}"] = round(time.perf_counter() - started, 3)
        if rows:
            sample = "; ".join(str(dict(zip(columns, row, strict=True))) for row in rows)
            raise BuildError(f"check {check.stem} failed: {sample}")


def _summary(con: duckdb.DuckDBPyConnection, result: BuildResult) -> None:
    """Fill the result's counts from the built tables."""
    result.n_sightings = con.execute("SELECT count(*) FROM fct_sightings").fetchone()[0]
    result.n_documents = con.execute("SELECT count(*) FROM fct_documents").fetchone()[0]
    result.n_index_conflicts = con.execute("SELECT count(*) FROM rpt_index_conflicts").fetchone()[0]
    result.n_unmatched_publishers = con.execute(
        "SELECT count(*) FROM rpt_unmatched_publishers"
    ).fetchone()[0]
    result.quarantined_runs = con.execute(
        "SELECT portal_id, run_id FROM fct_portal_runs WHERE is_quarantined ORDER BY ALL"
    ).fetchall()


def build(
    state_path: str | os.PathLike,
    published_path: str | os.PathLike,
    units: list[dict],
    portals: list[dict],
) -> BuildResult:
    """Build every model from the state database into a new file, check it, publish it.

    Raises `BuildError` (and leaves the published file untouched) when the config is
    inconsistent, a model fails or a check returns rows.
    """
    unit_table, portal_table = _config_tables(units, portals)
    published = Path(published_path)
    published.parent.mkdir(parents=True, exist_ok=True)
    building = published.with_name(f".{published.name}.building-{os.getpid()}")
    _remove(building)
    state = connect(state_path)
    try:
        ensure_schema(state)  # a warehouse with nothing loaded yet builds empty tables
    finally:
        state.close()
    result = BuildResult(published_path=str(published))
    con = connect(building)
    try:
        con.execute("ATTACH ? AS state (READ_ONLY)", [str(state_path)])
        for name, table in (("cfg_units", unit_table), ("cfg_portals", portal_table)):
            con.register(f"{name}_arrow", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
            con.unregister(f"{name}_arrow")
        _run_models(con, result.seconds)
        run_checks(con, result.seconds)
        _summary(con, result)
        con.execute("DETACH state")
        con.execute("CHECKPOINT")
        con.close()
        os.replace(building, published)
    except BaseException:
        con.close()
        _remove(building)
        raise
    return result


def _remove(path: Path) -> None:
    """Delete a (partial) build file and its write-ahead log if they exist."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def known_items(state_path: str | os.PathLike, portal_id: str) -> dict[str, str]:
    """The latest listing hash of every item the portal has shown, for incremental crawls."""
    if not Path(state_path).exists():
        return {}
    con = connect(state_path, read_only=True)
    try:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_listings'"
        ).fetchone()[0]
        if not exists:
            return {}
        rows = con.execute(
            "SELECT item_key, arg_max(listing_hash, (seen_at, run_id)) FROM raw_listings "
            "WHERE portal_id = ? GROUP BY item_key",
            [portal_id],
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


_TOTAL_KEYS = ("held", "official_held", "new", "official_new", "fulltext_held")


def totals(published_path: str | os.PathLike, system_id: str, year: int) -> dict:
    """The figures of one system and year as the JSON of DESIGN section 7.

    `levels` has `all` and every level holding documents; `categories` has, per level, the
    three schemes with their non-zero categories (未分类 whenever above zero).
    """
    con = connect(published_path, read_only=True)
    try:
        if not con.execute(
            "SELECT count(*) FROM dim_units WHERE unit_id = ?", [system_id]
        ).fetchone()[0]:
            raise KeyError(f"{system_id!r} is not a configured unit")
        rows = con.execute(
            f"SELECT level, {', '.join(_TOTAL_KEYS)} FROM fct_totals "
            "WHERE system_id = ? AND year = ? ORDER BY level",
            [system_id, year],
        ).fetchall()
        categories = con.execute(
            "SELECT level, scheme, category, n FROM fct_category_counts "
            "WHERE system_id = ? AND year = ? AND n > 0 ORDER BY level, scheme, n DESC, category",
            [system_id, year],
        ).fetchall()
    finally:
        con.close()
    levels = {row[0]: dict(zip(_TOTAL_KEYS, row[1:], strict=True)) for row in rows}
    levels.setdefault("all", dict.fromkeys(_TOTAL_KEYS, 0))
    by_level: dict[str, dict[str, dict[str, int]]] = {
        level: {"topic": {}, "function": {}, "audience": {}} for level in levels
    }
    for level, scheme, category, n in categories:
        by_level.setdefault(level, {"topic": {}, "function": {}, "audience": {}})
        by_level[level][scheme][category] = n
    ordered = ["all", *[level for level in LEVELS if level in levels]]
    return {
        "system": system_id,
        "year": year,
        "levels": {level: levels[level] for level in ordered},
        "categories": {level: by_level[level] for level in ordered},
    }
