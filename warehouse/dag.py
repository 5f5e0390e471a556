"""The models and their order, found from the model files themselves.

A model is `models/NAME.sql` or `models/NAME.py`. An SQL model opens with a header comment:

    -- grain: one row per document
    -- materialized: table | temp | view
    -- inputs: int_components        (optional: inputs the SQL does not show)

and its inputs are the tables its FROM and JOIN clauses name (CTE names and table
functions aside), plus any `inputs:` line. A Python model declares `GRAIN`,
`MATERIALIZED` and `INPUTS` and has `build(con) -> pyarrow.Table`. Every input must be
another model or a source (`SOURCES`: the state database's raw_ tables, the config
tables and settings, the previous doc_id registry; and the seeds, `seed_NAME` for every
`seeds/NAME.csv`, which the build passes in: warehouse/seed_loader.py); the models are run in
a topological order of their inputs, and a cycle or an unknown input is refused with its name
before anything runs.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

#: Tables a model may read that no model makes: the attached state database, the config, the
#: doc_id registry of the previously published file (warehouse/registry.py).
SOURCES = frozenset(
    {
        "state.raw_sightings",
        "state.raw_sighting_details",
        "state.raw_runs",
        "state.raw_quarantine_decisions",
        "state.raw_applications",
        "cfg_units",
        "cfg_portals",
        "cfg_settings",
        "prev_sighting_doc_ids",
        "prev_doc_ids",
    }
)
#: table: published; temp: a temporary table of the build; view: computed where it is read.
MATERIALIZATIONS = ("table", "temp", "view")

_HEADER = re.compile(r"^--\s*(grain|materialized|inputs)\s*:\s*(.*?)\s*$")
_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")
_REFERENCE = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)\b(?!\s*\()", re.IGNORECASE)
_CTE = re.compile(r"\b([A-Za-z_]\w*)\s*(?:\([^()]*\))?\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", re.IGNORECASE)


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


def sql_references(sql: str) -> set[str]:
    """The tables an SQL text reads: FROM and JOIN targets that are not its own CTEs."""
    text = _STRING.sub("''", _COMMENT.sub("", sql))
    ctes = {name.lower() for name in _CTE.findall(text)}
    return {name for name in _REFERENCE.findall(text) if name.lower() not in ctes}


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


def _sql_model(path: Path) -> Model:
    """An SQL model from its file: header, inputs from its FROM/JOIN and `inputs:` line."""
    sql = path.read_text(encoding="utf-8")
    header = _header(sql, path)
    declared = {name.strip() for name in header.get("inputs", "").split(",") if name.strip()}
    inputs = tuple(sorted(sql_references(sql) | declared))
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
        model = _sql_model(path) if path.suffix == ".sql" else _python_model(path)
        if model.name in models:
            raise ModelError(f"model {model.name} is defined twice")
        if model.materialized not in MATERIALIZATIONS:
            raise ModelError(
                f"model {model.name}: materialized {model.materialized!r} is not one of {', '.join(MATERIALIZATIONS)}"
            )
        models[model.name] = model
    return models


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
