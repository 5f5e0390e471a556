"""Landing files and the loader: rows written through `write_landing` exactly as the flows
write them, loaded into a real DuckDB state file under tmp_path; nothing is mocked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import duckdb
import pyarrow.parquet as pq
import pytest
from helpers.warehouse import land, listing, night, raw_count

from warehouse.build import known_items
from warehouse.landing import LANDING_SCHEMA, LandingError, copy_landing, landing_paths, write_landing
from warehouse.load import last_complete_full_run, load

D1 = date(2013, 1, 5)


def test_landing_round_trips_every_field(tmp_path):
    seen = datetime(2013, 1, 5, 2, 1, tzinfo=UTC)
    row = listing(
        "ly-aic-xxgk",
        "t20120305_1",
        seen,
        title="关于A的通知",
        index_no="FJ-001",
        published_date=date(2012, 3, 5),
        n_attachments=2,
    )
    run_id = land(tmp_path, D1, "ly-aic-xxgk", [row])
    paths = landing_paths(tmp_path, run_id, "ly-aic-xxgk")
    table = pq.read_table(paths["listings"])
    assert table.schema.names == LANDING_SCHEMA.names
    run = json.loads(paths["run"].read_text(encoding="utf-8"))
    assert run["started_at"] == "2013-01-05T02:00:00+00:00" and run["complete"] is True

    result = load(tmp_path / "state.duckdb", tmp_path)
    assert result.runs_loaded == [(run_id, "ly-aic-xxgk")] and result.rows_loaded == 1
    con = duckdb.connect(str(tmp_path / "state.duckdb"), read_only=True)
    loaded = con.execute(
        "SELECT title, index_no, published_date, seen_at, n_attachments, run_id FROM raw_sightings"
    ).fetchall()
    started = con.execute("SELECT started_at FROM raw_runs").fetchone()[0]
    con.close()
    # times are stored as naive UTC, so 02:01 UTC stays 02:01 whatever the machine's zone
    assert loaded == [("关于A的通知", "FJ-001", date(2012, 3, 5), datetime(2013, 1, 5, 2, 1), 2, run_id)]
    assert started == datetime(2013, 1, 5, 2, 0)


def test_loading_twice_changes_nothing(tmp_path):
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    land(tmp_path, D1, "ly-aic-xxgk", [listing("ly-aic-xxgk", f"k{i}", seen) for i in range(3)])
    first = load(tmp_path / "state.duckdb", tmp_path)
    second = load(tmp_path / "state.duckdb", tmp_path)
    assert first.rows_loaded == 3 and len(first.runs_loaded) == 1
    assert second.runs_loaded == [] and second.rows_loaded == 0
    assert raw_count(tmp_path) == 3


def test_interrupted_landing_is_not_loaded_until_its_run_file_exists(tmp_path):
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    run_id = land(tmp_path, D1, "ly-aic-xxgk", [listing("ly-aic-xxgk", "k1", seen)])
    paths = landing_paths(tmp_path, run_id, "ly-aic-xxgk")
    run_text = paths["run"].read_text(encoding="utf-8")
    paths["run"].unlink()  # the harvest died between its listings and its run file

    result = load(tmp_path / "state.duckdb", tmp_path)
    assert result.runs_loaded == [] and result.interrupted == [str(paths["listings"])]
    assert raw_count(tmp_path) == 0

    paths["run"].write_text(run_text, encoding="utf-8")
    assert load(tmp_path / "state.duckdb", tmp_path).rows_loaded == 1


def test_a_run_that_breaks_the_contract_is_refused_whole(tmp_path):
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    good = land(tmp_path, D1, "ly-aic-xxgk", [listing("ly-aic-xxgk", "k1", seen)])
    bad = land(tmp_path, D1, "xl-aic-xxgk", [listing("xl-aic-xxgk", "k2", seen)])
    bad_run = landing_paths(tmp_path, bad, "xl-aic-xxgk")["run"]
    document = json.loads(bad_run.read_text(encoding="utf-8"))
    document["status"] = "fine"
    bad_run.write_text(json.dumps(document), encoding="utf-8")
    # a listings file that claims another portal's rows: its run must not half-load
    other = land(tmp_path, date(2013, 1, 6), "ct-aic-xxgk", [listing("ct-aic-xxgk", "k3", seen)])
    other_listings = landing_paths(tmp_path, other, "ct-aic-xxgk")["listings"]
    table = pq.read_table(other_listings)
    pq.write_table(table.set_column(0, "portal_id", [["xl-aic-xxgk"]]), other_listings)

    result = load(tmp_path / "state.duckdb", tmp_path)
    assert result.runs_loaded == [(good, "ly-aic-xxgk")]
    reasons = dict(result.rejected)
    assert "status 'fine'" in reasons[str(bad_run)]
    assert "another run or portal" in reasons[str(landing_paths(tmp_path, other, "ct-aic-xxgk")["run"])]
    assert raw_count(tmp_path) == 1
    con = duckdb.connect(str(tmp_path / "state.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM raw_runs").fetchone()[0] == 1
    con.close()


def test_write_landing_refuses_bad_input_before_writing(tmp_path):
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    run_id, started = night(D1)
    run = {"portal_id": "ly-aic-xxgk", "run_id": run_id, "mode": "full", "status": "ok", "started_at": started}
    with pytest.raises(LandingError, match="belongs to portal"):
        write_landing(tmp_path, run_id, "ly-aic-xxgk", [listing("xl-aic-xxgk", "k", seen)], run)
    with pytest.raises(LandingError, match="not a safe name"):
        write_landing(tmp_path, run_id, "../etc", [], {**run, "portal_id": "../etc"})
    bad_date = listing("ly-aic-xxgk", "k", seen, published_date="2012年3月5日")
    with pytest.raises(LandingError, match="landing schema"):
        write_landing(tmp_path, run_id, "ly-aic-xxgk", [bad_date], run)
    assert not (tmp_path / "landing" / run_id).exists() or not any((tmp_path / "landing" / run_id).iterdir())


def test_known_items_gives_the_latest_hash_of_each_item(tmp_path):
    state = tmp_path / "state.duckdb"
    assert known_items(state, "ly-aic-xxgk") == {}
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "a", seen, title="旧标题"), listing("ly-aic-xxgk", "b", seen, title="乙")],
    )
    land(tmp_path, date(2013, 1, 6), "ly-aic-xxgk", [listing("ly-aic-xxgk", "a", seen, title="新标题")])
    load(state, tmp_path)
    known = known_items(state, "ly-aic-xxgk")
    assert known == {
        "a": "a:[('title', '新标题')]",
        "b": "b:[('title', '乙')]",
    }
    assert known_items(state, "xl-aic-xxgk") == {}


def test_a_listings_file_of_the_wrong_types_is_refused_with_its_reason(tmp_path):
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    good = land(tmp_path, D1, "ly-aic-xxgk", [listing("ly-aic-xxgk", "k1", seen)])
    bad = land(tmp_path, D1, "xl-aic-xxgk", [listing("xl-aic-xxgk", "k2", seen)])
    listings = landing_paths(tmp_path, bad, "xl-aic-xxgk")["listings"]
    table = pq.read_table(listings)
    position = table.schema.get_field_index("page_no")
    pq.write_table(table.set_column(position, "page_no", [["第一页"]]), listings)

    result = load(tmp_path / "state.duckdb", tmp_path)
    assert result.runs_loaded == [(good, "ly-aic-xxgk")]
    assert [reason for _, reason in result.rejected] == ["xl-aic-xxgk.listings.parquet: page_no is string, not int32"]
    assert raw_count(tmp_path) == 1


def test_the_last_complete_full_run_is_read_from_raw_runs(tmp_path):
    state = tmp_path / "state.duckdb"
    assert last_complete_full_run(state, "ly-aic-xxgk") is None  # no state database yet
    land(tmp_path, D1, "ly-aic-xxgk", [])
    land(tmp_path, date(2013, 1, 6), "ly-aic-xxgk", [], status="partial")
    land(tmp_path, date(2013, 1, 7), "ly-aic-xxgk", [], mode="incremental")
    land(tmp_path, date(2013, 1, 8), "xl-aic-xxgk", [])
    assert last_complete_full_run(state, "ly-aic-xxgk") is None  # landed, not loaded yet
    load(state, tmp_path)
    assert last_complete_full_run(state, "ly-aic-xxgk") == datetime(2013, 1, 5, 2, tzinfo=UTC)
    assert last_complete_full_run(state, "xl-aic-xxgk") == datetime(2013, 1, 8, 2, tzinfo=UTC)
    assert last_complete_full_run(state, "ct-aic-xxgk") is None


def _write_run(data_dir, run_id, rows: int, fetches: bool) -> dict:
    """One whole landing run of `rows` listings (and a fetch log when asked)."""
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    run = {"mode": "full", "status": "ok", "started_at": seen, "rows": rows}
    log = [{"url": "http://a/1", "status": 200}] if fetches else None
    items = [listing("ly-aic-xxgk", f"k{n}", seen) for n in range(rows)]
    return write_landing(data_dir, run_id, "ly-aic-xxgk", items, run, fetches=log)


def test_a_run_written_again_never_pairs_its_files_with_the_earlier_writing(tmp_path):
    run_id, _ = night(D1)
    paths = _write_run(tmp_path, run_id, rows=2, fetches=True)
    _write_run(tmp_path, run_id, rows=3, fetches=False)  # a retry that asked nothing logged
    assert json.loads(paths["run"].read_text())["rows"] == 3
    assert pq.read_table(paths["listings"]).num_rows == 3
    assert not paths["fetches"].exists()  # the first writing's log would describe other requests

    # a copy that breaks after the listings (here: its run file cannot be read) leaves no
    # run file, so the new listings are an interrupted run, never the old run's
    source = tmp_path / "attempt"
    _write_run(source, run_id, rows=1, fetches=True)
    source_run = landing_paths(source, run_id, "ly-aic-xxgk")["run"]
    source_run.unlink()
    source_run.mkdir()
    with pytest.raises(IsADirectoryError):
        copy_landing(source, tmp_path, run_id, "ly-aic-xxgk")
    assert not paths["run"].exists()
    assert pq.read_table(paths["listings"]).num_rows == 1
    result = load(tmp_path / "state.duckdb", tmp_path)
    assert result.runs_loaded == [] and result.interrupted

    source_run.rmdir()
    _write_run(source, run_id, rows=1, fetches=True)
    assert copy_landing(source, tmp_path, run_id, "ly-aic-xxgk")
    assert json.loads(paths["run"].read_text())["rows"] == 1 and paths["fetches"].exists()
    assert not copy_landing(tmp_path / "nothing", tmp_path, run_id, "ly-aic-xxgk")  # not whole: nothing copied
