"""Hanweb datastores with template markup outside CDATA (connectors/families/hanweb_store.py):
old jslib columns print a table, images, stray tags with unquoted attributes and stray text
between their records. Every record is read, in order, and nothing else; declarations are
still refused before anything is read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import LayoutChanged, UnsafeXml
from connectors.families import hanweb
from connectors.records import Request

COLUMN = Request("http://www.nt.example.cn/col/col31685/index.html")
GROUP = Request(
    "http://www.nt.example.cn/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15",
    method="POST",
)
NEXTGROUP = (
    '<nextgroup><![CDATA[<a href="/module/jslib/jquery/jpage/dataproxy.jsp?page=1&appid=1&webid=60'
    '&path=/&columnid=31685&unitid=80325&permissiontype=0"></a>]]></nextgroup>'
)

#: Template markup a datastore prints outside its records and outside CDATA.
CHROME = [
    "<table cellpadding='0' cellspacing='0' border='0' width='95%' align=center style=\"vertical-align:middle\">",
    "</table>",
    "<table width=100% border=0></table>",
    "<tr>",
    "</td></tr>",
    "<td nowrap>",
    "<br>",
    "<IMG src=/images/dot.gif align=absMiddle>",
    "<p class=more><a href=/col/col31685/index.html?uid=1&pageNum=2>更多 2017-01-01</a></p>",
    "</div>",
    "更多&nbsp;>>",
    " a < b & c ",
    "\n  ",
    "<!-- <record><![CDATA[<li><a href='/art/2000/1/1/art_9_9.html' title='旧'>旧</a>"
    "<span>2000-01-01</span></li>]]></record> -->",
    "<![CDATA[<li><a href='/art/2001/1/1/art_9_8.html' title='壳'>壳</a><span>2001-01-01</span></li>]]>",
]


def record(n: int, cdata: bool) -> str:
    """Record n: in CDATA, or written bare with unquoted attributes (a portal that left CDATA out)."""
    day = n % 28 + 1
    link = f"/art/2017/4/{day}/art_31685_{2451000 + n}.html"
    if cdata:
        row = (
            f"<tr><td><IMG src=\"/images/dot.gif\" align=absMiddle></td><td><a href='{link}' title='询价公告{n}' "
            f"target=_blank>询价公告{n}…</a></td><td>[2017-04-{day:02d}]</td></tr>"
        )
        return f"<record><![CDATA[\n{row}]]></record>"
    return f"<record><li><a href={link} title=询价公告{n} target=_blank>询价公告{n}</a><span>2017-04-{day:02d}</span></li></record>"


def datastore(parts: list[str]) -> str:
    return f"<datastore>\n{NEXTGROUP}\n<recordset>\n{''.join(parts)}\n</recordset>\n</datastore>"


def column_page(store: str) -> str:
    return (
        "<html><head><title>政府采购 南通市政府采购网</title></head><body>"
        f"<div class='nav'>{'首页 政府采购 ' * 40}</div>"
        f"<div id='80325'><script type='text/xml'>{store}</script></div></body></html>"
    )


@st.composite
def stores(draw: st.DrawFn) -> tuple[list[str], list[int]]:
    """A datastore's parts: any number of records, each in CDATA or not, with chrome before,
    between and after them (before the recordset and after it too); and the records' numbers."""
    numbers = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=12, unique=True))
    chrome = st.lists(st.sampled_from(CHROME), max_size=3).map("".join)
    parts = [draw(chrome)]
    for n in numbers:
        parts += [record(n, draw(st.booleans())), draw(chrome)]
    return parts, numbers


def keys_of(page) -> list[str]:
    return [row.item_key for row in page.rows]


@given(stores(), st.sampled_from(CHROME), st.booleans())
def test_every_record_is_read_in_order_and_nothing_else_whatever_markup_lies_around(
    drawn: tuple[list[str], list[int]], outer: str, in_column_page: bool
) -> None:
    parts, numbers = drawn
    store = (
        datastore(parts).replace("<recordset>", f"{outer}<recordset>").replace("</recordset>", f"</recordset>{outer}")
    )
    if in_column_page:
        page = hanweb.parse_listing(column_page(store), COLUMN, {})
    else:
        page = hanweb.parse_listing(store.replace("<recordset>", "<totalrecord>99</totalrecord><recordset>"), GROUP, {})
    assert keys_of(page) == [f"art_31685_{2451000 + n}" for n in numbers]
    assert [row.fields["title"] for row in page.rows] == [f"询价公告{n}" for n in numbers]
    assert [row.fields["published_date"] for row in page.rows] == [f"2017-04-{n % 28 + 1:02d}" for n in numbers]
    assert page.unreadable_rows == ()


def test_the_old_jslib_column_page_reads_and_asks_its_next_group_where_the_link_says() -> None:
    store = datastore([CHROME[0], CHROME[1], record(1, True), "\n", record(2, True), CHROME[4]])
    page = hanweb.parse_listing(column_page(store), COLUMN, {})
    assert keys_of(page) == ["art_31685_2451001", "art_31685_2451002"]
    assert page.next_request.url.startswith(
        "http://www.nt.example.cn/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=3&"
    )
    assert dict(page.next_request.data)["unitid"] == "80325"


def test_totalrecord_and_nextgroup_are_read_with_chrome_around_them() -> None:
    text = datastore(["<br>", record(1, True), "<br>"]).replace(
        "<datastore>", "<datastore><table align=center><tr><td nowrap><totalrecord> 96 </totalrecord></td>"
    )
    page = hanweb.parse_listing(text, GROUP, {})
    assert page.advertised_total == 96 and len(page.rows) == 1


def test_a_record_left_open_ends_where_the_next_one_starts() -> None:
    text = datastore([record(1, True).replace("</record>", ""), record(2, True), record(3, False)])
    assert keys_of(hanweb.parse_listing(column_page(text), COLUMN, {})) == [
        "art_31685_2451001",
        "art_31685_2451002",
        "art_31685_2451003",
    ]


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE datastore [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!ENTITY x "x">',
        "<!ELEMENT record ANY>",
        "<!ATTLIST record id CDATA #IMPLIED>",
    ],
)
def test_a_declaration_among_the_chrome_is_still_refused(declaration: str) -> None:
    text = datastore([CHROME[0], declaration, record(1, True), "<br>"])
    with pytest.raises(UnsafeXml):
        hanweb.parse_listing(text, GROUP, {})
    with pytest.raises(UnsafeXml):
        hanweb.parse_listing(column_page(text), COLUMN, {})


def test_a_datastore_without_any_record_is_a_layout_change_that_says_so() -> None:
    text = column_page(datastore([CHROME[0], "<tr><td>暂无信息</td></tr>", CHROME[1]]))
    with pytest.raises(LayoutChanged, match=r"a <datastore> without any <record>"):
        hanweb.parse_listing(text, COLUMN, {})


def test_a_page_with_neither_datastore_nor_record_is_a_layout_change_that_says_so() -> None:
    text = column_page("<ul><li><a href='/art/2017/4/1/art_1_1.html'>通知</a><span>2017-04-01</span></li></ul>")
    with pytest.raises(LayoutChanged, match=r"no <datastore>"):
        hanweb.parse_listing(text, COLUMN, {})


def test_cdata_is_cdata_in_any_case_as_the_declaration_check_reads_it() -> None:
    # the check skips declarations inside `<![cdata[…]]>`; the scan takes that text as the record's
    lower = record(1, True).replace("<![CDATA[", "<![cdata[<!DOCTYPE html>")
    page = hanweb.parse_listing(datastore([lower, record(2, True)]), GROUP, {})
    assert keys_of(page) == ["art_31685_2451001", "art_31685_2451002"]
