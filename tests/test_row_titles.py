"""A listing row's title is the document's title as the list means it: without the row's date
when the link holds it (`<a><span>标题</span><span>2026-09-21</span></a>`), without the
badges lists print before it (`【置顶】`), and without what a `title` attribute broken by a
stray quote swallowed (`关于…的通知 ' target=`), nor a tooltip's labelled fields
(`标题：…发表时间：2019-02-15`). Generated variants, read by the TRS reader (which finds rows
itself) and by the generic one (told where they are)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.families import generic, trs
from connectors.normalize import normalize_fields
from connectors.records import Request

URL = "http://x.gov.cn/xwzx/tzgg/"
TITLES = st.sampled_from(
    [
        "国家能源局南方监管局行政许可通告（2026年第33期）",
        "关于做好2026年度安全生产工作的通知",
        "某区人民政府关于印发《办法》的通知",
    ]
)
HOLDERS = st.sampled_from(["span", "i", "em", "b", "font", "small", "time"])
#: a date as lists print it, and the day it is
DATES = st.sampled_from(
    [
        ("2026-09-21", "2026-09-21"),
        ("2026/9/21", "2026-09-21"),
        ("[2026-09-21]", "2026-09-21"),
        ("2026年9月21日", "2026-09-21"),
        ("2026.09.21", "2026-09-21"),
    ]
)
BADGES = st.sampled_from(["【置顶】", "[置顶]", "［置顶］", "【新】", "[NEW]", "[图]", "【推荐】", "(置顶)"])
SPACE = st.sampled_from(["", " ", "\n      "])
FOOTER = "<div class='footer'>" + "主办单位：某市人民政府办公室 承办单位：某市大数据中心 " * 6 + "</div>"


def page(rows: list[str]) -> str:
    return (
        f"<html><head><title>通知公告</title></head><body><ul class='list'>{''.join(rows)}</ul>{FOOTER}</body></html>"
    )


def titles(rows: list[str], generic_reader: bool) -> list[str]:
    """The titles the generic reader (told where rows and titles are) or the TRS reader reads."""
    if generic_reader:
        options = {"rows": "ul.list li", "title": "a", "date": "span"}
        listing = generic.parse_listing(page(rows), Request(URL), options)
    else:
        listing = trs.parse_listing(page(rows), Request(URL), {})
    return [row.fields["title"] for row in listing.rows]


def href(n: int) -> str:
    return f"./202609/t2026092{n % 10}_30928{n}.html"


@given(TITLES, HOLDERS, DATES, SPACE, st.booleans())
def test_a_date_inside_the_link_is_not_part_of_the_title(title: str, holder: str, date, sp: str, wrapped: bool) -> None:
    printed, day = date
    shown = f"<span>{title}</span>" if wrapped else title
    rows = [
        f'<li><a href="{href(n)}" target="_blank">{sp}{shown}{sp}<{holder}>{printed}</{holder}>{sp}</a></li>'
        for n in range(3)
    ]
    listing = trs.parse_listing(page(rows), Request(URL), {})
    assert [row.fields["title"] for row in listing.rows] == [title] * 3
    assert {normalize_fields(row.fields, row.url)["published_date"].isoformat() for row in listing.rows} == {day}


@given(TITLES, BADGES, SPACE, st.booleans())
def test_a_list_badge_before_the_title_is_not_part_of_it(title: str, badge: str, sp: str, generic_reader: bool) -> None:
    rows = [f'<li><a href="{href(n)}">{badge}{sp}{title}</a><span>2026-09-2{n}</span></li>' for n in range(3)]
    assert titles(rows, generic_reader) == [title] * 3


@given(TITLES, st.sampled_from(["'", '"']), st.sampled_from(["target", "class", "href", "data-id"]), st.booleans())
def test_a_title_attribute_broken_by_a_stray_quote_loses_what_it_swallowed(
    title: str, quote: str, attribute: str, generic_reader: bool
) -> None:
    other = "'" if quote == '"' else '"'
    # the attribute is delimited by `other`; the stray `quote` inside it opens the next one
    rows = [
        f"<li><a href={other}{href(n)}{other} title={other}{title} {quote} {attribute}={other}_blank{other}>"
        f"【置顶】 {title[:8]}...</a><span>2026-09-2{n}</span></li>"
        for n in range(3)
    ]
    assert titles(rows, generic_reader) == [title] * 3


def test_a_bracketed_word_that_is_no_badge_stays_in_the_title() -> None:
    rows = [f'<li><a href="{href(n)}">【公示】第{n}批名单</a><span>2026-09-2{n}</span></li>' for n in range(3)]
    titles = [row.fields["title"] for row in trs.parse_listing(page(rows), Request(URL), {}).rows]
    assert titles == [f"【公示】第{n}批名单" for n in range(3)]


@given(
    TITLES,
    st.sampled_from(["标题：", "标 题:", "名称：", "文件名称："]),
    st.sampled_from(["发表时间：2019-02-15", "\n发布时间：2019-02-15", " 发布日期: 2019/2/15", "来源：某市政府", ""]),
    st.booleans(),
)
def test_a_tooltip_of_labelled_fields_gives_its_title(title: str, label: str, rest: str, generic_reader: bool) -> None:
    rows = [
        f'<li><a href="{href(n)}" title="{label}{title}{rest}">{title[:6]}…</a><span>2019-02-1{n}</span></li>'
        for n in range(3)
    ]
    assert titles(rows, generic_reader) == [title] * 3
