"""Advertised totals in every pager style real portals print, over generated variants
(spacing, quotes, var/let/const, object keys, comments), and the total feeding the crawl's
completeness check over real loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.loopback import LoopbackServer
from hypothesis import given
from hypothesis import strategies as st

from connectors.crawl import PortalTarget, crawl
from connectors.families import hanweb, ssp, trs
from connectors.families.totals import Advertised, advertised
from connectors.http import HttpClient
from connectors.records import Request

COUNTS = st.integers(1, 10**7)
SPACE = st.sampled_from(["", " ", "  ", "\t", "\n"])
QUOTE = st.sampled_from(["", "'", '"'])
DECL = st.sampled_from(["var ", "let ", "const ", "window.", ""])
ITEM_NAMES = st.sampled_from(["countnum", "recordCount", "totalRecord", "totalCount"])
PAGE_NAMES = st.sampled_from(["countPage", "totalPage", "pageCount"])


def script(code: str) -> str:
    return f"<html><body><ul><li>x</li></ul><script type='text/javascript'>{code}</script></body></html>"


@st.composite
def assignment(draw, names: st.SearchStrategy[str], value: int) -> str:
    """`var name = 12;`, `name:'12',` (an object key, quoted or not) …, spaced at random."""
    name, sp, q = draw(names), draw(SPACE), draw(QUOTE)
    if draw(st.booleans()):
        return f"{draw(DECL)}{name}{sp}={sp}{q}{value}{q};"
    key = draw(st.sampled_from([name, f"'{name}'", f'"{name}"']))
    return f"var info = {{{sp}quickMode:'x',{sp}{key}{sp}:{sp}{q}{value}{q},{sp}prepage:15}};"


@given(st.data(), COUNTS)
def test_item_totals_in_every_spelling(data, n: int) -> None:
    assert advertised(script(data.draw(assignment(ITEM_NAMES, n)))) == Advertised(n, None)


@given(st.data(), COUNTS)
def test_page_counts_in_every_spelling(data, n: int) -> None:
    assert advertised(script(data.draw(assignment(PAGE_NAMES, n)))) == Advertised(None, n)


@given(COUNTS, st.integers(0, 500), SPACE, QUOTE, st.sampled_from(["html", "htm", "shtml"]))
def test_create_page_html_gives_pages_not_items(n: int, current: int, sp: str, q: str, ext: str) -> None:
    code = f'createPageHTML({sp}{q}{n}{q}{sp},{sp}{current},{sp}"index",{sp}"{ext}"{sp});'
    assert advertised(script(code)) == Advertised(None, n)


@given(COUNTS, st.integers(1, 100), SPACE)
def test_a_count_computed_in_script_gives_its_items(n: int, size: int, sp: str) -> None:
    code = f"var totalPage = Math.ceil({sp}{n}{sp}/{sp}{size}{sp});\ncreatePageHTML(totalPage, 0, 'index', 'html');"
    assert advertised(script(code)) == Advertised(n, None)


@given(COUNTS, st.data())
def test_code_in_comments_is_not_the_pager(n: int, data) -> None:
    name = data.draw(ITEM_NAMES)
    commented = data.draw(
        st.sampled_from(
            [
                f"//createPageHTML({n}, 0, 'index', 'html');\nvar x = 1;",
                f"var a = 1; // var {name} = {n};",
                f"/* var {name} = {n};\n createPageHTML({n}, 0, 'index', 'htm'); */",
            ]
        )
    )
    assert advertised(script(commented)) == Advertised(None, None)
    outside = f"<html><body><!-- <script>var {name} = {n};</script> 共{n}条 --><p>x</p></body></html>"
    assert advertised(outside) == Advertised(None, None)
    # old templates wrap live code in <!-- … //-->: those markers comment out their own line only
    assert advertised(script(f"<!--\nvar {name} = {n};\n//-->")) == Advertised(n, None)


@given(COUNTS, COUNTS, SPACE, st.sampled_from(["", "&nbsp;", "<span>", "<b class='n'>"]))
def test_totals_printed_in_the_pager_text(items: int, pages: int, sp: str, tag: str) -> None:
    close = "</span>" if tag == "<span>" else "</b>" if tag.startswith("<b") else tag
    text = f"<div class='page'>共{sp}{tag}{items}{close}{sp}条 共{sp}{tag}{pages}{close}{sp}页</div>"
    assert advertised(f"<html><body>{text}</body></html>") == Advertised(items, pages)


def test_a_zero_is_a_placeholder_not_a_total() -> None:
    page = "<html><body>第 <input/> 页 / 共 <span class='total'>0</span> 页 <script>var countnum = 0;</script></body></html>"
    assert advertised(page) == Advertised(None, None)


def test_the_jpage_call_handed_the_datastore_gives_the_hanweb_total() -> None:
    record = '<record><![CDATA[<li><a href="/art/2012/3/5/art_1_1.html" title="甲">甲</a><span>2012-03-05</span></li>]]></record>'
    page = (
        "<html><head><title>通知公告</title></head><body><ul class='nav'>"
        + "".join(f"<li><a href='/col/col{n}/index.html'>栏目{n}</a></li>" for n in range(2, 12))
        + f"</ul><div id='9'><script type='text/xml'><datastore><recordset>{record}</recordset></datastore>"
        "</script></div><script>function jpage_9(){$('#9').jpage({totalRecord:1000,perPage:10});};"
        "$(function(){$('#9').jpage({themeName:'default',totalRecord:138,dataStore:$('#9').children('script')"
        ".html(),perPage:10,ajaxParam:{webid:3,columnid:1,unitid:'9'}});});</script></body></html>"
    )
    assert hanweb.parse_listing(page, Request("http://x.gov.cn/col/col1/index.html"), {}).advertised_total == 138


@given(COUNTS, st.booleans())
def test_a_search_box_s_placeholder_total_is_no_total_of_the_column(placeholder: int, printed: bool) -> None:
    """The datastore's own jpage call states no total; the search box's call states a
    placeholder: the column advertises nothing, or what its pager text prints."""
    record = '<record><![CDATA[<li><a href="/art/2012/3/5/art_1_1.html" title="甲">甲</a><span>2012-03-05</span></li>]]></record>'
    text = "<div class='pg'>共 37 条</div>" if printed else ""
    page = (
        "<html><head><title>通知公告</title></head><body><ul class='nav'>"
        + "".join(f"<li><a href='/col/col{n}/index.html'>栏目{n}</a></li>" for n in range(2, 12))
        + f"</ul><div id='9'><script type='text/xml'><datastore><recordset>{record}</recordset></datastore>"
        f"</script></div>{text}<script>function jpage_9(){{$('#9').jpage({{totalRecord:{placeholder},perPage:10}});}};"
        "$(function(){$('#9').jpage({themeName:'default',dataStore:$('#9').children('script')"
        ".html(),perPage:10,ajaxParam:{webid:3,columnid:1,unitid:'9'}});});</script></body></html>"
    )
    listing = hanweb.parse_listing(page, Request("http://x.gov.cn/col/col1/index.html"), {})
    assert listing.advertised_total == (37 if printed else None)


@given(COUNTS, st.booleans())
def test_json_total_as_a_number_or_a_string(n: int, quoted: bool) -> None:
    item = {"_doctitle": "甲", "docpuburl": "http://x.gov.cn/202001/t20200101_1.htm", "pubdate": "2020-01-01"}
    text = json.dumps({"error": False, "total": str(n) if quoted else n, "datas": [item]})
    page = ssp.parse_listing(text, ssp.first_request("http://x.gov.cn/ssp/search/api/apiSearch?x=1", {}), {})
    assert page.advertised_total == n


def column(rows: int, total: int) -> bytes:
    items = "".join(
        f'<li><a href="./2012{m:02d}/t2012{m:02d}0{d}_{m}{d}.htm" title="第{m}-{d}号">第{m}-{d}号</a>'
        f'<span class="bf-pass">2012-{m:02d}-0{d}</span></li>'
        for m in range(1, 13)
        for d in range(1, 10)
    ).split("</li>")[:rows]
    info = f"<script>var pageChnlInfo={{quickMode:'动静结合', recordCount:'{total}', prepage:15}};</script>"
    return (
        "<html><head><title>工作进展情况</title></head><body><div class='list_base'><ul>"
        + "</li>".join(items)
        + f"</li></ul></div>{info}</body></html>"
    ).encode()


def test_a_trs_list_script_total_feeds_the_completeness_check(tmp_path: Path) -> None:
    # 75 static rows of a column that advertises 107 (the rest come from its search API)
    with LoopbackServer() as server:
        server.routes["/zwgk/gzjz/"] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, column(75, 107))
        client = HttpClient(tmp_path / "data", per_host_delay=0, max_attempts=1, timeout=5)
        target = PortalTarget("gzjz", "trs", server.url("/zwgk/gzjz/"), details="never")
        with client:
            run = crawl(target, client, run_id="20260901T020000Z")
            assert len(list(run)) == 75
    assert trs.parse_listing(column(75, 107).decode(), Request(target.url), {}).advertised_total == 107
    summary = run.summary
    assert summary.advertised_total == 107
    assert summary.status == "partial" and not summary.complete
    assert "75 of 107 advertised items seen (32 missing)" in summary.reason
