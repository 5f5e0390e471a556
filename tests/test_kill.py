"""Crash safety: a nightly run killed with SIGKILL at any stage leaves the published warehouse
readable with its last published figures, and the next run ends exactly where an
uninterrupted one ends (docs/reliability.md, "Crash safety").

The run is `tests/helpers/plain_sync.py` (the nightly steps without Prefect) in a child
process against the simulated world, restricted to one small portal. The stages are hit by
watching what the run does from outside, never by a hook in the product: the sim's request
counter (harvest), the landing folder's temporary file (landing write), the state database's
write-ahead log (load), the `.building-*` file (build), the build's log gone with the new file
not yet renamed (publish, before the rename) and the published file's inode (publish, after).
When a moment is missed the run is killed at the next one it reaches; every case asserts the
same invariants. A second test kills a load of 150,000 rows in the middle of its transaction.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from helpers.plain_sync import sync

from connectors.archive import PageArchive
from connectors.http.validators import ValidatorCache
from flows.config.load import load_config
from flows.night.housekeeping import remove_leftovers
from sim.catalog import PORTALS
from sim.server import start
from warehouse.build import totals
from warehouse.db import connect
from warehouse.landing import LANDING_SCHEMA, write_landing, write_landing_table
from warehouse.load import load
from warehouse.state import ensure_state_schema, merge_rows

TESTS = Path(__file__).parent
PORTAL = "ly-lc-aic-site"  # the smallest portal: five listing pages, about 220 documents
SYSTEM, YEAR = "ly-aic", 2012
NIGHT_A, NIGHT_B = "2012-06-30", "2012-12-31"  # the world as of each night


def child_env() -> dict[str, str]:
    """The environment of a child run: this checkout's code first."""
    paths = [str(TESTS.parent), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def figures(folder: Path) -> dict:
    """What the published file says: the totals JSON and the set of doc_ids."""
    published = folder / "data" / "xxgk.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        doc_ids = {row[0] for row in con.execute("SELECT doc_id FROM fct_documents").fetchall()}
    return {"totals": json.loads(json.dumps(totals(published, SYSTEM, YEAR))), "doc_ids": doc_ids}


def state_is_whole(folder: Path, scratch: Path | None = None) -> None:
    """The state database opens, and every run in it is there with all its rows or not at all.

    With `scratch`, a copy of it (with its write-ahead log) is opened there, so the next run
    still finds the files exactly as the killed one left them.
    """
    state = folder / "data" / "state.duckdb"
    if scratch is not None:
        scratch.mkdir()
        for path in state.parent.glob("state.duckdb*"):
            if path.is_file():
                shutil.copy(path, scratch / path.name)
        state = scratch / state.name
    con = connect(state)
    try:
        runs = con.execute("SELECT portal_id, run_id FROM raw_runs").fetchall()
        kept = _state_rows(con)
    finally:
        con.close()
    landing = folder / "data" / "landing"
    files = [
        str(path) for portal_id, run_id in runs if (path := landing / run_id / f"{portal_id}.listings.parquet").exists()
    ]
    fresh = connect(":memory:")
    try:
        ensure_state_schema(fresh)
        if files:
            merge_rows(fresh, files)
        assert kept == _state_rows(fresh)  # the loaded runs whole, nothing of any other
    finally:
        fresh.close()


def _state_rows(con) -> list[list[tuple]]:
    """Every row of the sighting state tables, sorted."""
    return [
        sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in ("raw_sightings", "raw_sighting_details", "raw_detail_attempts")
    ]


def leftovers(folder: Path) -> list[str]:
    """Files of a killed run that the next run must have removed."""
    data = folder / "data"
    found = [
        *data.glob(".xxgk.duckdb.building-*"),
        *data.glob("landing/*/.*.tmp"),
        *data.glob("archive/.tmp/*"),
        *data.glob("state.duckdb.tmp"),
        *data.glob("*.wal"),
    ]
    return sorted(str(path.relative_to(data)) for path in found)


def building(data: Path) -> list[Path]:
    return [path for path in data.glob(".xxgk.duckdb.building-*") if not path.name.endswith(".wal")]


class Watch:
    """The moments of a run, as seen from outside; each a predicate polled in a tight loop."""

    def __init__(self, sim, folder: Path) -> None:
        self.sim, self.data = sim, folder / "data"
        self.served = sim.served(PORTAL)
        self.inode = (self.data / "xxgk.duckdb").stat().st_ino
        self.build_log_seen = False

    def harvest(self) -> bool:
        return self.sim.served(PORTAL) >= self.served + 8  # a few detail pages into the crawl

    def landing(self) -> bool:
        return any(self.data.glob("landing/*/.*.tmp"))

    def load(self) -> bool:
        return (self.data / "state.duckdb.wal").exists()

    def build(self) -> bool:
        return bool(building(self.data))

    def publish_before_rename(self) -> bool:
        logs = list(self.data.glob(".xxgk.duckdb.building-*.wal"))
        self.build_log_seen = self.build_log_seen or bool(logs)
        return self.build_log_seen and not logs and bool(building(self.data))

    def publish_after_rename(self) -> bool:
        return (self.data / "xxgk.duckdb").stat().st_ino != self.inode


# The stage and what is accepted as the moment of the kill: the stage's own, or a later one
# when the poll missed it (the run is then killed at the first later moment seen).
ORDER = ["harvest", "landing", "load", "build", "publish_before_rename", "publish_after_rename"]


def kill_at(stage: str, config: Path, watch: Watch) -> str:
    """Run a night in a child process and SIGKILL it at `stage`; return the moment hit."""
    moments: list[tuple[str, Callable[[], bool]]] = [(name, getattr(watch, name)) for name in ORDER]
    moments = moments[ORDER.index(stage) :]
    child = subprocess.Popen(
        [sys.executable, "-m", "helpers.plain_sync", str(config)],
        cwd=TESTS,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while child.poll() is None and time.monotonic() < deadline:
            for name, seen in moments:
                if seen():
                    child.send_signal(signal.SIGKILL)
                    child.wait()
                    return name
        raise AssertionError(f"the run ended (exit {child.returncode}) before any moment from {stage}")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The sim; a night A published (its folder kept as the start of every case); and the
    reference: nights A then B uninterrupted."""
    root = tmp_path_factory.mktemp("kill")
    with start(port=0, as_of=NIGHT_A) as sim:
        night_a = root / "night-a"
        night_a.mkdir()
        text = sim.config_text("data", exclude=[p.id for p in PORTALS if p.id != PORTAL])
        (night_a / "xxgk.toml").write_text(
            text.replace("[harvest]\n", "[harvest]\nparse_processes = 0\n", 1), encoding="utf-8"
        )
        assert sync(night_a / "xxgk.toml").ok
        reference = root / "reference"
        shutil.copytree(night_a, reference)
        sim.set_as_of(NIGHT_B)
        assert sync(reference / "xxgk.toml").ok
        sim.set_as_of(NIGHT_A)
        yield sim, root, figures(night_a), figures(reference)


@pytest.mark.parametrize("stage", ORDER)
def test_a_run_killed_at_any_stage_keeps_the_published_figures_and_converges(world, stage):
    sim, root, before, reference = world
    assert before["totals"] != reference["totals"]  # night B adds documents: a publish shows
    folder = root / stage
    shutil.copytree(root / "night-a", folder)
    config = folder / "xxgk.toml"
    sim.set_as_of(NIGHT_B)
    try:
        hit = kill_at(stage, config, Watch(sim, folder))
        # The published file opens and shows the last published figures: night A's, or night
        # B's once the rename is done.
        after_kill = figures(folder)
        published_b = ORDER.index(hit) >= ORDER.index("publish_after_rename")
        assert after_kill == (reference if published_b else before), hit
        state_is_whole(folder, scratch=root / f"{stage}-state")
        left = leftovers(folder)
        if hit in ("landing", "build", "publish_before_rename"):
            assert left, hit  # a temporary or unfinished file the next run has to remove
        # The next run, uninterrupted, cleans up and ends where an uninterrupted night ends.
        assert sync(config).ok
    finally:
        sim.set_as_of(NIGHT_A)
    assert figures(folder) == reference, hit
    assert leftovers(folder) == []
    state_is_whole(folder)


def big_run(data_dir: Path, run_id: str, n_rows: int) -> None:
    """One portal's landing run of `n_rows` rows (bulk, as bench/bench_build.py lands them)."""
    seen = datetime(2013, 1, 5, 2, 1, tzinfo=UTC)
    columns = {name: pa.nulls(n_rows, LANDING_SCHEMA.field(name).type) for name in LANDING_SCHEMA.names}
    columns.update(
        portal_id=pa.array(["big"] * n_rows),
        run_id=pa.array([run_id] * n_rows),
        item_key=pa.array([f"k{i}" for i in range(n_rows)]),
        title=pa.array([f"第{i}号通知" for i in range(n_rows)]),
        seen_at=pa.array([seen] * n_rows, LANDING_SCHEMA.field("seen_at").type),
    )
    table = pa.table(columns, schema=LANDING_SCHEMA)
    write_landing_table(
        data_dir,
        run_id,
        "big",
        table,
        {"mode": "full", "status": "ok", "started_at": seen, "rows": n_rows, "complete": True},
    )


def test_a_load_killed_inside_its_transaction_rolls_back(tmp_path):
    # A small run loaded first, so the state file exists; then 150,000 rows, whose insert
    # DuckDB writes into the file before it commits: the child is killed while the file grows.
    seen = datetime(2013, 1, 4, 2, 1, tzinfo=UTC)
    write_landing(
        tmp_path,
        "20130104T020000Z",
        "small",
        [{"portal_id": "small", "item_key": "a", "seen_at": seen}],
        {"mode": "full", "status": "ok", "started_at": seen, "rows": 1, "complete": True},
    )
    state = tmp_path / "state.duckdb"
    load(state, tmp_path)
    big_run(tmp_path, "20130105T020000Z", 150_000)
    size = state.stat().st_size
    code = f"from warehouse.load import load; load({str(state)!r}, {str(tmp_path)!r})"
    child = subprocess.Popen([sys.executable, "-c", code], env=child_env())
    try:
        while (
            child.poll() is None and state.stat().st_size == size and not state.with_name("state.duckdb.wal").exists()
        ):
            pass
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL, "the load ended before it was killed"
    con = connect(state)  # DuckDB replays its log: the committed runs, nothing of the other
    try:
        runs = con.execute("SELECT run_id, rows FROM raw_runs ORDER BY run_id").fetchall()
        n_big = con.execute("SELECT count(*) FROM raw_sightings WHERE portal_id = 'big'").fetchone()[0]
    finally:
        con.close()
    assert runs in ([("20130104T020000Z", 1)], [("20130104T020000Z", 1), ("20130105T020000Z", 150_000)])
    assert n_big == (150_000 if len(runs) == 2 else 0)
    result = load(state, tmp_path)  # and the next load takes the run whole
    assert result.rejected == []
    con = connect(state, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw_sightings").fetchone()[0] == 150_001
    finally:
        con.close()


def test_a_validator_line_cut_short_is_dropped_and_the_next_one_kept(tmp_path):
    path = tmp_path / "validators.jsonl"
    whole = json.dumps({"url": "http://a/", "sha256": "0" * 64, "etag": '"a"'}) + "\n"
    cut = json.dumps({"url": "http://b/标题", "sha256": "1" * 64}, ensure_ascii=False).encode()
    path.write_bytes(whole.encode() + cut[: cut.index("标".encode()) + 1])  # killed inside 标
    cache = ValidatorCache(path)
    assert cache.get("http://a/")["etag"] == '"a"' and cache.get("http://b/标题") is None
    cache.put("http://c/", {"etag": '"c"'}, "2" * 64)
    assert ValidatorCache(path).get("http://c/")["etag"] == '"c"'


def test_a_damaged_archive_body_reads_as_absent_and_is_stored_again(tmp_path):
    archive = PageArchive(tmp_path)
    key = archive.put(b"<html>body</html>")
    archive.path(key).write_bytes(b"\x1f\x8b\x08\x00 cut short")
    assert archive.get(key) is None and key not in archive
    assert archive.put(b"<html>body</html>") == key and archive.get(key) == b"<html>body</html>"


def test_the_leftovers_of_killed_writers_are_removed_and_nothing_else(tmp_path):
    (tmp_path / "xxgk.toml").write_text('[warehouse]\npath = "data/xxgk.duckdb"\ndata_dir = "data"\n', encoding="utf-8")
    config = load_config(tmp_path / "xxgk.toml")
    data = config.warehouse.data_dir
    seen = datetime(2013, 1, 4, 2, 1, tzinfo=UTC)
    paths = write_landing(
        data,
        "20130104T020000Z",
        "small",
        [{"portal_id": "small", "item_key": "a", "seen_at": seen}],
        {"mode": "full", "status": "ok", "started_at": seen, "rows": 1, "complete": True},
    )
    key = PageArchive(data).put(b"body")
    (data / "xxgk.duckdb").write_bytes(b"published")
    stale = [
        paths["run"].with_name(".small.listings.parquet.123.tmp"),
        data / "archive" / ".tmp" / f"{key}-x.gz",
        data / ".xxgk.duckdb.building-123",
        data / ".xxgk.duckdb.building-123.wal",
        data / "state.duckdb.tmp" / "duckdb_temp_storage-0.tmp",
    ]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    removed = remove_leftovers(config)
    assert len(removed) == 5 and not any(path.exists() for path in stale)
    assert not (data / "state.duckdb.tmp").exists()
    assert all(path.exists() for path in paths.values() if path.name != "small.fetches.parquet")
    assert PageArchive(data).get(key) == b"body" and (data / "xxgk.duckdb").read_bytes() == b"published"
