"""The counting rules of docs/counting.md on a small world whose answers are worked out by
hand below, read back through fct_totals, fct_category_counts and `totals()`."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers.warehouse import land, listing, load_and_build, night, query
from hypothesis import example, given, settings
from hypothesis import strategies as st

from warehouse.build import totals

D1 = date(2013, 3, 1)
SEEN = night(D1)[1]


def world(tmp_path):
    """City: c1..c6; counties: x1, x2 (新罗), t1 (长汀); province: p1; c1 also on fj-gov."""
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            # held, new, official (通知), full text (body)
            listing(
                "ly-aic-xxgk",
                "c1",
                SEEN,
                index_no="LY-1",
                title="一",
                published_date=date(2012, 3, 1),
                genre="通知",
                topic="组织机构",
                function="市场监管",
                audience="企业",
            ),
            # held, new, official (no genre, has doc_no), full text (attachments only)
            listing(
                "ly-aic-xxgk",
                "c2",
                SEEN,
                index_no="LY-2",
                title="二",
                published_date=date(2012, 5, 1),
                doc_no="龙工商〔2012〕2号",
                has_body=False,
                n_attachments=2,
            ),
            # held, new, not official (a genre outside the list beats the doc_no), no full text
            listing(
                "ly-aic-xxgk",
                "c3",
                SEEN,
                index_no="LY-3",
                title="三",
                published_date=date(2012, 7, 1),
                genre="其他",
                doc_no="龙工商〔2012〕3号",
                topic="组织机构",
                has_body=False,
            ),
            # held (published 2011), not new in 2012, official, full text
            listing(
                "ly-aic-xxgk",
                "c4",
                SEEN,
                index_no="LY-4",
                title="四",
                published_date=date(2011, 6, 1),
                genre="公告",
                topic="其他",
            ),
            # 依申请公开: never held
            listing(
                "ly-aic-xxgk",
                "c5",
                SEEN,
                index_no="LY-5",
                title="五",
                published_date=date(2012, 8, 1),
                disclosure="依申请公开",
                genre="通知",
            ),
            # published 2013: not held at the end of 2012
            listing(
                "ly-aic-xxgk", "c6", SEEN, index_no="LY-6", title="六", published_date=date(2013, 2, 1), genre="通知"
            ),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-gov",
        [
            # c1 again, through the province portal: counted once
            listing(
                "fj-gov",
                "g1",
                SEEN,
                index_no="LY-1",
                title="一",
                publisher_name="龙岩市工商局",
                published_date=date(2012, 3, 1),
            ),
            # a publisher no unit is called: counted in no system, listed as unmatched
            listing(
                "fj-gov",
                "g2",
                SEEN,
                title="商会文件",
                publisher_name="龙岩市工商业联合会",
                published_date=date(2012, 3, 1),
                genre="通知",
            ),
        ],
    )
    land(
        tmp_path,
        D1,
        "xl-aic-xxgk",
        [
            listing(
                "xl-aic-xxgk",
                "x1",
                SEEN,
                title="新罗一",
                published_date=date(2012, 2, 1),
                genre="通知",
                topic="组织机构",
            ),
            # no genre, no doc_no: not official; detail never fetched: no full text
            listing("xl-aic-xxgk", "x2", SEEN, detail=False, title="新罗二", published_date=date(2012, 3, 1)),
        ],
    )
    land(
        tmp_path,
        D1,
        "ct-aic-xxgk",
        [
            listing("ct-aic-xxgk", "t1", SEEN, title="长汀一", published_date=date(2010, 1, 1), genre="批复"),
        ],
    )
    land(
        tmp_path,
        D1,
        "fj-aic-xxgk",
        [
            listing("fj-aic-xxgk", "p1", SEEN, title="省一", published_date=date(2012, 4, 1), genre="通知"),
        ],
    )
    published, _ = load_and_build(tmp_path)
    return published


def figures(held, official_held, new, official_new, fulltext_held) -> dict:
    return {
        "held": held,
        "official_held": official_held,
        "new": new,
        "official_new": official_new,
        "fulltext_held": fulltext_held,
    }


def test_city_system_2012_worked_by_hand(tmp_path):
    published = world(tmp_path)
    assert totals(published, "ly-aic", 2012) == {
        "system": "ly-aic",
        "year": 2012,
        "levels": {
            # city: held c1 c2 c3 c4; official c1 c2 c4; new c1 c2 c3; full text c1 c2 c4
            # county: held x1 x2 t1; official x1 t1; new x1 x2; full text x1 t1
            "all": figures(7, 5, 5, 3, 5),
            "city": figures(4, 3, 3, 2, 3),
            "county": figures(3, 2, 2, 1, 2),
        },
        "categories": {
            "all": {
                "topic": {"组织机构": 3, "未分类": 2},
                "function": {"未分类": 4, "市场监管": 1},
                "audience": {"未分类": 4, "企业": 1},
            },
            "city": {
                "topic": {"组织机构": 2, "未分类": 1},
                "function": {"未分类": 2, "市场监管": 1},
                "audience": {"未分类": 2, "企业": 1},
            },
            "county": {"topic": {"未分类": 1, "组织机构": 1}, "function": {"未分类": 2}, "audience": {"未分类": 2}},
        },
    }


def test_every_unit_is_a_system_and_every_year_is_counted(tmp_path):
    published = world(tmp_path)
    # the province system adds p1; the unmatched publisher is in no system
    assert totals(published, "fj-aic", 2012)["levels"]["all"] == figures(8, 6, 6, 4, 6)
    assert totals(published, "xl-aic", 2012)["levels"] == {
        "all": figures(2, 1, 2, 1, 1),
        "county": figures(2, 1, 2, 1, 1),
    }
    # 2010: only t1 exists; the city level holds nothing yet and is left out
    assert totals(published, "ly-aic", 2010)["levels"] == {
        "all": figures(1, 1, 1, 1, 1),
        "county": figures(1, 1, 1, 1, 1),
    }
    # 2013: c6 is new (official, with a body); everything held before stays held
    assert totals(published, "ly-aic", 2013)["levels"]["all"] == figures(8, 6, 1, 1, 6)
    years = query(published, "SELECT DISTINCT year FROM fct_totals ORDER BY year")
    assert years == [(2010,), (2011,), (2012,), (2013,)]
    assert query(published, "SELECT publisher_name, n_sightings FROM rpt_unmatched_publishers") == [
        ("龙岩市工商业联合会", 1)
    ]


def test_disclosure_defaults_to_proactive(tmp_path):
    published = world(tmp_path)
    rows = query(published, "SELECT disclosure, count(*) FROM fct_documents GROUP BY ALL ORDER BY ALL")
    assert rows == [("主动公开", 10), ("依申请公开", 1)]


PORTAL = "ly-aic-xxgk"
KEYS = [f"k{i:02d}" for i in range(20)]


def listed(keys, day: date) -> list[dict]:
    seen = night(day)[1]
    return [
        listing(PORTAL, key, seen, index_no=f"IDX-{key}", title=key, published_date=date(2012, 6, 1)) for key in keys
    ]


#: The start of a harvest run around the year end: a day from 2012-12-29 to 2013-01-02, an hour UTC.
RUN_STARTS = st.tuples(st.integers(0, 4).map(lambda n: date(2012, 12, 29) + timedelta(days=n)), st.integers(0, 23))


@settings(max_examples=6, deadline=None)
@example(runs=[(date(2012, 12, 31), 15)])  # 23:00 on the 31st in China: 2012 still
@example(runs=[(date(2012, 12, 31), 16)])  # midnight of 2013-01-01 in China: 2013 begins
@example(runs=[(date(2013, 1, 1), 2), (date(2012, 12, 31), 10)])  # the latest run decides, not the last landed
@given(runs=st.lists(RUN_STARTS, min_size=1, max_size=3, unique=True))
def test_the_year_of_the_latest_run_is_counted_before_any_document_is_dated_in_it(runs):
    # Every document is of 2012. The figures' years run to the China-time year of the latest
    # run: from China's new year on, 2013 is a year of the figures, the 20 documents still
    # held at its end so far, none new.
    latest = max(datetime(d.year, d.month, d.day, hour, tzinfo=UTC) for d, hour in runs)
    new_year_counted = (latest + timedelta(hours=8)).year == 2013
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        for day, hour in runs:
            land(data, day, PORTAL, listed(KEYS, day), hour=hour)
        published, _ = load_and_build(data)
        years = [year for (year,) in query(published, "SELECT DISTINCT year FROM fct_totals ORDER BY year")]
        held_2013 = totals(published, "ly-aic", 2013)["levels"].get("all") if new_year_counted else None
    assert years == ([2012, 2013] if new_year_counted else [2012])
    if new_year_counted:
        assert held_2013 == figures(20, 0, 0, 0, 20)


def test_a_document_withdrawn_in_the_year_is_not_held_at_its_end(tmp_path):
    land(tmp_path, date(2012, 12, 20), PORTAL, listed(KEYS, date(2012, 12, 20)))
    land(tmp_path, date(2012, 12, 27), PORTAL, listed(KEYS[1:], date(2012, 12, 27)))
    land(tmp_path, date(2013, 1, 3), PORTAL, listed(KEYS[1:], date(2013, 1, 3)))
    published, _ = load_and_build(tmp_path)
    # k00 is first missing on 2012-12-27, so it is gone by 2012-12-31 (and was never new)
    assert totals(published, "ly-aic", 2012)["levels"]["all"] == figures(19, 0, 19, 0, 19)


def test_a_document_withdrawn_after_the_year_is_still_held_at_its_end(tmp_path):
    land(tmp_path, date(2012, 12, 20), PORTAL, listed(KEYS, date(2012, 12, 20)))
    land(tmp_path, date(2013, 1, 3), PORTAL, listed(KEYS[1:], date(2013, 1, 3)))
    land(tmp_path, date(2013, 1, 10), PORTAL, listed(KEYS[1:], date(2013, 1, 10)))
    land(
        tmp_path,
        date(2013, 5, 1),
        PORTAL,
        [
            listing(
                PORTAL, "n1", night(date(2013, 5, 1))[1], index_no="N-1", title="新", published_date=date(2013, 4, 1)
            ),
        ],
        mode="incremental",
    )
    published, _ = load_and_build(tmp_path)
    assert totals(published, "ly-aic", 2012)["levels"]["all"] == figures(20, 0, 20, 0, 20)
    assert totals(published, "ly-aic", 2013)["levels"]["all"] == figures(20, 0, 1, 0, 20)
