"""The models and their order, found from the model files themselves.

A model is `models/NAME.sql` or `models/NAME.py`. An SQL model opens with a header comment:

    -- grain: one row per document
    -- materialized: table | temp | view
    -- inputs: int_components        (optional: inputs the SQL does not show)

and holds one SELECT statement (the build writes the CREATE). Its inputs are the base tables
DuckDB's own parser finds in it once its field placeholders are expanded as the build
expands them (`json_serialize_sql`): every table read anywhere, in FROM lists with commas,
joins, subqueries, set operations, lateral joins and table function arguments, except the
names of its CTEs where they are in scope; plus any `inputs:` line. A Python model declares `GRAIN`,
`MATERIALIZED` and `INPUTS` and has `build(con) -> pyarrow.Table`. Every input must be
another model or a source (`SOURCES`: the state database's raw_ tables, the config
tables and settings, the previous doc_id registry; and the seeds, `seed_NAME` for every
`seeds/NAME.csv`, which the build passes in: warehouse/seed_loader.py); the models are run in
a topological order of their inputs, and a cycle or an unknown input is refused with its name
before anything runs.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import duckdb

from warehouse.fields import TemplateError, expand

#: Tables a model may read that no model makes: the attached state database, the config, the
#: doc_id registry and the figures' history of the previously published file
#: (warehouse/registry.py, warehouse/history.py).
SOURCES = frozenset(
    {
        "state.raw_sightings",
        "state.raw_sighting_details",
        "state.raw_runs",
        "state.raw_quarantine_decisions",
        "state.raw_applications",
        "state.raw_reported_reads",
        "state.raw_reported_figures",
        "cfg_units",
        "cfg_portals",
        "cfg_settings",
        "prev_sighting_doc_ids",
        "prev_doc_ids",
        "prev_totals_history",
    }
)
#: table: published; temp: a temporary table of the build; view: computed where it is read.
MATERIALIZATIONS = ("table", "temp", "view")

_HEADER = re.compile(r"^--\s*(grain|materialized|inputs)\s*:\s*(.*?)\s*$")


class ModelError(ValueError):
    """The models cannot be ordered: a cycle, an unknown input or a bad header."""


@dataclass(frozen=True)
class Model:
    """One model: its name, what it reads, how it is kept, and its SQL or Python step."""

    name: str
    grain: str
    materialized: str
    inputs: tuple[str, ...]
    sql: str | None = None
    build: Callable | None = None


def sql_references(sql: str, where: str = "model", con: duckdb.DuckDBPyConnection | None = None) -> set[str]:
    """The tables one SELECT statement reads, as DuckDB parses it (CTE names in scope aside).

    A text DuckDB cannot serialize (not one SELECT, or not SQL) is refused with its reason:
    a model whose inputs cannot be read would run out of order. `con` is any DuckDB
    connection to parse with (opening one costs milliseconds; one serves every model).
    """
    if con is None:
        with duckdb.connect() as own:
            return sql_references(sql, where, own)
    parsed = json.loads(con.execute("SELECT json_serialize_sql(?::VARCHAR)", [sql]).fetchone()[0])
    if parsed["error"]:
        raise ModelError(f"{where}: cannot be read as one SELECT statement: {parsed['error_message']}")
    if len(parsed["statements"]) != 1:
        raise ModelError(f"{where}: holds {len(parsed['statements'])} statements, not one SELECT")
    found: set[str] = set()
    _walk(parsed["statements"][0]["node"], frozenset(), found)
    return found


def _walk(node: object, ctes: frozenset[str], found: set[str]) -> None:
    """Add to `found` every base table under `node` that is not a CTE name in scope."""
    if isinstance(node, list):
        for item in node:
            _walk(item, ctes, found)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "BASE_TABLE":
        name = ".".join(part for part in (node["catalog_name"], node["schema_name"], node["table_name"]) if part)
        if name.lower() not in ctes:
            found.add(name)
        return
    if "cte_map" in node:
        ctes = _walk_ctes(node["cte_map"]["map"], ctes, found)
    for key, value in node.items():
        if key != "cte_map":
            _walk(value, ctes, found)


def _walk_ctes(entries: list[dict], ctes: frozenset[str], found: set[str]) -> frozenset[str]:
    """Walk a WITH clause; return the names in scope for its body.

    A CTE sees the CTEs before it, and itself only when recursive: without RECURSIVE a CTE
    named like a table reads that table.
    """
    for entry in entries:
        name, query = entry["key"].lower(), entry["value"]["query_node"]
        own = {name} if query.get("type") == "RECURSIVE_CTE_NODE" else set()
        _walk(query, ctes | own, found)
        ctes = ctes | {name}
    return ctes


def _header(sql: str, path: Path) -> dict[str, str]:
    """The `-- key: value` lines of the leading comment block."""
    header: dict[str, str] = {}
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER.match(line)
        if match:
            header[match.group(1)] = match.group(2)
    for key in ("grain", "materialized"):
        if not header.get(key):
            raise ModelError(f"{path.name}: the header lacks '-- {key}: ...'")
    return header


@functools.lru_cache(maxsize=1)
def _parser() -> duckdb.DuckDBPyConnection:
    """The process's in-memory connection that parses the models (opening one takes longer
    than parsing a model: a connection each made finding the order a second's work)."""
    return duckdb.connect()


_PARSING = threading.Lock()  # a DuckDB connection serves one thread at a time


@functools.lru_cache(maxsize=1024)
def _references_of(rendered: str, where: str) -> frozenset[str]:
    """`sql_references` of one model's expanded SQL, remembered by its text.

    A process builds many times from the same files (every night of a long run, the tests'
    hundreds of builds), and parsing every model again was a third of a small build's time;
    keyed by the text itself, an edited model is parsed afresh.
    """
    with _PARSING:
        return frozenset(sql_references(rendered, where, _parser()))


def _sql_model(path: Path) -> Model:
    """An SQL model from its file: header, inputs from its parsed SQL and `inputs:` line."""
    sql = path.read_text(encoding="utf-8")
    header = _header(sql, path)
    declared = {name.strip() for name in header.get("inputs", "").split(",") if name.strip()}
    where = f"model {path.stem}"
    try:
        rendered = expand(sql, where)
    except TemplateError as exc:
        raise ModelError(str(exc)) from None
    inputs = tuple(sorted(_references_of(rendered, where) | declared))
    return Model(path.stem, header["grain"], header["materialized"], inputs, sql=sql)


def _python_model(path: Path) -> Model:
    """A Python model: a module with GRAIN, MATERIALIZED, INPUTS and build(con)."""
    spec = importlib.util.spec_from_file_location(f"_xxgk_model_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ModelError(f"{path.name}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [key for key in ("GRAIN", "MATERIALIZED", "INPUTS", "build") if not hasattr(module, key)]
    if missing:
        raise ModelError(f"{path.name}: lacks {', '.join(missing)}")
    inputs = tuple(sorted(module.INPUTS))
    return Model(path.stem, module.GRAIN, module.MATERIALIZED, inputs, build=module.build)


def discover(models_dir: Path) -> dict[str, Model]:
    """Every model of the folder by name; a name given twice (.sql and .py) is refused."""
    models: dict[str, Model] = {}
    for path in sorted(models_dir.glob("*.sql")) + sorted(models_dir.glob("[!_]*.py")):
        _add(models, _sql_model(path) if path.suffix == ".sql" else _python_model(path))
    return models


def _add(models: dict[str, Model], model: Model) -> None:
    """Add one model to the folder's, refusing a second of a name or an unknown materialization."""
    if model.name in models:
        raise ModelError(f"model {model.name} is defined twice")
    if model.materialized not in MATERIALIZATIONS:
        raise ModelError(
            f"model {model.name}: materialized {model.materialized!r} is not one of {', '.join(MATERIALIZATIONS)}"
        )
    models[model.name] = model


def build_order(models: dict[str, Model], seeds: Collection[str] = ()) -> list[Model]:
    """The models in an order where each comes after all its inputs (ties by name); `seeds`
    are the seed tables the build loads first (sources, like `SOURCES`)."""
    sources = SOURCES | set(seeds)
    for model in models.values():
        unknown = [name for name in model.inputs if name not in models and name not in sources]
        if unknown:
            raise ModelError(
                f"model {model.name} reads {', '.join(unknown)}, which is neither a model "
                f"nor a source ({', '.join(sorted(sources))})"
            )
    graph = {name: [i for i in model.inputs if i in models] for name, model in sorted(models.items())}
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        raise ModelError(f"models read each other in a cycle: {' -> '.join(exc.args[1])}") from None
    order: list[Model] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += [models[name] for name in ready]
        sorter.done(*ready)
    return order
