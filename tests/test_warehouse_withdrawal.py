"""Withdrawals (docs/withdrawal.md): two complete full listings, never failed, partial or
incremental runs, and the 10% quarantine with its release, approval and rejection;
incremental rows keep the detail fields."""

from __future__ import annotations

from datetime import UTC, date, datetime

from helpers.warehouse import land, listing, load_and_build, night, query

from warehouse.decisions import Decision, append_decision

PORTAL = "ly-aic-xxgk"
NIGHTS = [date(2013, 1, day) for day in (5, 6, 7, 8, 9)]


def items(keys, day: date) -> list[dict]:
    """The portal's listing rows of `keys` as seen on `day`, each its own document."""
    seen = night(day)[1]
    return [
        listing(PORTAL, key, seen, index_no=f"IDX-{key}", title=f"文件{key}", published_date=date(2012, 6, 1))
        for key in keys
    ]


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
    assert query(published, "SELECT is_withdrawn, withdrawn_date FROM fct_documents WHERE index_no = 'IDX-k00'") == [
        (True, NIGHTS[1])
    ]


def test_failed_partial_and_incremental_runs_never_withdraw(tmp_path):
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(WITHOUT_ONE, NIGHTS[1]), status="partial")
    land(tmp_path, NIGHTS[2], PORTAL, items(WITHOUT_ONE, NIGHTS[2]), status="failed")
    land(tmp_path, NIGHTS[3], PORTAL, items(WITHOUT_ONE[:3], NIGHTS[3]), mode="incremental")
    # a full walk that did not reach the end is not complete either
    land(tmp_path, NIGHTS[4], PORTAL, items(WITHOUT_ONE, NIGHTS[4]), complete=False)
    published, _ = load_and_build(tmp_path)
    assert withdrawn(published)["k00"] == (0, None)
    runs = query(
        published, "SELECT run_id, status, is_withdrawal_listing, n_new_sightings FROM fct_portal_runs ORDER BY run_id"
    )
    assert [(status, eligible) for _, status, eligible, _ in runs] == [
        ("ok", True),
        ("partial", False),
        ("failed", False),
        ("ok", False),
        ("ok", False),
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
    runs = query(
        published, "SELECT is_quarantined, n_would_withdraw, n_listed_before FROM fct_portal_runs ORDER BY run_id"
    )
    # night 2 withdraws nothing yet (first miss); nights 3 and 4 would withdraw 3 of 20
    assert runs == [(False, 0, 0), (False, 0, 20), (True, 3, 20), (True, 3, 20)]
    assert result.quarantined_runs == [(PORTAL, night(NIGHTS[2])[0]), (PORTAL, night(NIGHTS[3])[0])]
    held = query(published, "SELECT year, held FROM fct_totals WHERE system_id = 'ly-aic' AND level = 'all' ORDER BY 1")
    assert held == [(2012, 20), (2013, 20)]  # the nights' year (2013) holds them still


def test_exactly_ten_percent_is_not_quarantined(tmp_path):
    land(tmp_path, NIGHTS[0], PORTAL, items(ALL, NIGHTS[0]))
    land(tmp_path, NIGHTS[1], PORTAL, items(ALL[2:], NIGHTS[1]))
    land(tmp_path, NIGHTS[2], PORTAL, items(ALL[2:], NIGHTS[2]))
    published, _ = load_and_build(tmp_path)
    assert sorted(key for key, (_, when) in withdrawn(published).items() if when) == ["k00", "k01"]


def test_incremental_rows_without_detail_keep_the_detail_fields(tmp_path):
    full_seen = night(NIGHTS[0])[1]
    land(
        tmp_path,
        NIGHTS[0],
        PORTAL,
        [
            listing(
                PORTAL,
                "a",
                full_seen,
                title="关于甲的通知",
                index_no="IDX-a",
                published_date=date(2012, 6, 1),
                topic="市场监管",
                genre="通知",
                doc_no="龙工商〔2012〕1号",
                n_attachments=1,
                listing_hash="list-a",
            ),
        ],
    )
    # incremental night: the listing row only (title as the list prints it), no detail page;
    # the list row is the one read with the detail page (the same listing hash), so the
    # detail page's fields stand (docs/matching.md, Sighting state)
    land(
        tmp_path,
        NIGHTS[1],
        PORTAL,
        [
            listing(
                PORTAL,
                "a",
                full_seen,
                detail=False,
                title="关于甲的通知（修订）",
                published_date=date(2012, 6, 1),
                listing_hash="list-a",
            ),
        ],
        mode="incremental",
    )
    published, _ = load_and_build(tmp_path)
    sighting = query(
        published, "SELECT title, index_no, doc_no, is_detail_fetched, has_fulltext, last_run_id FROM fct_sightings"
    )
    assert sighting == [("关于甲的通知", "IDX-a", "龙工商〔2012〕1号", True, True, night(NIGHTS[1])[0])]
    assert query(published, "SELECT topic, genre, is_official FROM fct_documents") == [("市场监管", "通知", True)]


# --- the quarantine's release, approval and rejection -------------------------------------
# Nights of 2013 and documents published in 2013, so fct_totals' 2013 row shows a withdrawal.
JAN = [date(2013, 1, day) for day in range(5, 12)]  # JAN[0] = 5 January ... JAN[6] = 11 January
KEPT = ALL[4:]  # k00..k03 removed for good: 4 of 20 is 20%, over the quarantine share


def items13(keys, day: date, index=lambda key: f"IDX-{key}") -> list[dict]:
    """Listing rows of `keys` on `day`, published 1 January 2013."""
    seen = night(day)[1]
    return [
        listing(PORTAL, key, seen, index_no=index(key), title=f"文件{key}", published_date=date(2013, 1, 1))
        for key in keys
    ]


def runs_of(published) -> list[tuple]:
    """Per run: state, eligible, pending, confirmations, first missed, would withdraw, listed."""
    return query(
        published,
        "SELECT quarantine_state, is_withdrawal_listing, is_quarantine_pending, "
        "n_confirmations, first_missed_run_id, n_would_withdraw, n_listed_before "
        "FROM fct_portal_runs ORDER BY run_id",
    )


def held_2013(published) -> int:
    return query(published, "SELECT held FROM fct_totals WHERE system_id = 'ly-aic' AND level = 'all' AND year = 2013")[
        0
    ][0]


def decide(data_dir, day: date, decision: str, reason: str) -> None:
    append_decision(
        data_dir, Decision(PORTAL, night(day)[0], decision, reason, "ops", datetime(2013, 1, 12, 3, tzinfo=UTC))
    )


ELIGIBLE = ("none", True, False, None, None, 0)  # then n_listed_before


def test_a_genuine_removal_is_released_after_three_confirmations(tmp_path):
    n2 = night(JAN[1])[0]
    land(tmp_path, JAN[0], PORTAL, items13(ALL, JAN[0]))
    land(tmp_path, JAN[1], PORTAL, items13(KEPT, JAN[1]))
    published, result = load_and_build(tmp_path)
    # night 2 is the first miss of k00..k03: eligible, it withdraws nothing yet
    assert runs_of(published) == [(*ELIGIBLE, 0), (*ELIGIBLE, 20)]
    assert held_2013(published) == 20 and result.quarantined_runs == []

    # nights 3 and 4 would withdraw k00..k03 (4 of the 20 listed before, 20% > 10%):
    # quarantined and pending, the first and second confirmation; nothing is withdrawn
    for n, day in enumerate(JAN[2:4], start=1):
        land(tmp_path, day, PORTAL, items13(KEPT, day))
        published, result = load_and_build(tmp_path)
        assert runs_of(published)[2:] == [("quarantined", False, True, k, n2, 4, 20) for k in range(1, n + 1)]
        assert result.quarantined_runs == [(PORTAL, night(d)[0]) for d in JAN[2 : 2 + n]]
        assert held_2013(published) == 20
        assert withdrawn(published)["k00"] == (1, None)  # night 2 is its only eligible miss

    # night 5 is the third confirmation: nights 3, 4 and 5 are released (eligible, ordinals
    # 3-5). k00..k03, last seen on night 1, missed the eligible nights 2, 3, 4 and 5; their
    # withdrawn_date is night 2's (6 January), the first listing known not to show them
    land(tmp_path, JAN[4], PORTAL, items13(KEPT, JAN[4]))
    published, result = load_and_build(tmp_path)
    assert runs_of(published)[2:] == [("released", True, False, k, n2, 4, 20) for k in (1, 2, 3)]
    assert result.quarantined_runs == [] and result.pending_quarantines == []
    state = withdrawn(published)
    assert {key: state[key] for key in ALL[:4]} == {key: (4, JAN[1]) for key in ALL[:4]}
    assert all(state[key] == (0, None) for key in KEPT)
    assert query(published, "SELECT DISTINCT withdrawn_reason FROM fct_sightings WHERE is_withdrawn") == [
        ("missed listings",)
    ]
    assert held_2013(published) == 16  # 20 documents, 4 withdrawn on 6 January 2013

    # night 6: previous eligible night 5, previous-but-one night 4; the 16 kept items listed
    # before it, none missing: an ordinary eligible listing
    land(tmp_path, JAN[5], PORTAL, items13(KEPT, JAN[5]))
    published, _ = load_and_build(tmp_path)
    assert runs_of(published)[5] == (*ELIGIBLE, 16)


def test_an_approval_releases_the_quarantine_at_once(tmp_path):
    n2 = night(JAN[1])[0]
    land(tmp_path, JAN[0], PORTAL, items13(ALL, JAN[0]))
    for day in JAN[1:4]:
        land(tmp_path, day, PORTAL, items13(KEPT, day))
    published, result = load_and_build(tmp_path)
    assert [row[0] for row in runs_of(published)] == ["none", "none", "quarantined", "quarantined"]
    assert held_2013(published) == 20

    # approving night 4 (the second confirmation) releases its quarantine: nights 3 and 4
    decide(tmp_path, JAN[3], "approved", "the bureau repealed four notices")
    published, result = load_and_build(tmp_path)
    assert runs_of(published)[2:] == [("approved", True, False, 1, n2, 4, 20), ("approved", True, False, 2, n2, 4, 20)]
    assert result.quarantined_runs == []
    # missed nights 2, 3 and 4, all eligible; withdrawn as of night 2 (6 January)
    assert withdrawn(published)["k00"] == (3, JAN[1])
    assert held_2013(published) == 16
    decisions = query(
        published,
        "SELECT run_id, decision, decision_reason, decided_by, decided_at "
        "FROM fct_portal_runs WHERE decision IS NOT NULL",
    )
    assert decisions == [
        (night(JAN[3])[0], "approved", "the bureau repealed four notices", "ops", datetime(2013, 1, 12, 3))
    ]


def test_a_rejected_listing_never_counts(tmp_path):
    n2 = night(JAN[1])[0]
    land(tmp_path, JAN[0], PORTAL, items13(ALL, JAN[0]))
    land(tmp_path, JAN[1], PORTAL, items13(KEPT, JAN[1]))
    land(tmp_path, JAN[2], PORTAL, items13(KEPT, JAN[2]))
    decide(tmp_path, JAN[2], "rejected", "the index was half rebuilt")
    published, result = load_and_build(tmp_path)
    # rejected: not eligible, not pending, not a confirmation; nothing withdrawn
    assert runs_of(published)[2] == ("rejected", False, False, None, n2, 4, 20)
    assert result.quarantined_runs == []
    assert withdrawn(published)["k00"] == (1, None) and held_2013(published) == 20

    # a rejection is of one listing: later listings that still miss k00..k03 are quarantined
    # and counted afresh (nights 4, 5, 6), and the third releases them; night 3 stays out,
    # so k00..k03 missed the eligible nights 2, 4, 5 and 6
    for day in JAN[3:6]:
        land(tmp_path, day, PORTAL, items13(KEPT, day))
    published, _ = load_and_build(tmp_path)
    assert [row[:4] for row in runs_of(published)[2:]] == [
        ("rejected", False, False, None),
        ("released", True, False, 1),
        ("released", True, False, 2),
        ("released", True, False, 3),
    ]
    assert withdrawn(published)["k00"] == (4, JAN[1]) and held_2013(published) == 16


def test_a_migration_withdraws_the_old_sightings_and_keeps_every_document(tmp_path):
    """Night 1 lists a00..a19; from night 2 the CMS lists the same documents (same index_no)
    as b00..b19. Every night: 20 documents, each counted once, all held."""
    old = [f"a{i:02d}" for i in range(20)]
    new = [f"b{i:02d}" for i in range(20)]
    index = lambda key: f"IDX-{key[1:]}"  # noqa: E731 - a00 and b00 are one document
    n2 = night(JAN[1])[0]
    expected_runs = [
        [(*ELIGIBLE, 0)],
        [(*ELIGIBLE, 0), (*ELIGIBLE, 20)],
        # night 3: listed before = the 20 old and the 20 new sightings; would withdraw the 20
        # old ones, last seen before night 2: 50% - quarantined
        [(*ELIGIBLE, 0), (*ELIGIBLE, 20), ("quarantined", False, True, 1, n2, 20, 40)],
        [
            (*ELIGIBLE, 0),
            (*ELIGIBLE, 20),
            ("quarantined", False, True, 1, n2, 20, 40),
            ("quarantined", False, True, 2, n2, 20, 40),
        ],
        [(*ELIGIBLE, 0), (*ELIGIBLE, 20)] + [("released", True, False, k, n2, 20, 40) for k in (1, 2, 3)],
    ]
    for n, day in enumerate(JAN[:5]):
        land(tmp_path, day, PORTAL, items13(old if n == 0 else new, day, index))
        published, _ = load_and_build(tmp_path)
        assert runs_of(published) == expected_runs[n]
        assert query(
            published, "SELECT count(*), count(*) FILTER (WHERE is_withdrawn), sum(n_sightings) FROM fct_documents"
        ) == [(20, 0, 20 if n == 0 else 40)]
        assert held_2013(published) == 20
    state = withdrawn(published)
    assert {state[key] for key in old} == {(4, JAN[1])}  # missed nights 2-5, dated night 2
    assert {state[key] for key in new} == {(0, None)}
