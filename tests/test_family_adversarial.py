"""Hostile pages cost time linear in their size: no regex or walk of a family backtracks or
rescans its way to quadratic time on what a portal sends.

Each page is built to expose one trap: a regex with a run scanned again from every start
(2 MB of `href=` took the old next-link regex forever), a walk up or down every element of
a deep tree (ten thousand unclosed `<span>`s), a label read again for every enclosing
element. Text-heavy pages are 2 MB; element-heavy ones are smaller, since building each
element costs bs4 microseconds on its own. The bound is generous for this slow shared
machine; a quadratic trap blows through it by minutes, and an alarm ends the call then.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers.timing import cpu_timed

from connectors.errors import LayoutChanged, NoRows
from connectors.families import hanweb, ssp, trs
from connectors.records import Request

#: CPU-time bounds: run one at a time with the other timed tests (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("timing")
BOUND = 5.0  # seconds per call
MB2 = 2_000_000
KB200 = 200_000

LIST = Request("http://a.gov.cn/xxgk/index_1.htm")
DETAIL = "http://a.gov.cn/xxgk/201203/t20120305_1.htm"
COLUMN = Request("http://a.gov.cn/col/col2/index.html")

#: One readable row and one readable label, so the parsers go on to the hostile rest.
HEAD = (
    "<html><head><title>x</title></head><body><table>"
    "<tr><th>发布日期</th><th>标题</th><th>索 引 号</th></tr>"
    "<tr><td>2012-03-05</td><td><a href='./201203/t20120305_1.htm'>甲</a></td>"
    "<td>X/2012-00001</td></tr></table><p><strong>索引号</strong>：X/2012-00001</p>"
)
#: Nothing readable: every method of finding rows and labels is tried on the rest.
BARE = "<html><head><title>x</title></head><body><p>" + "说明" * 400 + "</p>"
ROW = "<li><a href='./201203/t20120305_1.htm'>x</a><span>2012-03-05</span></li>"  # 72 characters


def filled(unit: str, size: int, head: str = HEAD, tail: str = "") -> str:
    return head + unit * (size // len(unit)) + tail


def column_page(records: str) -> str:
    """A Hanweb column page whose datastore holds `records`."""
    return (
        BARE + "<script type='text/xml'><datastore><nextgroup><![CDATA[<a href='/module/web/"
        "jpage/dataproxy.jsp?webid=1&amp;columnid=2&amp;unitid=3'>next</a>]]></nextgroup>"
        f"<totalrecord>9</totalrecord>{records}</datastore></script></body></html>"
    )


def trs_listing(page: str):
    return trs.parse_listing(page, LIST, {})


def trs_detail(page: str):
    return trs.parse_detail(page, DETAIL, {})


def hanweb_listing(page: str):
    return hanweb.parse_listing(page, COLUMN, {})


def ssp_detail(page: str):
    return ssp.parse_detail(page, DETAIL, {})


NESTED = filled("<div><span><li>", MB2)
CASES: dict[str, tuple[Callable, str]] = {
    # regexes over the raw text
    "trs listing: 2 MB of href= (the next-link scan)": (trs_listing, filled("href=", MB2)),
    "trs listing: 2 MB of href=index_1.htm": (trs_listing, filled("href=index_1.htm ", MB2)),
    "trs listing: 2 MB of createPageHTML(": (trs_listing, filled("createPageHTML(", MB2)),
    "trs listing: createPageHTML( and 2 MB of digits": (trs_listing, filled("1", MB2, HEAD + "createPageHTML(")),
    "trs listing: 2 MB of var countPage=": (trs_listing, filled("var countPage=", MB2)),
    "trs listing: 2 MB of unclosed <a ": (trs_listing, filled("<a ", MB2)),
    "trs detail: 2 MB of unclosed <a ": (trs_detail, filled("<a ", MB2)),
    "trs listing: 2 MB of unclosed <script <!--": (trs_listing, filled("<script <!-- <a ", MB2, BARE)),
    "trs detail: 2 MB of label runs": (trs_detail, filled("索 引 号：发布机构：", MB2, BARE + "<p>")),
    "hanweb listing: 2 MB of <![CDATA[": (hanweb_listing, column_page("<![CDATA[<datastore>" * (MB2 // 20))),
    "hanweb listing: records of bracketed non-dates": (
        hanweb_listing,
        column_page(
            "<record><![CDATA[<li><a href='/art/2012/3/5/art_1_1.html'>t</a>"
            + "[2012-2012-" * 3000
            + "]]></record>" * 50
        ),
    ),
    # walks over deep trees
    "trs listing: 2 MB of nested tags": (trs_listing, NESTED),
    "trs detail: 2 MB of nested tags": (trs_detail, NESTED),
    "ssp detail: 2 MB of nested label tags": (ssp_detail, filled("<b>发布日期：", MB2)),
    "hanweb listing: a record of nested tags": (
        hanweb_listing,
        column_page(
            "<record><![CDATA[<li><a href='/art/2012/3/5/art_1_1.html'>t</a>"
            + "<span>" * 3000
            + "2012-03-05]]></record>"
        ),
    ),
    "trs listing: rows 240 deep": (trs_listing, filled(ROW, KB200, BARE + "<div><i>" * 120)),
    "trs listing: tables 240 deep": (
        trs_listing,
        filled(
            "<table><tr><td><a href='./201203/t20120305_1.htm'>x</a></td><td>2012-03-05</td></tr></table>",
            KB200,
            BARE + "<table><tr><td>" * 80,
        ),
    ),
    "trs detail: labels and values 240 deep": (
        trs_detail,
        filled("<b>发布日期：</b><i>v</i>", KB200, BARE + "<b>发布日期：</b><i>" * 120),
    ),
    # many of one thing
    "trs listing: label cells repeated": (
        trs_listing,
        filled("<tr><td>索 引 号</td><td>索 引 号：</td></tr>", KB200, BARE + "<table>"),
    ),
    "trs detail: label cells repeated": (
        trs_detail,
        filled("<tr><td>索 引 号</td><td>索 引 号：</td></tr>", KB200, BARE + "<table>"),
    ),
    "trs detail: label tags repeated": (trs_detail, filled("<b>发布日期：</b>", KB200, BARE + "<p>")),
    "trs listing: li rows repeated": (trs_listing, filled(ROW, KB200, BARE)),
    "hanweb listing: records repeated": (
        hanweb_listing,
        column_page(
            "<record><![CDATA[<li><a href='/art/2012/3/5/art_1_1.html' title='t'>t</a>"
            "<span>2012-03-05</span></li>]]></record>" * 2000
        ),
    ),
}


def timed(parse: Callable, page: str) -> tuple[float, object]:
    """(CPU seconds, result or PageError) of one call, cut off at three bounds of CPU time."""
    return cpu_timed(parse, page, 3 * BOUND)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_page_is_read_in_bounded_time(case: str) -> None:
    parse, page = CASES[case]
    elapsed, outcome = timed(parse, page)
    assert outcome is not None, f"{case}: still running after {3 * BOUND:.0f} s of CPU"
    assert elapsed < BOUND, f"{case}: {elapsed:.1f} s of CPU"


def test_the_href_flood_reads_the_row_and_finds_no_next_page() -> None:
    _, page = timed(trs_listing, filled("href=", MB2))
    assert [row.item_key for row in page.rows] == ["t20120305_1"]
    assert page.next_request is None  # no pager script and no link to index_2.htm


def test_a_rendered_next_link_after_the_flood_is_still_found() -> None:
    _, page = timed(trs_listing, filled("href=", MB2, tail="<a href='index_2.htm'>下一页</a>"))
    assert page.next_request == Request("http://a.gov.cn/xxgk/index_2.htm")


@pytest.mark.parametrize("parse", [trs_listing, trs_detail, ssp_detail])
def test_deeply_nested_tags_are_refused_with_the_reason(parse: Callable) -> None:
    _, outcome = timed(parse, NESTED)
    assert type(outcome) is LayoutChanged
    assert str(outcome) == ("elements nested more than 256 deep: not a page a template renders; refused")


def test_rows_240_deep_are_all_read() -> None:
    _, page = timed(trs_listing, filled(ROW, KB200, BARE + "<div><i>" * 120))
    assert len(page.rows) == 2777  # 200,000 // 72: every row, none lost to the depth


def test_a_page_of_label_cells_alone_has_no_rows() -> None:
    _, outcome = timed(trs_listing, filled("<tr><td>索 引 号</td><td>索 引 号：</td></tr>", KB200, BARE + "<table>"))
    assert type(outcome) is NoRows


def test_a_detail_page_is_read_up_to_the_depth_the_parser_keeps_and_refused_at_it() -> None:
    # html and body are two levels: 253 spans put the label at depth 255, 254 spans at 256,
    # the deepest libxml2 keeps (deeper elements are hung on it: the nesting was cut)
    page = "<html><body>" + "<span>" * 253 + "索引号：X/2012-00001"
    assert trs.parse_detail(page, DETAIL, {}).fields == {"index_no": "X/2012-00001"}
    with pytest.raises(LayoutChanged, match="nested more than 256 deep"):
        trs.parse_detail("<html><body>" + "<span>" * 254 + "索引号：X/2012-00001", DETAIL, {})
