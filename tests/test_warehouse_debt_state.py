"""The detail debt kept by the load (warehouse/state.py, `raw_detail_attempts`): the owed
pages, their attempts since the last read, the night of the latest and the night they became
owed, the same whatever the order the nights are loaded in, in one batch or one by one, a
run loaded twice, or the state rebuilt from the landing files. Figures worked out by hand.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow.parquet as pq
import pytest
from helpers.warehouse import land, listing, night

from connectors.detail_debt import OwedDetail
from warehouse.landing import landing_paths
from warehouse.landing_schema import LATER_COLUMNS
from warehouse.load import load
from warehouse.portal_state import owed_details
from warehouse.rebuild import rebuild_state

PORTAL = "ly-aic-xxgk"
N1, N2, N3, N4, N5 = (date(2013, 1, day) for day in (5, 6, 7, 8, 9))
FAILED, NOT_ASKED, READ = "failed", "not asked", "read"


def row(key: str, day: date, outcome: str, kind: str = "listing") -> dict:
    """A listing row (or a detail row: an owed page asked for again) and what became of its
    detail page."""
    got = listing(PORTAL, key, night(day)[1], detail=outcome == READ, title=f"文件{key}")
    got.update(
        row_kind=kind,
        detail_attempted=outcome != NOT_ASKED,
        detail_error=None if outcome == READ else "circuit open" if outcome == NOT_ASKED else "HTTP 503",
    )
    if kind == "detail":
        got.update(page_no=None, row_no=None, listing_hash=None)
    return got


NIGHTS = {
    # a: failed twice, paid by a detail row, not asked, failed: 1 attempt since the read
    # b: read, then failed twice as a listing row and once as a detail row: 3 attempts
    # c: failed, then read: not owed;  d: read once: not owed
    N1: [row("a", N1, FAILED), row("b", N1, READ), row("d", N1, READ)],
    N2: [row("a", N2, FAILED), row("b", N2, FAILED), row("c", N2, FAILED)],
    N3: [row("a", N3, READ, "detail"), row("b", N3, FAILED)],
    N4: [row("a", N4, NOT_ASKED), row("c", N4, READ)],
    N5: [row("a", N5, FAILED), row("b", N5, FAILED, "detail")],
}
URL = f"http://{PORTAL}.example/{{}}.html"


def hash_of(key: str) -> str:
    """The listing hash `helpers.warehouse.listing` gives a row titled 文件{key}."""
    return f"{key}:[('title', '文件{key}')]"


# a's latest request is N5's listing row; b's latest listing row among its requests is N3's
# (N5's is a detail row, which has no listing hash)
OWED = {
    "a": OwedDetail(URL.format("a"), 1, N5, N4, None, hash_of("a")),
    "b": OwedDetail(URL.format("b"), 3, N5, N2, None, hash_of("b")),
}


def state_of(state_path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(state_path), read_only=True)
    try:
        return {
            table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in ("raw_sightings", "raw_sighting_details", "raw_detail_attempts")
        }
    finally:
        con.close()


def load_in(tmp_path, batches) -> tuple[dict, dict]:
    """Land and load the nights batch by batch; the owed pages and the state tables."""
    state = tmp_path / "state.duckdb"
    for batch in batches:
        for day in batch:
            land(tmp_path, day, PORTAL, [dict(r) for r in NIGHTS[day]], mode="incremental")
        load(state, tmp_path)
    return owed_details(state, PORTAL), state_of(state)


ORDERS = [
    [[N1], [N2], [N3], [N4], [N5]],
    [[N5], [N4], [N3], [N2], [N1]],
    [[N1, N2, N3, N4, N5]],
    [[N3], [N1, N5], [N2], [N4]],
    [[N2, N4], [N5], [N1], [N3]],
]


@pytest.mark.parametrize("order", ORDERS, ids=["in order", "reversed", "one batch", "mixed", "late"])
def test_the_owed_pages_do_not_depend_on_the_order_of_the_loads(tmp_path, order):
    reference, kept = load_in(tmp_path / "ref", ORDERS[0])
    assert reference == OWED
    owed, state = load_in(tmp_path / "other", order)
    assert owed == OWED
    assert state == kept


def test_a_run_loaded_again_or_a_rebuild_changes_no_debt(tmp_path):
    owed, kept = load_in(tmp_path, ORDERS[0])
    state = tmp_path / "state.duckdb"
    con = duckdb.connect(str(state))
    con.execute("DELETE FROM raw_runs WHERE run_id = ?", [night(N2)[0]])
    con.execute("DELETE FROM raw_landing_files WHERE marker LIKE ?", [f"{night(N2)[0]}/%"])  # as if never loaded
    con.close()
    assert load(state, tmp_path).runs_loaded == [(night(N2)[0], PORTAL)]
    assert (owed_details(state, PORTAL), state_of(state)) == (OWED, kept)
    assert rebuild_state(state, tmp_path, runs_per_batch=2).rejected == []
    assert (owed_details(state, PORTAL), state_of(state)) == (OWED, kept)


def test_only_listing_rows_make_the_sighting_and_detail_rows_of_either_kind_overlay_it(tmp_path):
    load_in(tmp_path, ORDERS[0])
    con = duckdb.connect(str(tmp_path / "state.duckdb"), read_only=True)
    try:
        spans = con.execute(
            "SELECT item_key, run_id, first_run_id, last_run_id, row_kind FROM raw_sightings ORDER BY item_key"
        ).fetchall()
        details = con.execute(
            "SELECT item_key, run_id, row_kind FROM raw_sighting_details ORDER BY item_key"
        ).fetchall()
    finally:
        con.close()
    run = {day: night(day)[0] for day in NIGHTS}
    # a's latest row is N5's listing row; b's is N3's (N5 brought a detail row only)
    assert spans == [
        ("a", run[N5], run[N1], run[N5], "listing"),
        ("b", run[N3], run[N1], run[N3], "listing"),
        ("c", run[N4], run[N2], run[N4], "listing"),
        ("d", run[N1], run[N1], run[N1], "listing"),
    ]
    assert details == [
        ("a", run[N3], "detail"),
        ("b", run[N1], "listing"),
        ("c", run[N4], "listing"),
        ("d", run[N1], "listing"),
    ]


def test_a_state_database_made_before_the_debt_columns_gets_them(tmp_path):
    load_in(tmp_path, [[N1, N2]])
    state = tmp_path / "state.duckdb"
    con = duckdb.connect(str(state))
    for table in ("raw_sightings", "raw_sighting_details"):
        for name in ("row_kind", "detail_attempted", "detail_error", "detail_gone"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
    con.execute("DROP TABLE raw_detail_attempts")
    con.close()
    owed, _ = load_in(tmp_path, [[N3, N4, N5]])
    # N1's and N2's failures went with the old database: a owes N4 and N5 (1 attempt), b
    # N3 and N5 (its N2 failure is forgotten)
    assert owed == {
        "a": OwedDetail(URL.format("a"), 1, N5, N4, None, hash_of("a")),
        "b": OwedDetail(URL.format("b"), 2, N5, N3, None, hash_of("b")),
    }
    assert len(state_of(state)["raw_sightings"]) == 4


def drop_columns(data_dir, day: date, names: list[str]) -> None:
    """Rewrite a night's listings file without `names`, as an older harvester wrote it."""
    path = landing_paths(data_dir, night(day)[0], PORTAL)["listings"]
    pq.write_table(pq.read_table(path).drop_columns(names), path)


def test_landing_files_of_every_older_generation_load_with_the_same_debt(tmp_path):
    for day in NIGHTS:
        land(tmp_path, day, PORTAL, [dict(r) for r in NIGHTS[day]], mode="incremental")
    # N1 from before the debt's columns; N4 and N5 from before `detail_gone`. N1's failure of
    # a is forgotten, but a was read on N3 since, so the debt is the same.
    drop_columns(tmp_path, N1, list(LATER_COLUMNS))
    for day in (N4, N5):
        drop_columns(tmp_path, day, ["detail_gone"])
    state = tmp_path / "state.duckdb"
    assert load(state, tmp_path).rejected == []
    assert owed_details(state, PORTAL) == OWED


def test_a_landing_file_lacking_a_column_older_than_the_later_ones_is_refused(tmp_path):
    land(tmp_path, N2, PORTAL, [dict(r) for r in NIGHTS[N2]], mode="incremental")
    drop_columns(tmp_path, N2, ["flags", "detail_gone"])
    [(_, reason)] = load(tmp_path / "state.duckdb", tmp_path).rejected
    assert reason.endswith("lacks columns flags, detail_gone")
