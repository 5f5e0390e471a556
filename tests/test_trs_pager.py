"""TRS pager scripts in the spellings real templates print: counts cast with `Number("34")` or
`parseInt`, and `createPageHTML` in both of its shapes (count first, pages `index_1`…; container
first, pages `fg_2`… and the items as its last argument). Generated variants, then a whole
column walked over real loopback HTTP."""

from __future__ import annotations

from pathlib import Path

from helpers.loopback import LoopbackServer
from hypothesis import given
from hypothesis import strategies as st

from connectors.crawl import PortalTarget, crawl
from connectors.families import trs
from connectors.families.generic.propose import propose_selectors
from connectors.families.totals import Advertised, advertised
from connectors.http import HttpClient
from connectors.records import Request

SPACE = st.sampled_from(["", " ", "\t"])
QUOTE = st.sampled_from(["'", '"'])
NAMES = st.sampled_from(["index", "fg", "list", "xlist", "common_list", "list_yw", "dc-list"])
EXTS = st.sampled_from(["html", "htm", "shtml"])


@st.composite
def cast(draw, value: int) -> str:
    """`34`, `"34"`, `Number("34")`, `parseInt('34', 10)` … as a script writes a count."""
    q, sp = draw(st.sampled_from(["", "'", '"'])), draw(SPACE)
    form = draw(
        st.sampled_from(["{q}{v}{q}", "Number({sp}{q}{v}{q}{sp})", "parseInt({q}{v}{q}, 10)", "parseInt({q}{v}{q})"])
    )
    return form.format(q=q, v=value, sp=sp)


def rows_html(page: int, n: int = 3) -> str:
    return "".join(
        f'<li><a href="./2026{page % 12 + 1:02d}/t2026{page % 12 + 1:02d}0{i + 1}_{page}{i}.html">第{page}页第{i}件通知</a>'
        f"<span>2026-{page % 12 + 1:02d}-0{i + 1}</span></li>"
        for i in range(n)
    )


FOOTER = "主办单位：某市人民政府办公室 承办单位：某市大数据中心 " * 6


def listing(script: str, page: int = 0) -> str:
    return (
        f"<html><head><title>通知公告</title></head><body><div class='list_base'><ul>{rows_html(page)}</ul></div>"
        f"<div class='pager'><script>{script}</script></div><div class='footer'>{FOOTER}</div></body></html>"
    )


@given(st.data(), st.integers(2, 500), SPACE)
def test_a_cast_page_count_pages_the_listing_to_its_last_page(data, pages: int, sp: str) -> None:
    current = data.draw(st.integers(0, pages - 1))
    script = (
        f"var currentPage = {data.draw(cast(current))}; //所在页从0开始\n"
        f"var countPage{sp}={sp}{data.draw(cast(pages))}; //共多少页"
    )
    url = "http://x.gov.cn/xwzx/tzgg/" + ("" if current == 0 else f"index_{current}.html")
    page = trs.parse_listing(listing(script, current), Request(url), {})
    assert page.page_count == pages and advertised(listing(script)) == Advertised(None, pages)
    expected = None if current == pages - 1 else Request(f"http://x.gov.cn/xwzx/tzgg/index_{current + 1}.html")
    assert page.next_request == expected


@given(st.data(), st.integers(1, 400), st.integers(1, 10**6), NAMES, EXTS, SPACE, QUOTE)
def test_the_container_first_call_names_its_pages_from_two_and_gives_its_items(
    data, pages: int, items: int, name: str, ext: str, sp: str, q: str
) -> None:
    current = data.draw(st.integers(1, pages))  # 1-based in this shape
    call = f"createPageHTML({q}page_div{q},{sp}{pages},{sp}{current},{sp}{q}{name}{q},{sp}{q}{ext}{q},{sp}{items});"
    own = f"{name}.{ext}" if current == 1 else f"{name}_{current}.{ext}"
    page = trs.parse_listing(listing(call, current), Request(f"http://x.gov.cn/csrc/c1/{own}"), {})
    assert page.page_count == pages and page.advertised_total == items
    expected = None if current == pages else Request(f"http://x.gov.cn/csrc/c1/{name}_{current + 1}.{ext}")
    assert page.next_request == expected


@given(st.integers(2, 400), NAMES, EXTS, SPACE, QUOTE)
def test_the_count_first_call_names_its_second_page_one(pages: int, name: str, ext: str, sp: str, q: str) -> None:
    call = f"createPageHTML({pages},{sp}0,{sp}{q}{name}{q},{sp}{q}{ext}{q});"
    page = trs.parse_listing(listing(call), Request("http://x.gov.cn/zwgk/"), {})
    assert page.page_count == pages and page.advertised_total is None
    assert page.next_request == Request(f"http://x.gov.cn/zwgk/{name}_1.{ext}")


def test_the_definition_of_the_pager_function_is_not_a_call() -> None:
    script = "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}"
    assert advertised(listing(script)) == Advertised(None, None)
    assert trs.parse_listing(listing(script), Request("http://x.gov.cn/zwgk/"), {}).next_request is None


def test_generic_proposes_the_pages_the_container_first_call_names() -> None:
    text = listing("createPageHTML('page_div', 5, 1, 'fg', 'shtml', 89);")
    proposed = propose_selectors(text.encode(), "http://x.gov.cn/csrc/c1/fg.shtml")
    assert proposed is not None and proposed["pager"] == "fg_{n}.shtml" and proposed["first_page"] == "2"


def test_a_column_paged_by_the_container_first_call_is_read_whole(tmp_path: Path) -> None:
    pages = 4
    with LoopbackServer() as server:
        for number in range(1, pages + 1):
            own = "fg.shtml" if number == 1 else f"fg_{number}.shtml"
            body = listing(f"createPageHTML('page_div',{pages},{number},'fg','shtml',{3 * pages});", number).encode()
            server.routes[f"/csrc/c1/{own}"] = lambda h, body=body: (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                body,
            )
        client = HttpClient(tmp_path / "data", per_host_delay=0, max_attempts=1, timeout=5)
        target = PortalTarget("csrc-fg", "trs", server.url("/csrc/c1/fg.shtml"), details="never")
        with client:
            run = crawl(target, client, run_id="20260901T020000Z")
            keys = [item.item_key for item in run]
    assert len(keys) == len(set(keys)) == 3 * pages
    assert run.summary.status == "ok" and run.summary.advertised_total == 3 * pages
