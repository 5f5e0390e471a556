"""Dates as real lists print them: without a year (the year from the row's link, never from
today), with two-digit years, dots, slashes, times and brackets; generated variants of each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from connectors.dates import NO_YEAR, LinkDate, complete_year, link_date
from connectors.normalize import normalize_fields, parse_date, reads_as_date

DAYS = st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31))
SPACES = st.sampled_from(["", " ", "\u3000", "\u00a0"])


def month_day(day: date, style: int, pad: bool) -> str:
    """The month and day as a list prints them, in one of the spellings real lists use."""
    m, d = (f"{day.month:02d}", f"{day.day:02d}") if pad else (str(day.month), str(day.day))
    return [f"{m}-{d}", f"{m}/{d}", f"{m}.{d}", f"{day.month}月{day.day}日", f"[{m}-{d}]", f"({m}-{d})"][style]


def links(day: date) -> list[str]:
    """Links that hold `day` the ways CMSs build them."""
    return [
        f"http://x.gov.cn/zwgk/{day:%Y%m}/t{day:%Y%m%d}_4567.html",
        f"http://x.gov.cn/art/{day.year}/{day.month}/{day.day}/art_12_345.html",
        f"http://x.gov.cn/news/{day.year}/{day:%m%d}/123.html",
        f"http://x.gov.cn/news/{day.year}/{day:%m}/{day:%d}/123.shtml",
    ]


@given(DAYS, st.integers(0, 5), st.booleans(), st.integers(0, 3), SPACES)
def test_a_month_and_day_take_the_year_of_the_link(day: date, style: int, pad: bool, which: int, space: str) -> None:
    printed = f"{space}{month_day(day, style, pad)}{space}"
    assert reads_as_date(printed)
    assert parse_date(printed, links(day)[which]) == (day, None)


@given(DAYS, st.integers(0, 5))
def test_a_month_and_day_without_a_year_anywhere_is_flagged_never_dated_today(day: date, style: int) -> None:
    printed = month_day(day, style, True)
    assert parse_date(printed) == (None, NO_YEAR)
    assert parse_date(printed, "http://x.gov.cn/news/content_123.html") == (None, NO_YEAR)
    out = normalize_fields({"title": "x", "published_date": printed}, "http://x.gov.cn/a/b.html")
    assert out["published_date"] is None and out["flags"] == f"published_date:{NO_YEAR}"


@given(DAYS, st.integers(-150, 150), st.integers(0, 3))
def test_the_list_month_and_day_win_over_the_link_date_in_the_link_year(made: date, shift: int, which: int) -> None:
    # listed up to five months before or after the CMS made the record: the link's year
    # whenever that keeps the day within half a year of the link's date
    shown = made + timedelta(days=shift)
    assume(not (shown.month == 2 and shown.day == 29))
    expected = shown.replace(year=made.year)
    assume(abs((expected - made).days) <= 183)
    assert parse_date(f"{shown:%m-%d}", links(made)[which]) == (expected, None)


def test_across_new_year_the_neighbouring_year_is_taken() -> None:
    link = "http://x.gov.cn/zwgk/201212/t20121228_1.html"
    assert parse_date("01-05", link) == (date(2013, 1, 5), None)
    assert parse_date("12-31", "http://x.gov.cn/zwgk/201301/t20130102_1.html") == (date(2012, 12, 31), None)
    # a link that holds only a year (jpaas /art/YYYY/) gives that year, whatever the day
    assert parse_date("12-31", "http://x.gov.cn/col/col1/art/2026/art_" + "a" * 32 + ".html") == (
        date(2026, 12, 31),
        None,
    )


@pytest.mark.parametrize(
    "url,found",
    [
        ("http://x.gov.cn/a/202008/t20200802_1352104.html", LinkDate(2020, 8, 2)),
        ("http://x.gov.cn/art/2018/2/28/art_46355_1634538.html", LinkDate(2018, 2, 28)),
        ("http://x.gov.cn/a/202008/P020200802123456.pdf", LinkDate(2020, 8)),
        ("http://x.gov.cn/a/2020/0802/1.html", LinkDate(2020, 8, 2)),
        ("http://x.gov.cn/col/col1/art/2026/art_" + "0" * 32 + ".html", LinkDate(2026)),
        ("http://x.gov.cn/a/post_4960402.html", None),  # an id, not a date
        ("http://x.gov.cn/a/202013/t1.html", None),  # no month 13
        ("http://x.gov.cn/a/123456/x.html", None),  # no year 1234
    ],
)
def test_the_date_a_link_holds(url: str, found: LinkDate | None) -> None:
    assert link_date(url) == found


def test_29_february_only_in_a_leap_year_near_the_link() -> None:
    assert complete_year(2, 29, LinkDate(2012, 3, 1)) == date(2012, 2, 29)
    assert complete_year(2, 29, LinkDate(2013)) is None
    assert parse_date("02-30", "http://x.gov.cn/201203/t20120301_1.html") == (None, "unparsed")


@given(DAYS, SPACES, st.sampled_from(["-", "/", "."]), st.booleans())
def test_two_digit_years_read_as_posix_does(day: date, space: str, sep: str, pad: bool) -> None:
    m, d = (f"{day.month:02d}", f"{day.day:02d}") if pad else (str(day.month), str(day.day))
    expected = day if 1969 <= day.year <= 2068 else None
    assume(expected is not None)
    assert parse_date(f"{space}{day:%y}{sep}{m}{sep}{d}{space}") == (day, None)


@given(DAYS, st.sampled_from(["-", "/", "."]), st.booleans(), st.sampled_from(["", " 09:30", " 9:05:59", "T23:59"]))
def test_full_dates_in_the_spellings_of_lists(day: date, sep: str, pad: bool, clock: str) -> None:
    m, d = (f"{day.month:02d}", f"{day.day:02d}") if pad else (str(day.month), str(day.day))
    for printed in (
        f"{day.year}{sep}{m}{sep}{d}{clock}",
        f"[{day.year}{sep}{m}{sep}{d}]",
        f"发布时间：{day.year}{sep}{m}{sep}{d}",
    ):
        # a full date keeps its own year whatever the link says
        assert parse_date(printed, "http://x.gov.cn/201001/t20100101_1.html") == (day, None), printed
