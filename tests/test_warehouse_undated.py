"""Documents no portal dates (docs/counting.md, "Which date counts"): counted under the
China-time date they were first seen, flagged, and listed; a date on any portal wins; the
written date never counts. The figures are worked out by hand below."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from helpers.warehouse import land, listing, load_and_build, night, query

from warehouse.build import BuildError, run_checks, totals
from warehouse.db import connect

JUNE, SEPTEMBER, NEW_YEARS_EVE = date(2012, 6, 1), date(2012, 9, 1), date(2012, 12, 31)


def world(tmp_path):
    """Each portal harvested once (no withdrawals), at 02:00 UTC unless said otherwise.

    2012-06-01, city portal:
      u1  no published date (written 2011-05-01), 通知, topic 组织机构: inferred 2012-06-01
      d1  published 2012-03-01, 通知: dated
      m1  no published date here; fj-gov gives 2011-11-11 later: dated 2011-11-11
      c5  依申请公开, published 2012-08-01: left out, 'not 主动公开'
    2012-09-01, fj-gov (the province platform, no unit):
      g1  m1 again, published 2011-11-11
      g2  u1 again (same 索引号), its date unreadable: still undated, first seen 2012-06-01
      g3  no date, a publisher no unit is called: inferred 2012-09-01, left out, 'no unit'
    2012-12-31 at 16:30 UTC (2013-01-01 00:30 in China), 新罗 county portal:
      x1  no published date, 通知: inferred 2013-01-01, so new in 2013, not held in 2012
    """
    seen = night(JUNE)[1]
    land(
        tmp_path,
        JUNE,
        "ly-aic-xxgk",
        [
            listing(
                "ly-aic-xxgk",
                "u1",
                seen,
                index_no="U-1",
                title="无日期一",
                written_date=date(2011, 5, 1),
                genre="通知",
                topic="组织机构",
            ),
            listing(
                "ly-aic-xxgk", "d1", seen, index_no="D-1", title="有日期", published_date=date(2012, 3, 1), genre="通知"
            ),
            listing("ly-aic-xxgk", "m1", seen, index_no="M-1", title="混合"),
            listing(
                "ly-aic-xxgk",
                "c5",
                seen,
                index_no="C-5",
                title="依申请",
                published_date=date(2012, 8, 1),
                disclosure="依申请公开",
            ),
        ],
    )
    seen = night(SEPTEMBER)[1]
    land(
        tmp_path,
        SEPTEMBER,
        "fj-gov",
        [
            listing(
                "fj-gov",
                "g1",
                seen,
                index_no="M-1",
                title="混合",
                publisher_name="龙岩市工商局",
                published_date=date(2011, 11, 11),
            ),
            listing(
                "fj-gov",
                "g2",
                seen,
                index_no="U-1",
                title="无日期一",
                publisher_name="龙岩市工商局",
                published_date_raw="二〇一二年",
                flags="published_date:unparsed",
            ),
            listing("fj-gov", "g3", seen, title="商会通知", publisher_name="龙岩市工商业联合会"),
        ],
    )
    seen = night(NEW_YEARS_EVE, hour=16)[1]
    land(
        tmp_path,
        NEW_YEARS_EVE,
        "xl-aic-xxgk",
        [
            listing("xl-aic-xxgk", "x1", seen, title="新罗无日期", genre="通知"),
        ],
        hour=16,
    )
    return load_and_build(tmp_path)


def figures(held, official_held, new, official_new, fulltext_held) -> dict:
    return {
        "held": held,
        "official_held": official_held,
        "new": new,
        "official_new": official_new,
        "fulltext_held": fulltext_held,
    }


def test_an_undated_document_counts_in_the_year_it_was_first_seen(tmp_path):
    published, _ = world(tmp_path)
    # 2011: m1 only (its fj-gov date; u1's written date 2011-05-01 does not count)
    assert totals(published, "ly-aic", 2011)["levels"] == {
        "all": figures(1, 0, 1, 0, 1),
        "city": figures(1, 0, 1, 0, 1),
    }
    # 2012: held m1 d1 u1, new d1 u1 (both 通知); x1 was first seen on 2013-01-01 China time
    result_2012 = totals(published, "ly-aic", 2012)
    assert result_2012["levels"] == {
        "all": figures(3, 2, 2, 2, 3),
        "city": figures(3, 2, 2, 2, 3),
    }
    assert result_2012["categories"]["city"]["topic"] == {"组织机构": 1, "未分类": 1}
    # 2013: x1 is new (通知), everything before stays held
    assert totals(published, "ly-aic", 2013)["levels"] == {
        "all": figures(4, 3, 1, 1, 4),
        "city": figures(3, 2, 0, 0, 3),
        "county": figures(1, 1, 1, 1, 1),
    }
    assert query(published, "SELECT DISTINCT year FROM fct_totals ORDER BY year") == [(2011,), (2012,), (2013,)]


def test_the_inferred_date_is_flagged_and_the_printed_one_kept(tmp_path):
    published, _ = world(tmp_path)
    rows = query(
        published,
        """
        SELECT title, published_date, written_date, counted_date, is_date_inferred
        FROM fct_documents ORDER BY counted_date""",
    )
    assert rows == [
        # a date on one portal and none on the other: the portal's date, not inferred
        ("混合", date(2011, 11, 11), None, date(2011, 11, 11), False),
        ("有日期", date(2012, 3, 1), None, date(2012, 3, 1), False),
        # the written date is kept, never counted
        ("无日期一", None, date(2011, 5, 1), date(2012, 6, 1), True),
        ("依申请", date(2012, 8, 1), None, date(2012, 8, 1), False),
        ("商会通知", None, None, date(2012, 9, 1), True),
        ("新罗无日期", None, None, date(2013, 1, 1), True),
    ]


def test_undated_and_uncounted_documents_are_listed(tmp_path):
    published, result = world(tmp_path)
    undated = query(
        published,
        """
        SELECT title, unit_id, publisher_name, portal_ids, n_sightings, first_seen_at,
               inferred_date, is_counted
        FROM rpt_undated_documents ORDER BY inferred_date""",
    )
    assert undated == [
        # the publisher printed on fj-gov (the city portal prints none)
        (
            "无日期一",
            "ly-aic",
            "龙岩市工商局",
            ["fj-gov", "ly-aic-xxgk"],
            2,
            datetime(2012, 6, 1, 2, 1),
            date(2012, 6, 1),
            True,
        ),
        ("商会通知", None, "龙岩市工商业联合会", ["fj-gov"], 1, datetime(2012, 9, 1, 2, 1), date(2012, 9, 1), False),
        ("新罗无日期", "xl-aic", None, ["xl-aic-xxgk"], 1, datetime(2012, 12, 31, 16, 1), date(2013, 1, 1), True),
    ]
    uncounted = query(
        published,
        """
        SELECT reason, title, unit_id, disclosure, portal_ids, counted_date, is_date_inferred
        FROM rpt_uncounted_documents ORDER BY reason""",
    )
    assert uncounted == [
        ("no unit", "商会通知", None, "主动公开", ["fj-gov"], date(2012, 9, 1), True),
        ("not 主动公开", "依申请", "ly-aic", "依申请公开", ["ly-aic-xxgk"], date(2012, 8, 1), False),
    ]
    assert (result.n_documents, result.n_undated_documents, result.n_uncounted_documents) == (6, 3, 2)


def test_an_undated_document_missing_from_the_list_fails_the_build(tmp_path):
    published, _ = world(tmp_path)
    con = connect(published)
    try:
        run_checks(con, {})
        con.execute("DELETE FROM rpt_undated_documents WHERE inferred_date = DATE '2013-01-01'")
        with pytest.raises(BuildError, match="check every_document_dated_or_listed failed.*not listed"):
            run_checks(con, {})
    finally:
        con.close()
