"""Normalization: the synonym table, empties, text, 索引号, 文号, dates, URLs, whole records."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors.normalize import (
    canonical_url,
    clean_text,
    is_empty_value,
    label_field,
    norm_doc_no,
    norm_index_no,
    normalize_fields,
    parse_date,
)
from connectors.records import FIELDS

SHANGHAI = ZoneInfo("Asia/Shanghai")  # with the DST China kept in 1986-1991


@pytest.mark.parametrize(
    "label,field",
    [
        ("名称", "title"),
        ("标　　题：", "title"),
        ("ArticleTitle", "title"),
        ("索 引 号：", "index_no"),
        ("索引号:", "index_no"),
        ("IdxID", "index_no"),
        ("idxid", "index_no"),
        ("identifier", "index_no"),
        ("文\u00a0号", "doc_no"),
        ("发文字号", "doc_no"),
        ("fileNum", "doc_no"),
        ("pcode", "doc_no"),
        ("document_number", "doc_no"),
        ("发布机构", "publisher_name"),
        ("发文机关：", "publisher_name"),
        ("发文单位", "publisher_name"),
        ("puborg", "publisher_name"),
        ("ContentSource", "publisher_name"),
        ("发布日期", "published_date"),
        ("PubDate", "published_date"),
        ("成文日期", "written_date"),
        ("生成日期", "written_date"),
        ("发文日期", "written_date"),
        ("docreltime", "written_date"),
        ("主题分类", "topic"),
        ("业务职能分类", "function"),
        ("机构分类", "function"),
        ("服务对象", "audience"),
        ("服务对象分类", "audience"),
        ("体裁分类", "genre"),
        ("公文种类", "genre"),
        ("体裁", "genre"),
        ("有 效 性", "validity"),
        ("效力状态", "validity"),
        ("公开方式", "disclosure"),
        ("公开属性：", "disclosure"),
    ],
)
def test_every_synonym_maps_to_its_field(label: str, field: str) -> None:
    assert label_field(label) == field


@pytest.mark.parametrize("label", ["分类", "分 类", "主题词", "有效期", "来源", "时间", "组配分类", ""])
def test_labels_that_fill_no_field(label: str) -> None:
    assert label_field(label) is None


def test_generic_labels_map_only_when_asked_for_as_fallbacks() -> None:
    assert label_field("来源：", weak=True) == "publisher_name"
    assert label_field("时　间", weak=True) == "published_date"
    assert label_field("索引号", weak=True) == "index_no"


@pytest.mark.parametrize("value", ["", "  ", "\u3000", "无", "暂无", "-", "/", "（无）", "——", "—", " / "])
def test_empty_values(value: str) -> None:
    assert is_empty_value(value)


@pytest.mark.parametrize("value", ["0", "无锡市", "闽政〔2023〕9号", "A"])
def test_values_that_are_not_empty(value: str) -> None:
    assert not is_empty_value(value)


def test_clean_text_folds_width_and_space() -> None:
    assert clean_text("  龙岩市\u3000工商局\n\t（办公室）  ") == "龙岩市 工商局 (办公室)"


def test_index_no_dashes_and_slashes() -> None:
    assert norm_index_no(" 00315478－x／2012—00035 ") == "00315478-X/2012-00035"
    assert norm_index_no("000014348 / 2020 ‐ 35428") == "000014348/2020-35428"


@pytest.mark.parametrize(
    "raw",
    [
        "闽政办〔2015〕155号",
        "闽政办[2015]155号",
        "闽政办【2015】155号",
        "闽政办﹝2015﹞155号",
        "闽政办（2015）155号",
        "闽政办(2015)155号",
        "闽政办［2015］155号",
        " 闽政办 〔 2015 〕 155号",
    ],
)
def test_doc_no_year_brackets(raw: str) -> None:
    assert norm_doc_no(raw) == "闽政办〔2015〕155号"


def test_doc_no_keeps_brackets_that_are_not_a_year() -> None:
    assert norm_doc_no("闽政（试行）〔2015〕1号") == "闽政(试行)〔2015〕1号"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2020-08-05", date(2020, 8, 5)),
        ("2020/8/5", date(2020, 8, 5)),
        ("2020.08.05", date(2020, 8, 5)),
        ("2020年08月02日", date(2020, 8, 2)),
        ("2020年8月2日", date(2020, 8, 2)),
        ("2026-05-18 10:19", date(2026, 5, 18)),
        ("2020-08-05 23:59:59", date(2020, 8, 5)),
        ("[2017-04-24]", date(2017, 4, 24)),
        ("【2017-04-24】", date(2017, 4, 24)),
        ("时间：2012-03-05", date(2012, 3, 5)),
        ("发布日期: 2012年3月5日", date(2012, 3, 5)),
        ("2021-09-01T10:00:00", date(2021, 9, 1)),
        ("2021-09-01T20:00:00Z", date(2021, 9, 2)),  # 04:00 next day in Shanghai
        ("2021-09-01T20:00:00+08:00", date(2021, 9, 1)),
        ("20120305", date(2012, 3, 5)),
        # epoch ms and s, read in Asia/Shanghai: 16:00 UTC on the 14th is midnight of the 15th
        ("1684080000000", date(2023, 5, 15)),
        ("1684080000", date(2023, 5, 15)),
        ("1684079999", date(2023, 5, 14)),
    ],
)
def test_dates(raw: str, expected: date) -> None:
    assert parse_date(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    [
        "2020-02-30",
        "2020-13-01",
        "2019年2月29日",
        "0000-00-00",
        "下周一",
        "2020-08",
        "2020-08-05至2020-09-01",
        "99999999",
        "2020-08-05 25:61",
        "-9999999999999",
    ],
)
def test_impossible_or_unreadable_dates_are_flagged_not_guessed(raw: str) -> None:
    assert parse_date(raw) == (None, "unparsed")


@pytest.mark.parametrize("raw", [None, "", " ", "无", "-"])
def test_no_date_is_not_a_bad_date(raw: str | None) -> None:
    assert parse_date(raw) == (None, None)


@pytest.mark.parametrize(
    "url,base,expected",
    [
        (
            "./202008/t20200802_1352104.html",
            "http://HDZFXXGK.hd.gov.cn:80/gszbm/auto23716/index.html",
            "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html",
        ),
        (
            "../../gsj/a.htm#top",
            "https://www.longyan.gov.cn/gk/rsxx/rsrm/index.htm",
            "https://www.longyan.gov.cn/gk/gsj/a.htm",
        ),
        ("https://x.gov.cn:443", None, "https://x.gov.cn/"),
        ("http://x.gov.cn:8080/a/./b/../c?q=1&p=2", None, "http://x.gov.cn:8080/a/c?q=1&p=2"),
        ("/邯郸/文件.pdf", "http://x.gov.cn/", "http://x.gov.cn/%E9%82%AF%E9%83%B8/%E6%96%87%E4%BB%B6.pdf"),
        ("/a%20b.pdf", "http://x.gov.cn/", "http://x.gov.cn/a%20b.pdf"),
        (" /a\n/b ", "http://x.gov.cn/", "http://x.gov.cn/a/b"),
        ("http://[::1]:8080/a/./b", None, "http://[::1]:8080/a/b"),
        ("/a b?q=c d", "http://x.gov.cn/", "http://x.gov.cn/a%20b?q=c%20d"),
    ],
)
def test_canonical_url(url: str, base: str | None, expected: str) -> None:
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize("url", ["javascript:void(0)", "mailto:a@b.cn", "ftp://x.gov.cn/a", "data:text/html,x"])
def test_canonical_url_refuses_what_is_not_http(url: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(url, "http://x.gov.cn/")


def test_normalize_fields_gives_every_field_its_raw_and_flags() -> None:
    out = normalize_fields(
        {
            "title": " 关于印发《办法》的通知 ",
            "index_no": "000014348／2020－35147",
            "doc_no": "无",
            "published_date": "2020年08月02日",
            "written_date": "2020-02-30",
            "topic": "教育",
        }
    )
    assert set(out) == {*FIELDS, *(f"{f}_raw" for f in FIELDS), "flags"}
    assert out["title"] == "关于印发《办法》的通知"
    assert out["index_no"] == "000014348/2020-35147"
    assert out["doc_no"] is None and out["doc_no_raw"] == "无"
    assert out["published_date"] == date(2020, 8, 2)
    assert out["written_date"] is None and out["written_date_raw"] == "2020-02-30"
    assert out["flags"] == "written_date:unparsed"
    assert out["disclosure"] is None and out["disclosure_raw"] is None  # the warehouse defaults it


def test_normalize_fields_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown fields"):
        normalize_fields({"titel": "x"})


# --- properties ---------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_INDEX_PARTS = st.text(alphabet=string.digits + string.ascii_letters, min_size=1, max_size=9)
_DASHES = st.sampled_from(["-", "‐", "‑", "‒", "–", "—", "―", "－", "﹣"])
_SPACES = st.sampled_from(["", " ", "\u3000", "\u00a0", "\t"])


@settings(max_examples=300)
@given(_TEXT)
def test_every_normalizer_is_idempotent(value: str) -> None:
    for normalizer in (clean_text, norm_index_no, norm_doc_no):
        once = normalizer(value)
        assert normalizer(once) == once


@given(_INDEX_PARTS, st.integers(1990, 2030), st.integers(0, 99999), _DASHES, _SPACES, st.booleans(), st.booleans())
def test_index_no_is_invariant_to_dashes_spaces_and_width(
    org: str, year: int, serial: int, dash: str, space: str, fullwidth_slash: bool, lower: bool
) -> None:
    canonical = f"{org.upper()}/{year}-{serial:05d}"
    slash = "／" if fullwidth_slash else "/"
    printed = f"{space}{org.lower() if lower else org}{space}{slash}{year}{space}{dash}{serial:05d}{space}"
    wide = printed.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F) if chr(c) not in "-/"})
    assert norm_index_no(printed) == canonical
    assert norm_index_no(wide) == canonical


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
@example(date(1991, 4, 14))  # 23 hours long in China (daylight saving time, 1986-1991)
def test_date_round_trips(day: date) -> None:
    midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    # the day's last second: 86,399 s after midnight on most days, not on the days China's
    # clocks moved in 1986-1991 (1991-04-14 had 23 hours)
    next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=SHANGHAI)
    millis, seconds = int(midnight.timestamp() * 1000), int(next_midnight.timestamp()) - 1
    # by design, 8 digits are YYYYMMDD and numbers up to 2100-01-01 in seconds are seconds:
    # the only epochs that cannot be told apart lie in the first weeks of 1970
    epochs = [str(millis)] if abs(millis) > 4_102_444_800 else []
    epochs += [str(seconds)] if len(str(abs(seconds))) >= 9 else []
    for printed in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"[{day.isoformat()}]",
        f"{day.isoformat()} 23:59:59",
        *epochs,
        (midnight.astimezone(UTC)).isoformat().replace("+00:00", "Z"),
    ):
        assert parse_date(printed) == (day, None), printed


@given(
    st.sampled_from(FIELDS),
    st.text(alphabet=" \u3000\u00a0\t\n-/—.,，。、·（）()", max_size=8)
    | st.sampled_from(["无", "暂无", " 无 ", "（暂无）"]),
)
def test_empties_are_always_none(field: str, value: str) -> None:
    out = normalize_fields({field: value})
    assert out[field] is None
    assert out[f"{field}_raw"] == value
    assert out["flags"] is None
