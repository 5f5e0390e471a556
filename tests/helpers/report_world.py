"""A small hand-built warehouse for the report tests: five documents of the ly-aic system with
hostile titles, worked out by hand in the tests.

| doc | unit | portals | published | written | genre | topic | validity | title |
|---|---|---|---|---|---|---|---|---|
| A | ly-aic | ly-aic-xxgk | 2012-03-05 Mon | 2012-03-01 Thu | 规章 | 组织机构 | 有效 | a `<script>` setting window.__pwned |
| B | ly-aic | ly-aic-xxgk | 2012-02-15 Wed | 2012-01-02 Mon | 通知 (official, no 文号) | 规范性文件 | 废止 | an `<img onerror>` |
| C | ly-aic | ly-aic-xxgk | 2011-06-01 | – | 规范性文件 | – | 有效 | `=HYPERLINK(...)` |
| D | xl-aic | xl-aic-xxgk (07-02), ly-aic-xxgk (07-03) | 2012-07-02 | 2012-06-01 | 通知 + 文号 | 工商动态及其他 | – | `+1` |
| E | xl-aic | fj-gov only | 2012-11-30 | – | – | – | – | `@SUM(A1)` |

A has every element; B lacks 文号, function and audience. D's two portals disagree on the date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers.warehouse import land, listing, load_and_build, night

HOSTILE_SCRIPT = "<script>window.__pwned=1</script>甲规章"
HOSTILE_IMG = '<img src=x onerror="window.__pwned=2">乙通知'
FORMULA_TITLES = ('=HYPERLINK("http://evil.example","c")', "+1 丁", "@SUM(A1) 戊")


def build_report_world(data_dir: Path) -> Path:
    """Land the five documents, build; return the published file."""
    day = date(2013, 1, 5)
    seen = night(day)[1]
    city = [
        listing(
            "ly-aic-xxgk",
            "a",
            seen,
            title=HOSTILE_SCRIPT,
            index_no="FJ-A",
            doc_no="龙工商〔2012〕1号",
            publisher_name="龙岩市工商局",
            published_date=date(2012, 3, 5),
            written_date=date(2012, 3, 1),
            topic="组织机构",
            function="政务公开及其他综合",
            audience="服务企业",
            genre="规章",
            validity="有效",
        ),
        listing(
            "ly-aic-xxgk",
            "b",
            seen,
            title=HOSTILE_IMG,
            index_no="FJ-B",
            publisher_name="龙岩市工商局",
            published_date=date(2012, 2, 15),
            written_date=date(2012, 1, 2),
            topic="规范性文件",
            genre="通知",
            validity="废止",
        ),
        listing(
            "ly-aic-xxgk",
            "c",
            seen,
            title=FORMULA_TITLES[0],
            index_no="FJ-C",
            publisher_name="龙岩市工商局",
            published_date=date(2011, 6, 1),
            genre="规范性文件",
            validity="有效",
        ),
        listing(
            "ly-aic-xxgk",
            "d",
            seen,
            title=FORMULA_TITLES[1],
            index_no="FJ-D",
            publisher_name="新罗区工商行政管理局",
            published_date=date(2012, 7, 3),
        ),
    ]
    land(data_dir, day, "ly-aic-xxgk", city)
    land(
        data_dir,
        day,
        "xl-aic-xxgk",
        [
            listing(
                "xl-aic-xxgk",
                "d",
                seen,
                title=FORMULA_TITLES[1],
                index_no="FJ-D",
                doc_no="新工商〔2012〕5号",
                publisher_name="新罗区工商行政管理局",
                published_date=date(2012, 7, 2),
                written_date=date(2012, 6, 1),
                topic="工商动态及其他",
                genre="通知",
            ),
        ],
    )
    land(
        data_dir,
        day,
        "fj-gov",
        [
            listing(
                "fj-gov",
                "e",
                seen,
                title=FORMULA_TITLES[2],
                index_no="FJ-E",
                publisher_name="新罗区工商行政管理局",
                published_date=date(2012, 11, 30),
            ),
        ],
    )
    published, _ = load_and_build(data_dir)
    return published
