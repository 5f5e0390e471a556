"""Whatever a portal sends, a parser answers with a page or a `PageError`, never another error.

Pages are cut, spliced and filled with markup fragments by hypothesis; a parser may refuse
them, but only with a reason (`PageError`), and never with an empty row list on a page that
is not an API's end.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import LayoutChanged, PageError
from connectors.families import FAMILIES, ssp
from connectors.families.checks import MAX_UNREADABLE_SHARE, check_unreadable_share
from connectors.records import Request

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = {
    "trs": [
        p.read_bytes().decode("gb18030" if p.name.startswith("gbk") else "utf-8")
        for p in sorted((FIXTURES / "trs").glob("*.html"))
    ],
    "hanweb": [
        (FIXTURES / "hanweb" / n).read_text("utf-8") for n in ("column_page.html", "dataproxy_group.xml", "detail.html")
    ],
    "ssp": [(FIXTURES / "ssp" / "page1_raw_newlines.json").read_text("utf-8")],
}
REQUESTS = {
    "trs": Request("http://www.longyan.gov.cn/gk/gsj/index_3.shtml"),
    "hanweb": Request(
        "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90",
        method="POST",
        data=(("webid", "110"),),
    ),
    "ssp": ssp.first_request("https://www.fujian.gov.cn/ssp/search/api/apiSearch?siteId=1", {}),
}
FRAGMENTS = st.sampled_from(
    [
        "<",
        ">",
        "</",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<script>",
        "</script>",
        "<table>",
        "<tr>",
        "<td>索 引 号</td>",
        "<td>",
        "<li>",
        "<a href=",
        "'javascript:x'",
        '"./t20120305_1.htm"',
        "<span>2012-13-45</span>",
        "<b>2012-03-05</b>",
        "<datastore>",
        "</datastore>",
        "<record>",
        "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
        "&e;",
        "createPageHTML(",
        "9" * 30,
        "var countPage=",
        "{",
        "}",
        '"datas":',
        "[",
        "]",
        "null",
        "\x00",
        "\ud7ff",
        "http://[::1",
        "http://x.gov.cn:99999/a.pdf",
        "安全验证",
        "名称",
        "发布日期：",
        "　",
        "\u00a0",
    ]
)


def _check(family: str, text: str) -> None:
    module = FAMILIES[family]
    try:
        page = module.parse_listing(text, REQUESTS[family], {})
    except PageError:
        pass
    else:
        if page.unreadable_rows and not page.rows:
            # no row read, some unreadable: the crawl's share check fails the page as changed
            with pytest.raises(LayoutChanged):
                check_unreadable_share(REQUESTS[family].url, 0, page.unreadable_rows, MAX_UNREADABLE_SHARE)
        else:
            assert page.rows or (family == "ssp" and page.next_request is None)
    with contextlib.suppress(PageError):
        module.parse_detail(text, "http://www.longyan.gov.cn/gk/gsj/201203/t20120305_1.htm", {})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(PAGES)), st.data())
def test_cut_and_spliced_pages(family: str, data: st.DataObject) -> None:
    page = data.draw(st.sampled_from(PAGES[family]))
    start = data.draw(st.integers(0, len(page)))
    end = data.draw(st.integers(start, len(page)))
    insert = "".join(data.draw(st.lists(FRAGMENTS, max_size=8)))
    _check(family, page[:start] + insert + page[end:])


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(PAGES)), st.lists(FRAGMENTS | st.text(max_size=20), max_size=40))
def test_pages_made_of_fragments(family: str, parts: list[str]) -> None:
    _check(family, "".join(parts))
