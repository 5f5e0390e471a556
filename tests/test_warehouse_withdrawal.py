"""Withdrawals (docs/withdrawal.md): two complete full listings, never failed, partial or
incremental runs, and the 10% quarantine; incremental rows keep the detail fields."""

from __future__ import annotations

from datetime import date

from helpers.warehouse import land, listing, load_and_build, night, query

PORTAL = "ly-aic-xxgk"
NIGHTS = [date(2013, 1, day) for day in (5, 6, 7, 8, 9)]


def items(keys, day: date) -> list[dict]:
    """The portal's listing rows of `keys` as seen on `day`, each its own document."""
    seen = night(day)[1]
    return [listing(PORTAL, key, seen, index_no=f"IDX-{key}", title=f"文件{key}",
                    published_date=date(2012, 6, 1)) for key in keys]


ALL = [f"k{i:02d}" for i in range(20)]
WITHOUT_ONE = ALL[1:]  # k00 gone: 1 of 20 is 5%, under the quarantine share


def withdrawn(published) -> dict[str, tuple]:
    rows = query(published, "SELECT item_key, n_missed_listings, withdrawn_date FROM fct_sightings")
    return {key: (missed, when) for key, missed, when in rows}


def test_two_complete_full_listings_withdraw(tmp_path):
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(WITHOUT_ONE, NIGHTS[1]))
    published, _ = load_and_build(tmp_path)
    assert withdrawn(published)["k00"] == (1, None)  # one missing listing is not enough

    land(tmp_path, NIGHTS[2], PORTAL, items(WITHOUT_ONE, NIGHTS[2]))
    published, _ = load_and_build(tmp_path)
    state = withdrawn(published)
    # the first listing known not to show it started 2013-01-06 02:00 UTC (10:00 in China)
    assert state["k00"] == (2, NIGHTS[1])
    assert state["k01"] == (0, None)
    assert query(published, "SELECT is_withdrawn, withdrawn_date FROM fct_documents "
                            "WHERE index_no = 'IDX-k00'") == [(True, NIGHTS[1])]


def test_failed_partial_and_incremental_runs_never_withdraw(tmp_path):
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(WITHOUT_ONE, NIGHTS[1]), status="partial")
    land(tmp_path, NIGHTS[2], PORTAL, items(WITHOUT_ONE, NIGHTS[2]), status="failed")
    land(tmp_path, NIGHTS[3], PORTAL, items(WITHOUT_ONE[:3], NIGHTS[3]), mode="incremental")
    # a full walk that did not reach the end is not complete either
    land(tmp_path, NIGHTS[4], PORTAL, items(WITHOUT_ONE, NIGHTS[4]), complete=False)
    published, _ = load_and_build(tmp_path)
    assert withdrawn(published)["k00"] == (0, None)
    runs = query(published, "SELECT run_id, status, is_withdrawal_listing, n_new_sightings "
                            "FROM fct_portal_runs ORDER BY run_id")
    assert [(status, eligible) for _, status, eligible, _ in runs] == [
        ("ok", True), ("partial", False), ("failed", False), ("ok", False), ("ok", False)
    ]
    assert runs[0][3] == 20 and sum(run[3] for run in runs[1:]) == 0


def test_incremental_runs_between_full_listings_neither_count_nor_break(tmp_path):
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(WITHOUT_ONE, NIGHTS[1]))
    land(tmp_path, NIGHTS[2], PORTAL, items(WITHOUT_ONE[:2], NIGHTS[2]), mode="incremental")
    land(tmp_path, NIGHTS[3], PORTAL, items(WITHOUT_ONE, NIGHTS[3]))
    published, _ = load_and_build(tmp_path)
    assert withdrawn(published)["k00"] == (2, NIGHTS[1])


def test_a_sighting_seen_again_is_not_withdrawn(tmp_path):
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(WITHOUT_ONE, NIGHTS[1]))
    land(tmp_path, NIGHTS[2], PORTAL, items(["k00"], NIGHTS[2]), mode="incremental")
    land(tmp_path, NIGHTS[3], PORTAL, items(WITHOUT_ONE, NIGHTS[3]))
    published, _ = load_and_build(tmp_path)
    assert withdrawn(published)["k00"] == (1, None)


def test_a_listing_that_would_withdraw_over_ten_percent_is_quarantined(tmp_path):
    broken = ALL[3:]  # 3 of 20 gone: 15%
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(broken, NIGHTS[1]))
    land(tmp_path, NIGHTS[2], PORTAL, items(broken, NIGHTS[2]))
    land(tmp_path, NIGHTS[3], PORTAL, items(broken, NIGHTS[3]))
    published, result = load_and_build(tmp_path)
    # nights 3 and 4 are quarantined, so only nights 1 and 2 are eligible listings: the three
    # missing items have missed one of them (night 2) and none is withdrawn
    assert withdrawn(published) == {key: (1 if key in ALL[:3] else 0, None) for key in ALL}
    runs = query(published, "SELECT is_quarantined, n_would_withdraw, n_listed_before "
                            "FROM fct_portal_runs ORDER BY run_id")
    # night 2 withdraws nothing yet (first miss); nights 3 and 4 would withdraw 3 of 20
    assert runs == [(False, 0, 0), (False, 0, 20), (True, 3, 20), (True, 3, 20)]
    assert result.quarantined_runs == [(PORTAL, night(NIGHTS[2])[0]), (PORTAL, night(NIGHTS[3])[0])]
    held = query(published, "SELECT held FROM fct_totals WHERE system_id = 'ly-aic' AND level = 'all'")
    assert held == [(20,)]


def test_exactly_ten_percent_is_not_quarantined(tmp_path):
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(ALL[2:], NIGHTS[1]))
    land(tmp_path, NIGHTS[2], PORTAL, items(ALL[2:], NIGHTS[2]))
    published, _ = load_and_build(tmp_path)
    assert sorted(key for key, (_, when) in withdrawn(published).items() if when) == ["k00", "k01"]


def test_incremental_rows_without_detail_keep_the_detail_fields(tmp_path):
    full_seen = night(NIGHTS[0])[1]
    land(tmp_path, NIGHTS[0], PORTAL, [
        listing(PORTAL, "a", full_seen, title="关于甲的通知", index_no="IDX-a", published_date=date(2012, 6, 1),
                topic="市场监管", genre="通知", doc_no="龙工商〔2012〕1号", n_attachments=1),
    ])
    # incremental night: the listing row only (title as the list prints it), no detail page
    land(tmp_path, NIGHTS[1], PORTAL, [
        listing(PORTAL, "a", full_seen, detail=False, title="关于甲的通知（修订）", published_date=date(2012, 6, 1)),
    ], mode="incremental")
    published, _ = load_and_build(tmp_path)
    sighting = query(published, "SELECT title, index_no, doc_no, is_detail_fetched, has_fulltext, "
                                "last_run_id FROM fct_sightings")
    assert sighting == [("关于甲的通知", "IDX-a", "龙工商〔2012〕1号", True, True, night(NIGHTS[1])[0])]
    assert query(published, "SELECT topic, genre, is_official FROM fct_documents") == [("市场监管", "通知", True)]
