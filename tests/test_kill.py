"""Crash safety: a nightly run killed with SIGKILL at any stage leaves the published warehouse
readable with its last published figures, and the next run ends exactly where an
uninterrupted one ends (docs/reliability.md, "Crash safety").

The run is `tests/helpers/plain_sync.py` (the nightly steps without Prefect) in a child
process against the simulated world, restricted to one small portal, on the simulated clock:
night A in June, night B in December (each night's landing files are compacted into a part of
its month after its load: warehouse/compact.py). The stages are hit by watching what the run does from outside, never
by a hook in the product: the sim's request counter (harvest), the landing folder's temporary
file (landing write), the state database's write-ahead log (load), the `.building-*` file
(build), the build's log gone with the new file not yet renamed (publish, before the rename),
the published file's inode (publish, after). When a moment is missed the run is killed at the
next one it reaches; every case asserts the same invariants, the landing archive's included
(every loaded run in it once, nothing a compacted part replaced left behind). Further tests
kill a load of 150,000 rows in the middle of its transaction, and a compaction that merges a
month of 150,000 rows at each of its steps.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from helpers.plain_sync import sync

from connectors.archive import PageArchive
from connectors.http.validators import ValidatorCache
from flows.config.clock import ENV
from flows.config.load import load_config
from flows.night.housekeeping import remove_leftovers
from sim.catalog import PORTALS
from sim.server import start
from warehouse.build import totals
from warehouse.compact import compact_landing
from warehouse.db import connect
from warehouse.landing import remove_stale_temp, write_landing, write_landing_table
from warehouse.landing_schema import LANDING_SCHEMA
from warehouse.landing_sets import every_set
from warehouse.load import load
from warehouse.state import ensure_state_schema, merge_rows

TESTS = Path(__file__).parent
PORTAL = "ly-lc-aic-site"  # the smallest portal: five listing pages, about 220 documents
SYSTEM, YEAR = "ly-aic", 2012
NIGHT_A, NIGHT_B = "2012-06-30", "2012-12-31"  # the world as of each night
CLOCK = {NIGHT_A: "2012-06-30T02:00:00+08:00", NIGHT_B: "2012-12-31T02:00:00+08:00"}  # and its run's start


def child_env(night: str = NIGHT_B) -> dict[str, str]:
    """The environment of a child run: this checkout's code first, the night's clock."""
    paths = [str(TESTS.parent), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), ENV: CLOCK[night]}


def sync_at(night: str, config: Path) -> bool:
    """A whole night in this process on the night's clock; whether it published."""
    os.environ[ENV] = CLOCK[night]
    try:
        return sync(config).ok
    finally:
        del os.environ[ENV]


def figures(folder: Path) -> dict:
    """What the published file says: the totals JSON and the set of doc_ids."""
    published = folder / "data" / "xxgk.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        doc_ids = {row[0] for row in con.execute("SELECT doc_id FROM fct_documents").fetchall()}
    return {"totals": json.loads(json.dumps(totals(published, SYSTEM, YEAR))), "doc_ids": doc_ids}


def state_is_whole(folder: Path, scratch: Path | None = None) -> None:
    """The state database opens, every run in it is there with all its rows or not at all,
    the landing archive holds each of its runs in exactly one set, and the manifest lists
    those sets (a compaction killed between its part's rename and its record leaves the part
    unlisted and the sets it replaces listed; only then).

    With `scratch`, a copy of it (with its write-ahead log) is opened there, so the next run
    still finds the files exactly as the killed one left them; without, the run is over and
    nothing is left to finish.
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
        runs = set(con.execute("SELECT run_id, portal_id FROM raw_runs").fetchall())
        kept = _state_rows(con)
        recorded = {
            m for (m,) in con.execute("SELECT marker FROM raw_landing_files WHERE status <> 'retired'").fetchall()
        }
    finally:
        con.close()
    landing = folder / "data" / "landing"
    sets, superseded, _ = every_set(landing)
    held = {s: {(d["run_id"], d["portal_id"]) for d in s.documents()} for s in sets}
    in_state = [s for s in sets if held[s] <= runs]
    assert all(held[s] <= runs or not held[s] & runs for s in sets)  # a set is loaded whole or not at all
    assert sorted(run for s in in_state for run in held[s]) == sorted(runs)  # each loaded run in one set
    markers = {s.marker.relative_to(landing).as_posix() for s in in_state}
    unlisted = {m for m in markers if m.startswith("compacted/") and m not in recorded}
    replaced = {s.marker.relative_to(landing).as_posix() for s in superseded}
    assert recorded - replaced == markers - unlisted  # the manifest lists the sets that hold the runs
    if scratch is None:
        assert unlisted == set() and replaced == set()
    files = [str(s.listings) for s in in_state if s.listings is not None]
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
    """Files of a killed run that the next run must have removed: temporary files and
    folders, and the landing sets a compacted part replaced."""
    data = folder / "data"
    found = [
        *data.glob(".xxgk.duckdb.building-*"),
        *data.glob("landing/*/.*.tmp"),
        *data.glob("archive/*/.*.tmp"),
        *data.glob("state.duckdb.tmp"),
        *data.glob("*.wal"),
        *(s.marker for s in every_set(data / "landing")[1]),
    ]
    return sorted(str(path.relative_to(data)) for path in found)


def building(data: Path) -> list[Path]:
    return [path for path in data.glob(".xxgk.duckdb.building-*") if not path.name.endswith(".wal")]


class Watch:
    """The moments of a run, as seen from outside; each a predicate polled every `POLL` seconds."""

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
#: Seconds between two looks at the run: each stage lasts longer, and a loop without a pause
#: took a core from the run it watched (1.8 s of CPU a case against 0.2 s).
POLL = 0.001
ORDER = ["harvest", "landing", "load", "build", "publish_before_rename", "publish_after_rename"]


def kill_at(stage: str, config: Path, watch: Watch) -> str:
    """Run a night in a child process and SIGKILL it at `stage`; return the moment hit."""
    moments: list[tuple[str, Callable[[], bool]]] = [(name, getattr(watch, name)) for name in ORDER]
    child = subprocess.Popen(
        [sys.executable, "-m", "helpers.plain_sync", str(config)],
        cwd=TESTS,
        env=child_env(NIGHT_B),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    hit = kill_at_first(child, moments[ORDER.index(stage) :], seconds=60)
    if hit is None:
        raise AssertionError(f"the run ended (exit {child.returncode}) before any moment from {stage}")
    return hit


def kill_at_first(child: subprocess.Popen, moments: list[tuple[str, Callable[[], bool]]], seconds: float) -> str | None:
    """Look at `child`'s run every POLL seconds for `seconds` at most; SIGKILL it at the first
    of `moments` seen and return that moment's name (None: the run ended or the time ran out
    first; a child still running then is killed too)."""
    deadline = time.monotonic() + seconds
    try:
        while child.poll() is None and time.monotonic() < deadline:
            for name, seen in moments:
                if seen():
                    child.send_signal(signal.SIGKILL)
                    child.wait()
                    return name
            time.sleep(POLL)
        return None
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
        assert sync_at(NIGHT_A, night_a / "xxgk.toml")
        reference = root / "reference"
        shutil.copytree(night_a, reference)
        sim.set_as_of(NIGHT_B)
        assert sync_at(NIGHT_B, reference / "xxgk.toml")
        parts = sorted(p.name for p in (reference / "data" / "landing" / "compacted").iterdir())
        assert parts == ["2012-06.001", "2012-12.001"]  # each night's landing compacted after its load
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
        assert sync_at(NIGHT_B, config)
    finally:
        sim.set_as_of(NIGHT_A)
    assert figures(folder) == reference, hit
    assert leftovers(folder) == []
    state_is_whole(folder)
    detail_pages_are_archived(folder)
    landing = folder / "data" / "landing"  # every night compacted, June's into one part
    assert [p.name for p in landing.iterdir()] == ["compacted"]
    assert [p.name for p in (landing / "compacted").glob("2012-06.*")] == ["2012-06.001"]


def detail_pages_are_archived(folder: Path) -> None:
    """Every detail page the state points at reads back whole from the page archive: the
    killed run's writes to it (appended, not flushed) survive the kill."""
    con = connect(folder / "data" / "state.duckdb")
    try:
        keys = {
            k
            for table in ("raw_sightings", "raw_sighting_details")
            for (k,) in con.execute(
                f"SELECT DISTINCT detail_sha256 FROM {table} WHERE detail_sha256 IS NOT NULL"
            ).fetchall()
        }
    finally:
        con.close()
    archive = PageArchive(folder / "data")
    assert keys and all(archive.get(key) is not None for key in keys)


def big_run(data_dir: Path, run_id: str, n_rows: int) -> None:
    """One portal's landing run of `n_rows` rows (bulk, as bench/bench_build.py lands them)."""
    seen = datetime.strptime(run_id, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) + timedelta(minutes=1)
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
    # the manifest lists a set exactly when its run is in the state
    assert manifest_markers(state) == [f"{run_id}/{portal}.run.json" for run_id, portal in (*SMALL_BIG[: len(runs)],)]
    result = load(state, tmp_path)  # and the next load takes the run whole
    assert result.rejected == []
    assert result.runs_loaded == ([] if len(runs) == 2 else [SMALL_BIG[1]])
    con = connect(state, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw_sightings").fetchone()[0] == 150_001
    finally:
        con.close()
    assert manifest_markers(state) == [f"{run_id}/{portal}.run.json" for run_id, portal in SMALL_BIG]


SMALL_BIG = [("20130104T020000Z", "small"), ("20130105T020000Z", "big")]


def manifest_markers(state: Path) -> list[str]:
    """The markers of the sets the state's manifest lists, sorted."""
    con = connect(state, read_only=True)
    try:
        return [m for (m,) in con.execute("SELECT DISTINCT marker FROM raw_landing_files ORDER BY 1").fetchall()]
    finally:
        con.close()


JANUARY = [f"201301{day:02d}T020000Z" for day in (5, 12, 19, 26)]  # 4 × 37,500 rows
NIGHT_PARTS = [f"2013-01.00{n}" for n in (1, 2, 3, 4)]  # January's nights, one part each
PART = "2013-01.005"  # the month's part they are merged into


def snapshot(data: Path) -> dict:
    """What a compaction leaves: every landing file's bytes, the manifest (but the times it
    was recorded and files written) and the sighting state."""
    landing = data / "landing"
    files = {p.relative_to(landing).as_posix(): p.read_bytes() for p in landing.rglob("*") if p.is_file()}
    con = connect(data / "state.duckdb", read_only=True)
    try:
        manifest = con.execute(
            "SELECT path, marker, status, size, sha256 FROM raw_landing_files ORDER BY path"
        ).fetchall()
        rows = _state_rows(con)
    finally:
        con.close()
    return {"files": files, "manifest": manifest, "state": rows}


@pytest.fixture(scope="module")
def january(tmp_path_factory):
    """January's four big runs and one run of February, landed and loaded (January is due for
    compaction), and what an uninterrupted compaction makes of them."""
    root = tmp_path_factory.mktemp("compact")
    start = root / "start" / "data"
    for run_id in JANUARY:  # each night loaded and compacted into a part, as the nightly run does
        big_run(start, run_id, 37_500)
        load(start / "state.duckdb", start)
        compact_landing(start / "state.duckdb", start)
    seen = datetime(2013, 2, 2, 2, 1, tzinfo=UTC)
    row = {"portal_id": "small", "item_key": "a", "seen_at": seen}
    write_landing(start, "20130202T020000Z", "small", [row], {"mode": "full", "status": "ok", "started_at": seen})
    assert len(load(start / "state.duckdb", start).runs_loaded) == 1
    assert sorted(p.name for p in (start / "landing" / "compacted").iterdir()) == NIGHT_PARTS
    reference = root / "reference" / "data"
    shutil.copytree(start, reference)
    done = compact_landing(reference / "state.duckdb", reference)
    # February's night becomes a part; January's four parts become one
    assert (done.parts, done.sets_compacted, done.files_removed) == (["2013-02.001", PART], 5, 2 + 4 * 3)
    return root, snapshot(reference)


def compaction_moments(landing: Path) -> dict[str, Callable[[], bool]]:
    """The moments of a compaction, seen from outside: a part being written under a temporary
    name (February's night, or January's month); January's part renamed into place while its
    nights' parts are still there."""
    compacted = landing / "compacted"
    return {
        "write": lambda: any(compacted.glob(".*.tmp")),
        "renamed": lambda: (compacted / PART).is_dir() and (compacted / NIGHT_PARTS[-1]).exists(),
    }


@pytest.mark.parametrize("moment", ["write", "renamed"])
def test_a_compaction_killed_at_any_step_is_finished_by_the_next(january, moment):
    root, reference = january
    data = root / moment / "data"
    shutil.copytree(root / "start" / "data", data)
    moments = list(compaction_moments(data / "landing").items())
    moments = moments[[name for name, _ in moments].index(moment) :]
    code = (
        f"from warehouse.compact import compact_landing; compact_landing({str(data / 'state.duckdb')!r}, {str(data)!r})"
    )
    child = subprocess.Popen([sys.executable, "-c", code], env=child_env())
    hit = kill_at_first(child, moments, seconds=120)
    assert hit is not None and child.returncode == -signal.SIGKILL, "the compaction ended before it was killed"
    state_is_whole(data.parent, scratch=root / f"{moment}-state")  # the state and its archive agree
    remove_stale_temp(data)  # what the nightly run does first, under its lock
    compact_landing(data / "state.duckdb", data)  # the next compaction
    assert snapshot(data) == reference  # the same parts, byte for byte, and nothing they replaced left
    state_is_whole(data.parent)


def test_a_validator_line_cut_short_is_dropped_and_the_next_one_kept(tmp_path):
    path = tmp_path / "validators.jsonl"
    whole = json.dumps({"url": "http://a/", "sha256": "0" * 64, "etag": '"a"'}) + "\n"
    cut = json.dumps({"url": "http://b/标题", "sha256": "1" * 64}, ensure_ascii=False).encode()
    path.write_bytes(whole.encode() + cut[: cut.index("标".encode()) + 1])  # killed inside 标
    cache = ValidatorCache(path)
    assert cache.get("http://a/")["etag"] == '"a"' and cache.get("http://b/标题") is None
    cache.put("http://c/", {"etag": '"c"'}, "2" * 64)
    assert ValidatorCache(path).get("http://c/")["etag"] == '"c"'


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
        data / "archive" / key[:2] / f".{key}.00c0ffee.tmp",
        data / "archive" / ".tmp" / f"{key}-x.gz",  # the earlier layouts' temporary files
        data / ".xxgk.duckdb.building-123",
        data / ".xxgk.duckdb.building-123.wal",
        data / "state.duckdb.tmp" / "duckdb_temp_storage-0.tmp",
    ]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    removed = remove_leftovers(config)
    assert len(removed) == 6 and not any(path.exists() for path in stale)
    assert not (data / "state.duckdb.tmp").exists()
    assert all(path.exists() for path in paths.values() if path.name != "small.fetches.parquet")
    assert PageArchive(data).get(key) == b"body" and (data / "xxgk.duckdb").read_bytes() == b"published"
