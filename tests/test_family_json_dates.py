"""The dates of JSON API items, over generated items: which key fills which date, and an
epoch of 0 or below is no date (docs/platforms.md).

www.gov.cn's hits print the 发布日期 as `pubtimeStr` (`2026.09.30`, null on later pages) and
`pubtime` (epoch ms), the 成文日期 as `ptime` (epoch ms, `0` for news items); gkmlpt's
articles the 成文日期 as `date` and the 发布日期 as `display_publish_time`, `created_at` or
`create_time`; ssp's hits `pubdate` and `docreltime`. Each key is generated absent, null,
empty, zero (a number or "0"), negative, an epoch in seconds or milliseconds (a number or
digits) or a printed date, and the dates read are checked against the day the generating
moment falls on in Asia/Shanghai, worked out here without the project's date reader.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from connectors.families import gkmlpt, govcn, ssp
from connectors.normalize import normalize_fields
from connectors.records import Request

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = "http://www.example.gov.cn"
#: A missing value: (how the item holds it, or None for an absent key).
NOTHING = st.sampled_from([None, ("v", None), ("v", ""), ("v", 0), ("v", "0"), ("v", 0.0), ("v", "00")])
NEGATIVE = st.integers(min_value=-(10**13), max_value=-1).map(lambda n: ("v", n))
MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 30), timezones=st.just(UTC))


def shanghai_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


@st.composite
def epoch_value(draw: st.DrawFn) -> tuple[tuple[str, object], date]:
    """An epoch in seconds or milliseconds, as a number or as digits, with its Shanghai day."""
    moment = draw(MOMENTS)
    seconds = int(moment.timestamp())
    number = seconds * 1000 + draw(st.integers(0, 999)) if draw(st.booleans()) else seconds
    value = str(number) if draw(st.booleans()) else number
    return ("v", value), shanghai_day(datetime.fromtimestamp(seconds, UTC))


@st.composite
def printed_value(draw: st.DrawFn, spellings: tuple[str, ...]) -> tuple[tuple[str, object], date]:
    """A date printed in one of `spellings` (strftime formats), with its day."""
    day = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 30)))
    return ("v", day.strftime(draw(st.sampled_from(spellings)))), day


def key_value(kind: str) -> st.SearchStrategy[tuple[tuple[str, object] | None, date | None]]:
    """One key of an item: nothing (no day) or a value of `kind` (`epoch` or strftime formats)."""
    missing = st.one_of(NOTHING, NEGATIVE).map(lambda held: (held, None))
    if kind == "epoch":
        return st.one_of(missing, epoch_value())
    return st.one_of(missing, printed_value(tuple(kind.split("|"))))


#: family -> field -> (key, kind) in the family's order of preference
KEYS = {
    "govcn": {
        "published_date": (("pubtimeStr", "%Y.%m.%d|%Y-%m-%d"), ("pubtime", "epoch")),
        "written_date": (("ptime", "epoch"),),
    },
    "gkmlpt": {
        "published_date": (
            ("display_publish_time", "epoch"),
            ("created_at", "%Y-%m-%d %H:%M:%S|%Y-%m-%d"),
            ("create_time", "epoch"),
        ),
        "written_date": (("date", "epoch"),),
    },
    "ssp": {
        "published_date": (("pubdate", "%Y-%m-%d|%Y-%m-%d %H:%M:%S"),),
        "written_date": (("docreltime", "epoch"),),
    },
}


@st.composite
def items(draw: st.DrawFn, family: str) -> tuple[dict, dict[str, date | None]]:
    """An item of `family` with generated date keys, and the dates it should read as: per
    field, the day of the first key that holds one."""
    item: dict = {}
    expected: dict[str, date | None] = {}
    for field, keys in KEYS[family].items():
        expected[field] = None
        for key, kind in keys:
            held, day = draw(key_value(kind))
            if held is not None:
                item[key] = held[1]
            if expected[field] is None:
                expected[field] = day
    return item, expected


def read(family: str, item: dict) -> dict:
    """The item's one row as the family reads it, normalized."""
    url = f"{BASE}/zhengce/content/2020-07/30/content_1.htm"
    if family == "govcn":
        page = {"code": 200, "searchVO": {"catMap": {"gongwen": {"totalCount": 1, "listVO": [{**item, "url": url}]}}}}
        listing = govcn.parse_listing(json.dumps(page), govcn.first_request(f"{BASE}/search-gov/data?t=x", {}), {})
    elif family == "gkmlpt":
        page = {"total": 1, "classify": {"post_count": 1}, "articles": [{**item, "id": 1, "url": url}]}
        listing = gkmlpt.parse_listing(json.dumps(page), Request(f"{BASE}/gkmlpt/api/all/5?page=1&sid=2"), {})
    else:
        page = {"error": False, "total": 1, "datas": [{**item, "docpuburl": url}]}
        listing = ssp.parse_listing(json.dumps(page), ssp.first_request(f"{BASE}/ssp/search/api/apiSearch?x=1", {}), {})
    (row,) = listing.rows
    return normalize_fields(row.fields, row.url)


def check(family: str, generated: tuple[dict, dict[str, date | None]]) -> None:
    item, expected = generated
    fields = read(family, item)
    assert {name: fields[name] for name in expected} == expected, item
    assert fields["flags"] is None, item  # a zero is no date, never an unreadable one


@given(items("govcn"))
def test_govcn_published_is_pubtimestr_else_pubtime_and_written_is_ptime(generated) -> None:
    check("govcn", generated)


@given(items("gkmlpt"))
def test_gkmlpt_dates_skip_zero_epochs_in_their_order_of_preference(generated) -> None:
    check("gkmlpt", generated)


@given(items("ssp"))
def test_ssp_dates_take_no_zero_epoch(generated) -> None:
    check("ssp", generated)


def test_a_news_hit_without_pubtimestr_is_dated_by_pubtime_and_has_no_written_date() -> None:
    # 2026-09-28 17:02 in Shanghai (09:02 UTC), as a later page of the policy search prints it
    moment = datetime(2026, 9, 28, 9, 2, tzinfo=UTC)
    fields = read("govcn", {"pubtimeStr": None, "pubtime": int(moment.timestamp()) * 1000, "ptime": 0})
    assert (fields["published_date"], fields["written_date"]) == (date(2026, 9, 28), None)
    assert fields["published_date_raw"] == str(int(moment.timestamp()) * 1000)


def test_a_zero_display_publish_time_gives_way_to_created_at() -> None:
    fields = read("gkmlpt", {"display_publish_time": 0, "created_at": "2012-07-30 09:00:00", "date": "0"})
    assert (fields["published_date"], fields["written_date"]) == (date(2012, 7, 30), None)
