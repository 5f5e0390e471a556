"""The title rule on real portals' titles (docs/matching.md, rule title): runs of dates made by
single linkage, so a copy that turns up later never splits a document; a cap on a run's span;
titles that name a kind of document (通知, 工作动态) or that a unit gives many items a year
never identify a document on their own. Hand-made landing rows on the small world of
tests/helpers/warehouse.py, built into real DuckDB files."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from helpers.warehouse import land, listing, load_and_build, night, query
from hypothesis import example, given, settings
from hypothesis import strategies as st

D1, D2 = date(2013, 1, 5), date(2013, 1, 6)
CITY = "龙岩市工商局"
#: the five portals, each listing at most one copy of a title here (all name the city bureau)
PORTAL_IDS = ["ly-aic-xxgk", "fj-gov", "fj-aic-xxgk", "xl-aic-xxgk", "ct-aic-xxgk"]
FIRST = date(2012, 5, 1)


def copy(portal: str, day: int, title: str = "关于开展广告监测的通知", seen_on: date = D1, **fields) -> dict:
    """A copy without index_no of a city bureau document on `portal`, published `day` days
    after FIRST."""
    return listing(
        portal,
        f"{portal}-{title}-{day}",
        night(seen_on)[1],
        title=title,
        publisher_name=CITY,
        published_date=FIRST + timedelta(days=day),
        **fields,
    )


def documents_of(published) -> dict[str, frozenset[tuple[str, str]]]:
    """doc_id -> its sightings (portal_id, item_key)."""
    rows = query(published, "SELECT doc_id, list((portal_id, item_key)) FROM fct_sightings GROUP BY doc_id")
    return {doc_id: frozenset(tuple(pair) for pair in pairs) for doc_id, pairs in rows}


@settings(max_examples=8, deadline=None)
@example(days=[2, 4], added=0)
@example(days=[0, 6], added=3)
@given(
    days=st.lists(st.integers(0, 7), min_size=1, max_size=len(PORTAL_IDS) - 1),
    added=st.integers(0, 7),
)
def test_a_copy_added_later_never_splits_a_document_nor_renames_another(days, added):
    # one title of one unit, copies on distinct portals dated within a week (the cap never
    # binds); a night later one more copy turns up on the last portal. Every two sightings
    # that were one document still are, and every document it does not merge keeps its id.
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        for portal, day in zip(PORTAL_IDS, days, strict=False):
            land(data, D1, portal, [copy(portal, day)])
        published, _ = load_and_build(data)
        before = documents_of(published)
        land(data, D2, PORTAL_IDS[-1], [copy(PORTAL_IDS[-1], added, seen_on=D2)])
        published, _ = load_and_build(data)
        after = documents_of(published)
    owner = {sighting: doc_id for doc_id, sightings in after.items() for sighting in sightings}
    for doc_id, sightings in before.items():
        now = {owner[sighting] for sighting in sightings}
        assert len(now) == 1, f"{sorted(sightings)} split into {now}"
        merged_others = [other for other in before if other != doc_id and owner[next(iter(before[other]))] in now]
        if not merged_others:
            assert now == {doc_id}


def test_a_run_is_a_chain_of_dates_within_three_days_of_the_last(tmp_path):
    # copies dated 2, 4 and 0 days after the first of May: each within 3 days of the next, one
    # run of 4 days, one document (dated as the city bureau's own portal prints it); 9 is 5
    # days after 4, so it opens a run of its own
    for portal, day in zip(PORTAL_IDS, [2, 4, 0, 9], strict=False):
        land(tmp_path, D1, portal, [copy(portal, day)])
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 2
    assert query(published, "SELECT published_date, n_sightings FROM fct_documents ORDER BY ALL") == [
        (FIRST + timedelta(days=2), 3),
        (FIRST + timedelta(days=9), 1),
    ]


def test_a_run_spanning_more_than_seven_days_merges_nothing(tmp_path):
    # copies every two days from the first to the ninth of May: a chain of 8 days, longer
    # than any one publication takes to reach every portal; a title that recurs like this
    # is not one document, so the run is refused whole
    for step, portal in enumerate(PORTAL_IDS):
        land(tmp_path, D1, portal, [copy(portal, 2 * step, title="关于链式转载的通知")])
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 5
    reasons = query(published, "SELECT DISTINCT decision, refusal_reason FROM fct_match_decisions")
    assert reasons == [("refused", "title run spans more than 7 days")]


def test_a_generic_title_never_identifies_a_document_on_its_own(tmp_path):
    # 工作动态 is the name of a kind of item (the seed generic_titles): the city portal's and the
    # province portal's items a day apart are two bulletins, and a copy three weeks after a
    # numbered one does not join it. A 文号 or an 索引号 still joins copies of such a title.
    bulletin = "工作动态"
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            listing("ly-aic-xxgk", "b1", night(D1)[1], title=bulletin, published_date=date(2012, 5, 8)),
            listing("ly-aic-xxgk", "b2", night(D1)[1], title=bulletin, index_no="LY-9", published_date=date(2012, 6, 1)),
            listing("ly-aic-xxgk", "b3", night(D1)[1], title=bulletin, doc_no="龙工商〔2012〕50号",
                    published_date=date(2012, 9, 3)),
            listing("ly-aic-xxgk", "b4", night(D1)[1], title=bulletin, index_no="LY-10", published_date=date(2012, 10, 8)),
        ],
    )  # fmt: skip
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            copy("fj-gov", 7, title=bulletin),  # 8 May: a day after b1
            copy("fj-gov", 51, title=bulletin),  # 21 June: three weeks after b2
            copy("fj-gov", 203, title=bulletin, doc_no="龙工商〔2012〕50号"),  # 20 November: b3's 文号
            copy("fj-gov", 160, title=bulletin, index_no="LY-10"),  # 8 October: b4's 索引号
        ],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 6
    merged = query(published, "SELECT rule FROM fct_match_decisions WHERE decision = 'merged' ORDER BY rule")
    assert merged == [("doc_no",), ("index_no",)]
    assert query(published, "SELECT DISTINCT refusal_reason FROM fct_match_decisions WHERE decision = 'refused'") == [
        ("generic title",)
    ]


def test_a_title_its_unit_gives_three_items_a_year_never_identifies_one(tmp_path):
    # the city portal lists three different notices of one title in 2012 (March, June,
    # September): the title names a kind of notice, so the province portal's copy of March is
    # a document of its own. The same title given twice in 2013 still matches its copy.
    title = "关于开展企业年度检验工作的通知"
    city = [
        listing("ly-aic-xxgk", f"c{month}", night(D1)[1], title=title, published_date=date(2012, month, 1))
        for month in (3, 6, 9)
    ]
    city += [
        listing("ly-aic-xxgk", f"n{month}", night(D1)[1], title=title, published_date=date(2013, month, 1))
        for month in (3, 9)
    ]
    land(tmp_path, D1, "ly-aic-xxgk", city)
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            copy("fj-gov", (date(2012, 3, 2) - FIRST).days, title=title),
            copy("fj-gov", (date(2013, 3, 2) - FIRST).days, title=title),
        ],
    )
    published, result = load_and_build(tmp_path)
    assert result.n_documents == 6
    rows = query(published, "SELECT item_key_a, item_key_b, decision, refusal_reason FROM fct_match_decisions")
    assert sorted(rows) == sorted(
        [
            ("c3", f"fj-gov-{title}-{(date(2012, 3, 2) - FIRST).days}", "refused", "title repeated by its unit"),
            ("n3", f"fj-gov-{title}-{(date(2013, 3, 2) - FIRST).days}", "merged", None),
        ]
    )
