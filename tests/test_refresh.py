"""Making again only what new state rows change (warehouse/refresh.py): which models a refresh
makes, worked out on a small graph by hand; and on the demo world's state, a file published
before the night's annual reports were loaded, refreshed, equals a whole build of the state
with them, table by table and row by row."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from helpers.demo_world import CONFIG

from flows.config.load import load_config
from flows.night.publish import REPORTED_TABLES, build_with
from warehouse.dag import Model
from warehouse.refresh import RefreshError, models_to_make, refresh


def _model(name: str, materialized: str, *inputs: str) -> Model:
    return Model(name=name, grain="one row per test", materialized=materialized, inputs=inputs, sql="SELECT 1")


# s (a source) feeds b; b and t (a temp table that p, a view, feeds) feed c; c feeds d.
# a and e read only unchanged inputs.
GRAPH = [
    _model("a", "table", "state.other"),
    _model("p", "view", "state.other"),
    _model("t", "temp", "p", "a"),
    _model("b", "view", "state.s"),
    _model("c", "table", "b", "t", "a"),
    _model("d", "table", "c"),
    _model("e", "table", "a"),
]


def test_a_refresh_makes_what_the_changed_source_feeds_and_the_unstored_tables_those_read():
    made = [m.name for m in models_to_make(GRAPH, ["state.s"])]
    # b, c, d read s (b directly); c also reads t, a temporary table, which reads the view p:
    # neither is in a published file. a is stored and unchanged; e reads only a.
    assert made == ["p", "t", "b", "c", "d"]
    assert models_to_make(GRAPH, ["state.unread"]) == []


def test_a_refresh_needing_what_only_a_whole_build_reads_is_refused():
    graph = [*GRAPH, _model("f", "table", "d", "prev_doc_ids")]
    with pytest.raises(RefreshError, match="prev_doc_ids"):
        models_to_make(graph, ["state.s"])


def _differences(left: Path, right: Path) -> dict[str, int]:
    """Rows of each table in one file and not the other (as multisets), and tables only one has."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS l (READ_ONLY)", [str(left)])
    con.execute("ATTACH ? AS r (READ_ONLY)", [str(right)])
    names = {
        side: {
            t
            for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [side]).fetchall()
        }
        for side in ("l", "r")
    }
    found = {f"only in {side}: {t}": 1 for side in names for t in names[side] - names["r" if side == "l" else "l"]}
    for table in sorted(names["l"] & names["r"]):
        for a, b in (("l", "r"), ("r", "l")):
            n = con.execute(f"SELECT count(*) FROM (FROM {a}.{table} EXCEPT ALL FROM {b}.{table})").fetchone()[0]
            if n:
                found[f"{table}: {n} rows only in {a}"] = n
    con.close()
    return found


def test_a_refreshed_file_equals_a_whole_build_of_the_state(demo_world, tmp_path):
    config = load_config(demo_world / CONFIG)
    state = tmp_path / "state.duckdb"
    shutil.copyfile(config.warehouse.state_path, state)
    before = tmp_path / "before-reports.duckdb"  # the state as the night's build saw it
    shutil.copyfile(state, tmp_path / "unread.duckdb")
    with duckdb.connect(str(tmp_path / "unread.duckdb")) as con:
        read = con.execute("SELECT count(*) FROM raw_reported_figures").fetchone()[0]
        assert read > 0  # the demo world's night read its reports
        for table in REPORTED_TABLES:
            con.execute(f"DELETE FROM {table.removeprefix('state.')}")
    build_with(config, tmp_path / "unread.duckdb", before)
    whole = tmp_path / "whole.duckdb"
    build_with(config, state, whole)
    assert _differences(before, whole)  # the reports' rows change the published tables

    result = refresh(state, before, REPORTED_TABLES, memory_limit=config.warehouse.memory_limit)
    assert _differences(before, whole) == {}
    made = {name for name in result.seconds if not name.startswith("check:")}
    assert "fct_reported_figures" in made and "fct_documents" not in made  # not a whole build
    with duckdb.connect(str(whole), read_only=True) as con:
        assert result.n_documents == con.execute("SELECT count(*) FROM fct_documents").fetchone()[0]
