"""The sighting state over many nights: a late landing file, an item listed twice in one
run, incremental rows without their detail page, a first and a second miss; the published
figures worked out by hand from the rows landed; and the state the loads keep night by
night equals the state rebuilt from the landing files."""

from __future__ import annotations

from datetime import date

import duckdb
from helpers.warehouse import land, listing, load_and_build, night, query

from warehouse.db import connect
from warehouse.load import ensure_schema, load
from warehouse.rebuild import rebuild_state

PORTAL = "ly-aic-xxgk"
N1, N2, N3, N4, N5 = (date(2013, 1, day) for day in (5, 6, 7, 8, 9))
FILLER = [f"k{i:02d}" for i in range(20)]  # k00 goes after N1; 1 of 21 is under 10%


def filler(keys, day: date) -> list[dict]:
    seen = night(day)[1]
    return [
        listing(PORTAL, key, seen, index_no=f"IDX-{key}", title=f"文件{key}", published_date=date(2012, 6, 1))
        for key in keys
    ]


def item(key: str, day: date, page: int = 0, row: int = 0, detail: bool = True, **fields) -> dict:
    row_ = listing(PORTAL, key, night(day)[1], detail=detail, published_date=date(2012, 6, 1), **fields)
    row_.update(page_no=page, row_no=row)
    return row_


def nights(data_dir, which) -> dict[date, str]:
    """Land the nights of `which` (a subset of N1..N5); return their run ids."""
    runs = {
        N1: lambda: land(
            data_dir,
            N1,
            PORTAL,
            filler(FILLER, N1) + [item("m", N1, title="甲", index_no="IDX-m", publisher_name="龙岩市工商局")],
        ),
        # incremental: m's listing row only (no detail page), and the new item n with its detail
        N2: lambda: land(
            data_dir,
            N2,
            PORTAL,
            [item("m", N2, detail=False, title="甲（列表）"), item("n", N2, title="乙", index_no="IDX-n")],
            mode="incremental",
        ),
        N3: lambda: land(
            data_dir,
            N3,
            PORTAL,
            filler(FILLER[1:], N3)
            + [item("m", N3, title="甲二", index_no="IDX-m"), item("n", N3, detail=False, title="乙")],
        ),
        # m twice in one run: the row nearer the top of the listing is the latest
        N4: lambda: land(
            data_dir,
            N4,
            PORTAL,
            filler(FILLER[1:], N4)
            + [
                item("m", N4, page=1, row=0, title="甲旧", index_no="IDX-m"),
                item("m", N4, page=0, row=3, title="甲三", index_no="IDX-m", publisher_name="新罗工商分局"),
                item("n", N4, detail=False, title="乙"),
            ],
        ),
        N5: lambda: land(
            data_dir,
            N5,
            PORTAL,
            filler(FILLER[1:], N5)
            + [item("m", N5, detail=False, title="甲（列表五）"), item("n", N5, detail=False, title="乙")],
        ),
    }
    return {day: runs[day]() for day in which}


def sightings(published) -> dict[str, tuple]:
    rows = query(
        published,
        "SELECT item_key, title, publisher_name, unit_id, is_detail_fetched, "
        "first_run_id, last_run_id, n_missed_listings, withdrawn_date "
        "FROM fct_sightings",
    )
    return {key: tuple(rest) for key, *rest in rows}


def test_a_late_landing_file_gives_the_state_of_the_nights_in_order(tmp_path):
    run = nights(tmp_path, (N1, N2, N4, N5))
    published, _ = load_and_build(tmp_path)
    # without N3: k00 first missed by N4
    assert sightings(published)["k00"][-2:] == (2, N4)

    run |= nights(tmp_path, (N3,))  # N3's landing file arrives after N4's and N5's
    published, result = load_and_build(tmp_path)
    state = sightings(published)
    assert result.n_sightings == 22 and len(state) == 22
    # k00: last seen N1, missed by N3, N4, N5; withdrawn as of N3, the first of them
    assert state["k00"] == ("文件k00", None, "ly-aic", True, run[N1], run[N1], 3, N3)
    assert state["k01"] == ("文件k01", None, "ly-aic", True, run[N1], run[N5], 0, None)
    # m: latest row N5 (listing only), overlaid by the latest detail row: N4 page 0 row 3
    # (not N3's, loaded later, nor N4's page 1 row), whose publisher it names. N5's list row
    # differs from the one read with that detail page (another listing hash), so the title
    # N5's list prints is the newer (docs/matching.md, Sighting state)
    assert state["m"] == ("甲（列表五）", "新罗工商分局", "xl-aic", True, run[N1], run[N5], 0, None)
    # n: first listed by the incremental N2, with its detail page
    assert state["n"] == ("乙", None, "ly-aic", True, run[N2], run[N5], 0, None)
    assert query(published, "SELECT count(*), count(*) FILTER (WHERE is_withdrawn) FROM fct_documents") == [(22, 1)]
    assert query(
        published,
        "SELECT run_id, is_withdrawal_listing, n_would_withdraw, n_listed_before "
        "FROM fct_portal_runs WHERE mode = 'full' ORDER BY run_id",
    ) == [(run[N1], True, 0, 0), (run[N3], True, 0, 22), (run[N4], True, 1, 22), (run[N5], True, 0, 21)]


def state_of(state_path) -> dict[str, list[tuple]]:
    """Every row of the state tables, sorted; raw_runs without the time it was loaded."""
    con = duckdb.connect(str(state_path), read_only=True)
    try:
        return {
            table: sorted(con.execute(sql).fetchall(), key=repr)
            for table, sql in (
                ("raw_sightings", "SELECT * FROM raw_sightings"),
                ("raw_sighting_details", "SELECT * FROM raw_sighting_details"),
                ("raw_detail_attempts", "SELECT * FROM raw_detail_attempts"),
                ("raw_runs", "SELECT * EXCLUDE (loaded_at) FROM raw_runs"),
            )
        }
    finally:
        con.close()


def test_the_state_kept_night_by_night_equals_the_state_rebuilt_from_the_landing_files(tmp_path):
    state = tmp_path / "state.duckdb"
    run = nights(tmp_path, (N1, N2))
    load(state, tmp_path)
    run |= nights(tmp_path, (N4, N5))
    load(state, tmp_path)
    run |= nights(tmp_path, (N3,))  # late
    assert load(state, tmp_path).runs_loaded == [(run[N3], PORTAL)]
    assert load(state, tmp_path).runs_loaded == []
    # N4 loaded a second time (its run row and its manifest rows gone): its rows are folded
    # again, nothing moves
    before = state_of(state)
    con = duckdb.connect(str(state))
    con.execute("DELETE FROM raw_runs WHERE run_id = ?", [run[N4]])
    con.execute("DELETE FROM raw_landing_files WHERE marker LIKE ?", [f"{run[N4]}/%"])
    con.close()
    assert load(state, tmp_path).runs_loaded == [(run[N4], PORTAL)]
    kept = state_of(state)
    assert kept == before

    assert rebuild_state(state, tmp_path, runs_per_batch=2).rejected == []
    assert state_of(state) == kept
    assert [len(kept[table]) for table in ("raw_sightings", "raw_sighting_details", "raw_runs")] == [22, 22, 5]
    con = duckdb.connect(str(state), read_only=True)
    m = con.execute(
        "SELECT run_id, title, first_run_id, last_run_id FROM raw_sightings WHERE item_key = 'm'"
    ).fetchall()
    m_detail = con.execute(
        "SELECT run_id, page_no, row_no, title FROM raw_sighting_details WHERE item_key = 'm'"
    ).fetchall()
    con.close()
    assert m == [(run[N5], "甲（列表五）", run[N1], run[N5])]
    assert m_detail == [(run[N4], 0, 3, "甲三")]


def test_an_older_state_database_of_every_landing_row_is_folded_once(tmp_path):
    nights(tmp_path, (N1, N2, N3, N4, N5))
    load(tmp_path / "state.duckdb", tmp_path)
    old = tmp_path / "old.duckdb"
    con = connect(old)
    con.execute(
        "CREATE TABLE raw_listings AS SELECT * REPLACE (CAST(seen_at AS TIMESTAMP) AS seen_at) FROM read_parquet(?)",
        [str(tmp_path / "landing" / "*" / "*.listings.parquet")],
    )
    ensure_schema(con)
    tables = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert "raw_listings" not in tables
    new, folded = state_of(tmp_path / "state.duckdb"), state_of(old)
    assert folded["raw_sightings"] == new["raw_sightings"]
    assert folded["raw_sighting_details"] == new["raw_sighting_details"]
