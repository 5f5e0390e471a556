"""Build again only what new rows of some state tables change, in a copy of the published file.

A night that reads annual reports lands their rows after its build has published, and those
rows feed a handful of models (`fct_annual_reports` and what reads it). Building every model
again for them cost a second whole build a night. `refresh` copies the published file, makes
again each model downstream of the changed tables, with the temporary tables and views those
models read (a published file keeps only its tables), runs the checks that read a model it
made, and publishes the copy the way the build does. Every other table is the build's own,
from the same state, so the file equals what a whole build of that state publishes.

A model that needs what only a whole build has (the previous file's registry or history,
read into temporary tables before the models run) cannot be made this way: `refresh` refuses
with `RefreshError`, and the caller builds in full.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection
from pathlib import Path

import duckdb

from warehouse.build import (
    CHECKS_DIR,
    BuildResult,
    models_in_order,
    remove_build,
    run_checks,
    run_models,
    summarise,
)
from warehouse.dag import Model, sql_references
from warehouse.db import MEMORY_LIMIT, connect
from warehouse.landing import fsync_path

#: What a whole build reads into its connection before the models run and never stores: a
#: model reading one of these cannot be made in a copy of the published file.
BUILD_ONLY = frozenset({"prev_sighting_doc_ids", "prev_doc_ids", "prev_totals_history"})


class RefreshError(RuntimeError):
    """The changed tables feed a model only a whole build can make; the message names it."""


def models_to_make(models: list[Model], changed: Collection[str]) -> list[Model]:
    """The models downstream of the `changed` sources, and the temporary tables and views they
    read (recursively: a published file holds none of them), in build order."""
    by_name = {m.name: m for m in models}
    stale = set(changed)
    for model in models:  # build order: a model's inputs come before it
        if stale.intersection(model.inputs):
            stale.add(model.name)
    wanted = {name for name in stale if name in by_name}
    todo = list(wanted)
    while todo:
        for name in by_name[todo.pop()].inputs:
            if name in BUILD_ONLY:
                raise RefreshError(f"{', '.join(sorted(wanted))} read {name}, which only a whole build reads")
            if name in by_name and by_name[name].materialized != "table" and name not in wanted:
                wanted.add(name)
                todo.append(name)
    return [m for m in models if m.name in wanted]


def _checks_reading(names: set[str]) -> list[Path]:
    """The checks that read any of `names`: every other check read only tables left as the
    build that published them checked them."""
    with duckdb.connect() as parser:
        return [
            check
            for check in sorted(CHECKS_DIR.glob("*.sql"))
            if sql_references(check.read_text(encoding="utf-8"), f"check {check.stem}", parser) & names
        ]


def refresh(
    state_path: str | os.PathLike,
    published_path: str | os.PathLike,
    changed: Collection[str],
    memory_limit: str = MEMORY_LIMIT,
) -> BuildResult:
    """Make again, in a copy of the published file, every model the `changed` state tables
    (`state.raw_…`) feed; check it; publish it atomically. Raises `RefreshError` when a whole
    build is needed instead (nothing published, or a model only it can make), `BuildError`
    when a model or a check fails (the published file stays as it was)."""
    published = Path(published_path)
    if not published.exists():
        raise RefreshError("nothing is published yet")
    to_make = models_to_make(models_in_order(), changed)
    made = {m.name for m in to_make}
    checks = _checks_reading(made)
    building = published.with_name(f".{published.name}.building-{os.getpid()}")
    remove_build(building)
    result = BuildResult(published_path=str(published))
    try:
        shutil.copyfile(published, building)
        con = connect(building, memory_limit=memory_limit)
        try:
            result.threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
            con.execute("ATTACH ? AS state (READ_ONLY)", [str(state_path)])
            _make(con, to_make, result.seconds)
            run_checks(con, result.seconds, checks)
            summarise(con, result)
            con.execute("DETACH state")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(building, published)
    except BaseException:
        remove_build(building)
        raise
    fsync_path(published.parent)
    return result


def _make(con: duckdb.DuckDBPyConnection, models: list[Model], seconds: dict[str, float]) -> None:
    """Drop each stored model to make (what reads a table first), then make every one again."""
    for model in reversed(models):
        if model.materialized == "table":
            con.execute(f"DROP TABLE {model.name}")
    run_models(con, seconds, models=models)
