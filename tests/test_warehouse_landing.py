"""Landing files and the loader: rows written through `write_landing` exactly as the flows
write them, loaded into a real DuckDB state file under tmp_path; nothing is mocked."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import duckdb
import pyarrow.parquet as pq
import pytest
from helpers.warehouse import land, listing, night, raw_count

from warehouse import landing_stream
from warehouse.build import known_items
from warehouse.landing import LandingError, copy_landing, landing_paths, write_landing
from warehouse.landing_schema import LANDING_SCHEMA
from warehouse.landing_stream import BatchLanding, read_runs
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


def _batch(data_dir, day, portals: dict[str, int], keep=frozenset(), finish=None):
    """Land one batch of `portals` (id -> rows) on `day` through `BatchLanding`; `finish`
    names the portals whose run ends (default: all)."""
    run_id, started = night(day)
    landing = BatchLanding(data_dir, run_id, "batch", keep=keep)
    for portal_id, n in portals.items():
        sink = landing.portal(portal_id)
        for i in range(n):
            sink.add(listing(portal_id, f"{portal_id}-{i}", started, title=f"文件{i}"))
        sink.end_rows()
        if finish is None or portal_id in finish:
            run = {"mode": "full", "status": "ok", "started_at": started, "rows": n, "complete": True}
            fetch = {"url": f"http://{portal_id}.example/", "method": "GET", "status": 200, "bytes": 10}
            sink.finish(run, [{**fetch, "elapsed": 0.1, "attempts": 1, "fetched_at": started}])
    landing.close()
    return run_id


def _rows_by_portal(state) -> dict[str, int]:
    con = duckdb.connect(str(state), read_only=True)
    try:
        return dict(con.execute("SELECT portal_id, count(*) FROM raw_sightings GROUP BY ALL").fetchall())
    finally:
        con.close()


def test_a_batch_lands_its_portals_in_one_file_in_row_groups_and_loads_as_their_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(landing_stream, "ROWS_PER_GROUP", 1_000)  # written while the rows arrive
    run_id = _batch(tmp_path, D1, {"ly-aic-xxgk": 2_500, "xl-aic-xxgk": 3, "ct-aic-xxgk": 0})
    folder = tmp_path / "landing" / run_id
    assert sorted(p.name for p in folder.iterdir()) == ["batch.batch-fetches.parquet", "batch.batch.parquet"]
    metadata = pq.ParquetFile(folder / "batch.batch.parquet").metadata
    # a group each time 1,000 rows are queued (they are converted a thousand at a time), the rest at the end
    assert metadata.num_rows == 2_503 and [metadata.row_group(i).num_rows for i in range(3)] == [1_000, 1_000, 503]
    assert pq.read_table(folder / "batch.batch-fetches.parquet").column("portal_id").to_pylist() == [
        "ly-aic-xxgk",
        "xl-aic-xxgk",
        "ct-aic-xxgk",
    ]
    result = load(tmp_path / "state.duckdb", tmp_path)
    assert sorted(result.runs_loaded) == sorted((run_id, p) for p in ("ly-aic-xxgk", "xl-aic-xxgk", "ct-aic-xxgk"))
    assert result.rows_loaded == 2_503 and result.rejected == [] and result.interrupted == []
    assert _rows_by_portal(tmp_path / "state.duckdb") == {"ly-aic-xxgk": 2_500, "xl-aic-xxgk": 3}


def test_rows_of_a_portal_whose_run_never_ended_are_left_out_of_its_batch(tmp_path):
    run_id = _batch(tmp_path, D1, {"ly-aic-xxgk": 1_200, "xl-aic-xxgk": 2}, finish={"xl-aic-xxgk"})
    assert [d["portal_id"] for d in read_runs(tmp_path / "landing" / run_id / "batch.batch.parquet")] == ["xl-aic-xxgk"]
    result = load(tmp_path / "state.duckdb", tmp_path)
    assert result.runs_loaded == [(run_id, "xl-aic-xxgk")] and result.rejected == []
    assert _rows_by_portal(tmp_path / "state.duckdb") == {"xl-aic-xxgk": 2}


def test_a_batch_written_again_carries_the_runs_it_keeps_and_replaces_the_others(tmp_path):
    run_id = _batch(tmp_path, D1, {"ly-aic-xxgk": 4, "xl-aic-xxgk": 2})
    _batch(tmp_path, D1, {"xl-aic-xxgk": 5}, keep=frozenset({"ly-aic-xxgk"}))  # a retry of xl only
    runs = read_runs(tmp_path / "landing" / run_id / "batch.batch.parquet")
    assert sorted(d["portal_id"] for d in runs) == ["ly-aic-xxgk", "xl-aic-xxgk"]
    assert load(tmp_path / "state.duckdb", tmp_path).rows_loaded == 9
    assert _rows_by_portal(tmp_path / "state.duckdb") == {"ly-aic-xxgk": 4, "xl-aic-xxgk": 5}


def test_a_retry_the_deadline_stopped_carries_the_earlier_runs_of_its_portals_once(tmp_path):
    # attempt 1 landed three portals; attempt 2 keeps one, harvests one again, and the
    # deadline stops the third before it begins: its earlier run is carried over late
    run_id = _batch(tmp_path, D1, {"ly-aic-xxgk": 4, "xl-aic-xxgk": 2, "ct-aic-xxgk": 3})
    started = night(D1)[1]
    landing = BatchLanding(tmp_path, run_id, "batch", keep=frozenset({"ly-aic-xxgk"}))
    sink = landing.portal("xl-aic-xxgk")
    sink.add(listing("xl-aic-xxgk", "xl-again", started))
    sink.finish({"mode": "full", "status": "ok", "started_at": started, "rows": 1}, [])
    landing.carry(frozenset({"ct-aic-xxgk", "xl-aic-xxgk"}))  # xl has this attempt's run: not carried
    landing.carry(frozenset({"ct-aic-xxgk", "ly-aic-xxgk"}))  # carried already: not twice
    landing.close()
    runs = {d["portal_id"]: d["rows"] for d in read_runs(tmp_path / "landing" / run_id / "batch.batch.parquet")}
    assert runs == {"ly-aic-xxgk": 4, "xl-aic-xxgk": 1, "ct-aic-xxgk": 3}
    assert load(tmp_path / "state.duckdb", tmp_path).rows_loaded == 4 + 1 + 3
    assert _rows_by_portal(tmp_path / "state.duckdb") == runs


def test_the_load_reads_only_the_sets_its_manifest_does_not_know(tmp_path):
    state = tmp_path / "state.duckdb"
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    first = land(tmp_path, D1, "ly-aic-xxgk", [listing("ly-aic-xxgk", "k1", seen)])
    assert load(state, tmp_path).runs_loaded == [(first, "ly-aic-xxgk")]
    # a loaded file is not opened again: made unreadable, it is reported as changed, not refused
    loaded = landing_paths(tmp_path, first, "ly-aic-xxgk")["listings"]
    loaded.write_bytes(b"not parquet")
    second = _batch(tmp_path, date(2013, 1, 6), {"xl-aic-xxgk": 2})  # landed since: found
    result = load(state, tmp_path)
    assert result.runs_loaded == [(second, "xl-aic-xxgk")] and result.rejected == []
    assert result.changed == [(f"{first}/ly-aic-xxgk.listings.parquet", "changed since it was loaded")]
    con = duckdb.connect(str(state), read_only=True)
    manifest = con.execute("SELECT path, marker, status, sha256 FROM raw_landing_files ORDER BY path").fetchall()
    con.close()
    assert [row[:3] for row in manifest] == [
        (f"{first}/ly-aic-xxgk.listings.parquet", f"{first}/ly-aic-xxgk.run.json", "loaded"),
        (f"{first}/ly-aic-xxgk.run.json", f"{first}/ly-aic-xxgk.run.json", "loaded"),
        (f"{second}/batch.batch-fetches.parquet", f"{second}/batch.batch.parquet", "loaded"),
        (f"{second}/batch.batch.parquet", f"{second}/batch.batch.parquet", "loaded"),
    ]
    batch_file = tmp_path / "landing" / second / "batch.batch.parquet"
    assert manifest[3][3] == hashlib.sha256(batch_file.read_bytes()).hexdigest()


def test_a_state_made_before_the_manifest_records_its_loaded_sets_without_folding_them_again(tmp_path):
    state = tmp_path / "state.duckdb"
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    first = land(tmp_path, D1, "ly-aic-xxgk", [listing("ly-aic-xxgk", "k1", seen)])
    load(state, tmp_path)
    con = duckdb.connect(str(state))
    con.execute("DROP TABLE raw_landing_files")  # as a state database of an older version
    con.close()
    second = land(tmp_path, date(2013, 1, 6), "ly-aic-xxgk", [listing("ly-aic-xxgk", "k2", seen)])
    result = load(state, tmp_path)
    assert result.runs_loaded == [(second, "ly-aic-xxgk")] and result.sets_recorded == 1
    assert load(state, tmp_path).sets_recorded == 0
    # a landing file that repeats part of a loaded batch is refused, not folded twice
    _batch(tmp_path, D1, {"ly-aic-xxgk": 1, "xl-aic-xxgk": 1})
    refused = load(state, tmp_path)
    assert refused.runs_loaded == [] and "ly-aic-xxgk/" + first in refused.rejected[0][1]


def test_a_fetch_log_without_its_batch_file_is_an_interrupted_harvest(tmp_path):
    run_id = _batch(tmp_path, D1, {"ly-aic-xxgk": 1})
    (tmp_path / "landing" / run_id / "batch.batch.parquet").unlink()
    result = load(tmp_path / "state.duckdb", tmp_path)
    assert result.runs_loaded == [] and result.interrupted == [
        str(tmp_path / "landing" / run_id / "batch.batch-fetches.parquet")
    ]
