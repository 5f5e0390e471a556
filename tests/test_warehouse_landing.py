"""Landing files and the loader, plus the small landing world the warehouse tests share.

Rows are written through `write_landing` exactly as the flows write them, loaded into a real
DuckDB state file under tmp_path and built; nothing is mocked.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse.build import build, known_items
from warehouse.landing import LANDING_SCHEMA, LandingError, landing_paths, write_landing
from warehouse.load import load

#: The metadata fields of a listing, in the order of connectors.records.FIELDS.
FIELDS = (
    "title", "index_no", "doc_no", "publisher_name", "published_date", "written_date",
    "topic", "function", "audience", "genre", "validity", "disclosure",
)

#: A province bureau, a city bureau below it, and two county bureaus below the city.
UNITS = [
    {"id": "fj-aic", "name": "福建省工商行政管理局", "level": "province", "region": "350000",
     "parent": None, "aliases": ["福建省工商局"]},
    {"id": "ly-aic", "name": "龙岩市工商行政管理局", "level": "city", "region": "350800",
     "parent": "fj-aic", "aliases": ["龙岩市工商局"]},
    {"id": "xl-aic", "name": "新罗区工商行政管理局", "level": "county", "region": "350802",
     "parent": "ly-aic", "aliases": ["新罗工商分局"]},
    {"id": "ct-aic", "name": "长汀县工商行政管理局", "level": "county", "region": "350821",
     "parent": "ly-aic", "aliases": []},
]

#: Each bureau's own portal, and the province government portal that lists many units.
PORTALS = [
    {"id": "fj-gov", "name": "福建省政府信息公开", "level": "province", "region": "350000",
     "platform": "ssp", "url": "http://fj.example/", "unit": None, "details": "new"},
    {"id": "fj-aic-xxgk", "name": "福建省工商局信息公开", "level": "province", "region": "350000",
     "platform": "trs", "url": "http://fjaic.example/", "unit": "fj-aic", "details": "new"},
    {"id": "ly-aic-xxgk", "name": "龙岩市工商局信息公开", "level": "city", "region": "350800",
     "platform": "trs", "url": "http://ly.example/", "unit": "ly-aic", "details": "new"},
    {"id": "xl-aic-xxgk", "name": "新罗区工商局信息公开", "level": "county", "region": "350802",
     "platform": "hanweb", "url": "http://xl.example/", "unit": "xl-aic", "details": "new"},
    {"id": "ct-aic-xxgk", "name": "长汀县工商局信息公开", "level": "county", "region": "350821",
     "platform": "hanweb", "url": "http://ct.example/", "unit": "ct-aic", "details": "new"},
]


def night(day: date) -> tuple[str, datetime]:
    """The run_id and start time (02:00 UTC) of the harvest on `day`."""
    started = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    return started.strftime("%Y%m%dT%H%M%SZ"), started


def listing(portal_id: str, item_key: str, seen_at: datetime, detail: bool = True, **fields) -> dict:
    """One landing row as `dataclasses.asdict(Listing)` gives it; `fields` set the metadata.

    A row with a detail page gets has_body True and no attachments unless told otherwise.
    """
    row = {
        "portal_id": portal_id,
        "item_key": item_key,
        "url": f"http://{portal_id}.example/{item_key}.html",
        "list_url": f"http://{portal_id}.example/index.html",
        "page_no": 0,
        "row_no": 0,
        "seen_at": seen_at,
        "listing_hash": f"{item_key}:{sorted(fields.items())}",
        "flags": None,
        "detail_fetched": detail,
        "detail_sha256": f"sha-{item_key}" if detail else None,
        "has_body": True if detail else None,
        "n_attachments": 0 if detail else None,
    }
    for name in FIELDS:
        row[name] = None
        row[f"{name}_raw"] = None
    for name, value in fields.items():
        if name not in row:
            raise KeyError(name)
        row[name] = value
        if name in FIELDS:
            row[f"{name}_raw"] = str(value) if value is not None else None
    return row


def land(data_dir: Path, day: date, portal_id: str, rows: list[dict], mode: str = "full",
         status: str = "ok", complete: bool | None = None) -> str:
    """Write one portal's run of `day` (rows' seen_at set to the run's start); return run_id."""
    run_id, started = night(day)
    for row in rows:
        row["seen_at"] = started + timedelta(minutes=1)
    if complete is None:
        complete = mode == "full" and status == "ok"
    run = {
        "portal_id": portal_id, "run_id": run_id, "mode": mode, "status": status,
        "reason": None if status == "ok" else "listing page 3 timed out",
        "started_at": started, "finished_at": started + timedelta(minutes=5), "pages": 1,
        "rows": len(rows), "advertised_total": len(rows), "details_fetched": len(rows),
        "requests": len(rows) + 1, "retries": 0, "bytes": 1000, "complete": complete,
        "errors": [] if status == "ok" else ["page 3: timeout"],
    }
    write_landing(data_dir, run_id, portal_id, rows, run)
    return run_id


def load_and_build(data_dir: Path, units: list[dict] = UNITS, portals: list[dict] = PORTALS):
    """Load every landing run and build the published file; return (published path, result)."""
    state = data_dir / "state.duckdb"
    published = data_dir / "xxgk.duckdb"
    load(state, data_dir)
    return published, build(state, published, units, portals)


def query(published: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of `sql` over the published file, read-only, as analysts read it."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def raw_count(data_dir: Path) -> int:
    """How many listing rows the state database holds."""
    con = duckdb.connect(str(data_dir / "state.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM raw_listings").fetchone()[0]
    finally:
        con.close()


D1 = date(2013, 1, 5)


def test_landing_round_trips_every_field(tmp_path):
    seen = datetime(2013, 1, 5, 2, 1, tzinfo=UTC)
    row = listing("ly-aic-xxgk", "t20120305_1", seen, title="关于A的通知", index_no="FJ-001",
                  published_date=date(2012, 3, 5), n_attachments=2)
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
        "SELECT title, index_no, published_date, seen_at, n_attachments, run_id FROM raw_listings"
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
    run = {"portal_id": "ly-aic-xxgk", "run_id": run_id, "mode": "full", "status": "ok",
           "started_at": started}
    with pytest.raises(LandingError, match="belongs to portal"):
        write_landing(tmp_path, run_id, "ly-aic-xxgk", [listing("xl-aic-xxgk", "k", seen)], run)
    with pytest.raises(LandingError, match="not a safe name"):
        write_landing(tmp_path, run_id, "../etc", [], {**run, "portal_id": "../etc"})
    bad_date = listing("ly-aic-xxgk", "k", seen, published_date="2012年3月5日")
    with pytest.raises(LandingError, match="landing schema"):
        write_landing(tmp_path, run_id, "ly-aic-xxgk", [bad_date], run)
    assert not (tmp_path / "landing" / run_id).exists() or not any(
        (tmp_path / "landing" / run_id).iterdir()
    )


def test_known_items_gives_the_latest_hash_of_each_item(tmp_path):
    state = tmp_path / "state.duckdb"
    assert known_items(state, "ly-aic-xxgk") == {}
    seen = datetime(2013, 1, 5, 2, tzinfo=UTC)
    land(tmp_path, D1, "ly-aic-xxgk", [listing("ly-aic-xxgk", "a", seen, title="旧标题"),
                                       listing("ly-aic-xxgk", "b", seen, title="乙")])
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
    assert [reason for _, reason in result.rejected] == [
        "xl-aic-xxgk.listings.parquet: page_no is string, not int32"
    ]
    assert raw_count(tmp_path) == 1
