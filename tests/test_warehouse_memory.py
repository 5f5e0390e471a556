"""The build's DuckDB memory comes from the config (`[warehouse] memory_limit`): a limit too
small for a step fails the build with DuckDB's reason and leaves nothing published, and a
small workable limit builds the same tables as the default (DuckDB spills the rest)."""

from __future__ import annotations

from datetime import date

import pytest
from helpers.warehouse import PORTALS, land, listing, load_and_build, night, query

from flows.config.model import MIN_BUILD_MEMORY, Warehouse
from warehouse.build import BuildError
from warehouse.db import memory_bytes
from warehouse.load import load

PORTAL = PORTALS[0]["id"]
ITEMS = 3000


def _world(data_dir) -> None:
    seen = night(date(2013, 1, 5))[1]
    rows = [
        listing(PORTAL, f"k{i}", seen, index_no=f"IDX-{i}", title=f"文件{i}", published_date=date(2012, 6, 1))
        for i in range(ITEMS)
    ]
    land(data_dir, date(2013, 1, 5), PORTAL, rows)


def _tables(published) -> list:
    return query(published, "SELECT item_key, title, index_no FROM fct_sightings ORDER BY item_key")


def test_a_small_limit_builds_what_the_default_builds_and_a_tiny_one_is_refused(tmp_path) -> None:
    _world(tmp_path / "default")
    published, _ = load_and_build(tmp_path / "default")
    _world(tmp_path / "small")
    small, _ = load_and_build(tmp_path / "small", memory_limit="256MB")
    assert len(_tables(small)) == ITEMS and _tables(small) == _tables(published)
    _world(tmp_path / "tiny")
    with pytest.raises(BuildError, match="Out of Memory"):
        load_and_build(tmp_path / "tiny", memory_limit="8MB")  # the limit reaches DuckDB
    assert not (tmp_path / "tiny" / "xxgk.duckdb").exists()  # nothing published


def test_memory_sizes_are_read_as_duckdb_reads_them() -> None:
    assert memory_bytes("512MB") == 512 * 10**6 and memory_bytes(" 1.5 GB ") == 1_500_000_000
    assert memory_bytes("2GiB") == 2 * 2**30 and memory_bytes("2gib") == 2 * 2**30
    assert memory_bytes("lots") is None and memory_bytes("2 GB extra") is None and memory_bytes("-1GB") is None


def test_the_load_takes_the_limit_too(tmp_path) -> None:
    _world(tmp_path / "tiny")
    tiny = load(tmp_path / "tiny" / "state.duckdb", tmp_path / "tiny", memory_limit="1MB")
    assert tiny.runs_loaded == [] and "Out of Memory" in tiny.rejected[0][1]  # the limit reaches DuckDB
    _world(tmp_path / "small")
    small = load(tmp_path / "small" / "state.duckdb", tmp_path / "small", memory_limit="256MB")
    assert small.rows_loaded == ITEMS and not small.rejected


def test_the_default_limit_is_the_least_a_build_may_have() -> None:
    assert memory_bytes(Warehouse().memory_limit) == MIN_BUILD_MEMORY
