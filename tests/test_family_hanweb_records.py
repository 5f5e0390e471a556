"""A Hanweb record's date inside its link (connectors/families/hanweb_records.py): Jiangsu's
records print `<a href><span class="list_title">招聘公示</span><i>2026-09-10</i></a>`. The
date is read from the TRS row reader's date holders, inside the link too, and the title is
the link's `title` attribute, else its text without the date."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from connectors.families import hanweb
from connectors.families.trs.blocks import DATE_HOLDERS
from connectors.normalize import parse_date
from connectors.records import Request

GROUP = Request("http://www.js.example.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45", "POST")
#: every holder but a table cell: a `<td>` inside a link is no markup a page prints (the HTML
#: parser ends the link before it)
HOLDERS = sorted((DATE_HOLDERS[0] | DATE_HOLDERS[1]) - {"td"})
SPELLINGS = ["2026-09-10", "2026/9/10", "[2026-09-10]", "2026年9月10日", "2026.09.10", " 2026-09-10 "]
TITLE = "关于2025年度招聘工作人员的公示"
#: Where the date is printed: inside the link after the title, inside before it, after the link.
POSITIONS = ["in link, after", "in link, before", "after link"]


def record(holder: str, spelling: str, position: str, title_attr: bool, title_in_span: bool) -> str:
    dated = f"<{holder}>{spelling}</{holder}>"
    shown = f'<span class="list_title">{TITLE}</span>' if title_in_span else TITLE
    attr = f' title="{TITLE}"' if title_attr else ""
    href = f'href="/art/2026/9/10/art_1_2.html"{attr} target="_blank"'
    if position == "in link, after":
        return f"<li><a {href}>{shown}{dated}</a></li>"
    if position == "in link, before":
        return f"<li><a {href}>{dated}{shown}</a></li>"
    return f"<li><a {href}>{shown}</a>{dated}</li>"


def read(records: list[str]):
    xml = "".join(f"<record><![CDATA[{r}]]></record>" for r in records)
    return hanweb.parse_listing(f"<datastore><recordset>{xml}</recordset></datastore>", GROUP, {})


@given(
    st.sampled_from(HOLDERS),
    st.sampled_from(SPELLINGS),
    st.sampled_from(POSITIONS),
    st.booleans(),
    st.booleans(),
)
def test_the_date_is_read_in_any_holder_inside_or_after_the_link_and_never_kept_in_the_title(
    holder: str, spelling: str, position: str, title_attr: bool, title_in_span: bool
) -> None:
    page = read([record(holder, spelling, position, title_attr, title_in_span)])
    (row,) = page.rows
    assert row.item_key == "art_1_2" and page.unreadable_rows == ()
    assert row.fields["title"] == TITLE
    assert parse_date(row.fields["published_date"]) == (date(2026, 9, 10), None)


def test_the_jiangsu_record() -> None:
    (row,) = read(
        ['<li><a href="/art/2026/9/10/art_1_2.html"><span class="list_title">招聘公示</span><i>2026-09-10</i></a></li>']
    ).rows
    assert row.fields == {"title": "招聘公示", "published_date": "2026-09-10"}


def test_a_span_date_inside_the_link_leaves_the_title_too() -> None:
    (row,) = read(['<li><a href="/art/2026/9/10/art_1_2.html">招聘公示 <span>2026-09-10</span></a></li>']).rows
    assert row.fields == {"title": "招聘公示", "published_date": "2026-09-10"}


def test_a_link_holding_only_its_date_has_no_title() -> None:
    page = read(
        [
            '<li><a href="/art/2026/9/10/art_1_2.html"><i>2026-09-10</i></a></li>',
            '<li><a href="/art/2026/9/11/art_1_3.html"><i>通知</i><i>2026-09-11</i></a></li>',
        ]
    )
    assert [row.fields for row in page.rows] == [{"title": "通知", "published_date": "2026-09-11"}]
    assert [bad.reason for bad in page.unreadable_rows] == ["no title"]


def test_a_date_outside_the_link_keeps_the_raw_value_it_always_had() -> None:
    # a date in the text after the link, whatever holds it, is read as printed bare (no brackets)
    (row,) = read(
        ["<table><tr><td><a href='/art/2017/4/24/art_1_2.html'>询价公告</a></td><td>[2017-04-24]</td></tr></table>"]
    ).rows
    assert row.fields == {"title": "询价公告", "published_date": "2017-04-24"}
