"""Compaction of the landing files (warehouse/compact.py): the loaded sets of a night rolled
into a part of their month, the parts of a month that has ended into one, the run folders
removed, and the state rebuilt from the parts and the sets not yet compacted equal to the
state the loads kept (docs/architecture.md, "Landing files over time"). Real landing files,
real DuckDB; nothing mocked."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pyarrow.parquet as pq
from helpers.warehouse import land, listing, night

from warehouse.compact import compact_landing
from warehouse.landing_sets import every_set, listing_files
from warehouse.landing_stream import BatchLanding
from warehouse.load import load
from warehouse.rebuild import rebuild_state

A, B = "ly-aic-xxgk", "xl-aic-xxgk"


def portal_night(data_dir, day: date, keys: list[str], portal: str = A, **fields) -> str:
    """One portal's run of `day` in its own files, listing `keys`."""
    seen = night(day)[1]
    return land(data_dir, day, portal, [listing(portal, key, seen, title=f"{key}@{day}", **fields) for key in keys])


def batch_night(data_dir, day: date, keys: dict[str, list[str]]) -> str:
    """One batch run of `day` (every portal of `keys` in one batch file)."""
    run_id, started = night(day)
    landing = BatchLanding(data_dir, run_id, "batch")
    for portal, items in keys.items():
        sink = landing.portal(portal)
        for i, key in enumerate(items):
            row = listing(portal, key, started + timedelta(minutes=1), title=f"{key}@{day}")
            row.update(page_no=i // 20, row_no=i % 20, detail_fetched=i % 2 == 0)
            sink.add(row)
        sink.end_rows()
        sink.finish({"mode": "full", "status": "ok", "started_at": started, "complete": True}, [])
    landing.close()
    return run_id


def state_of(state) -> dict[str, list[tuple]]:
    """Every row of the state tables (raw_runs without the time it was loaded) and the
    manifest's paths and statuses."""
    con = duckdb.connect(str(state), read_only=True)
    try:
        return {
            table: sorted(con.execute(sql).fetchall(), key=repr)
            for table, sql in (
                ("raw_sightings", "SELECT * FROM raw_sightings"),
                ("raw_sighting_details", "SELECT * FROM raw_sighting_details"),
                ("raw_detail_attempts", "SELECT * FROM raw_detail_attempts"),
                ("raw_runs", "SELECT * EXCLUDE (loaded_at) FROM raw_runs"),
                ("manifest", "SELECT path, marker, status, size, sha256 FROM raw_landing_files"),
            )
        }
    finally:
        con.close()


JAN = [date(2013, 1, day) for day in (5, 12, 19)]
FEB = [date(2013, 2, day) for day in (2, 9)]
MAR = date(2013, 3, 2)


def three_months(data_dir) -> dict[date, str]:
    """January, February and one night of March in portal files and batches, loaded night by
    night, compacted after every load (as the nightly run does)."""
    state = data_dir / "state.duckdb"
    runs = {}
    for i, day in enumerate(JAN + FEB + [MAR]):
        if i % 2:
            runs[day] = batch_night(data_dir, day, {A: [f"k{j}" for j in range(i, i + 30)], B: ["b1", f"b{i}"]})
        else:
            runs[day] = portal_night(data_dir, day, [f"k{j}" for j in range(i, i + 25)])
        load(state, data_dir)
        compact_landing(state, data_dir)
    return runs


def test_each_night_becomes_a_part_and_each_month_that_has_ended_one_part(tmp_path):
    runs = three_months(tmp_path)
    landing = tmp_path / "landing"
    # January's three nights were three parts until February's first night merged them
    assert sorted(p.name for p in (landing / "compacted").iterdir()) == ["2013-01.004", "2013-02.003", "2013-03.001"]
    assert sorted(p.name for p in landing.iterdir()) == ["compacted"]  # no run folder left
    january = landing / "compacted" / "2013-01.004"
    assert sorted(p.name for p in january.iterdir()) == ["fetches.parquet", "listings.parquet", "runs.parquet"]
    kept = pq.read_table(january / "runs.parquet", columns=["run_id", "portal_id"]).to_pylist()
    assert kept == [{"run_id": runs[JAN[0]], "portal_id": A}, {"run_id": runs[JAN[1]], "portal_id": A},
                    {"run_id": runs[JAN[1]], "portal_id": B}, {"run_id": runs[JAN[2]], "portal_id": A}]  # fmt: skip
    assert pq.ParquetFile(january / "listings.parquet").metadata.num_rows == 25 + 32 + 25
    assert len(listing_files(tmp_path)) == 3
    assert compact_landing(tmp_path / "state.duckdb", tmp_path).parts == []  # nothing more to do


def test_the_state_rebuilt_from_parts_and_run_folders_equals_the_state_of_the_loads(tmp_path):
    runs = three_months(tmp_path)
    state = tmp_path / "state.duckdb"
    # a January run arriving after January was compacted: loaded, made a part, merged with
    # January's part
    late = portal_night(tmp_path, date(2013, 1, 25), ["k1", "late"], portal=B)
    assert load(state, tmp_path).runs_loaded == [(late, B)]
    assert compact_landing(state, tmp_path).parts == ["2013-01.005", "2013-01.006"]
    kept = state_of(state)
    assert len(kept["raw_runs"]) == 10 and len(runs) == 6  # three batch nights of two portals, one late run
    result = rebuild_state(state, tmp_path, runs_per_batch=1)
    assert result.rejected == [] and len(result.runs_loaded) == 10
    assert state_of(state) == kept  # the state and its manifest, exactly


def test_a_set_changed_since_it_was_loaded_is_not_compacted(tmp_path):
    state = tmp_path / "state.duckdb"
    first = portal_night(tmp_path, JAN[0], ["k1"])
    portal_night(tmp_path, JAN[1], ["k2"])
    portal_night(tmp_path, FEB[0], ["k3"])
    load(state, tmp_path)
    run_file = tmp_path / "landing" / first / f"{A}.run.json"
    run_file.write_text(run_file.read_text(encoding="utf-8").replace('"ok"', '"partial"'), encoding="utf-8")
    done = compact_landing(state, tmp_path)
    assert done.sets_compacted == 2 and done.parts == ["2013-01.001", "2013-02.001"]
    assert done.skipped == [(f"{first}/{A}.run.json", f"{first}/{A}.run.json changed since it was recorded")]
    assert run_file.exists()  # left where it is; the state holds what was loaded
    sets, superseded, _ = every_set(tmp_path / "landing")
    assert superseded == [] and sorted(s.kind for s in sets) == ["part", "part", "portal"]
