"""jpaas (Zhejiang's Hanweb jpaas): a column shell whose unit script names the build/unit API,
walked over real loopback HTTP page by page to the advertised count.

The shell and the API answers are written here in the shape of the real pages (a
`unitbuild.js` script with `url` and `queryData`; `{"success", "code", "data": {"html"}}` with
a `table.pagination` carrying `count`, `rows` and `pageNo`); the figures are worked out by
hand: 32 documents, 15 a page, so pages of 15, 15 and 2.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers.loopback import LoopbackServer

from connectors.crawl import PortalTarget, crawl
from connectors.errors import NoRows
from connectors.families import jpaas
from connectors.http import HttpClient
from connectors.records import Request
from flows.config.model import Harvest
from flows.portal.probe import probe_url

SHELL = "/col/col1229565788/index.html"
API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
QUERY = "{'parseType':'bulidstatic','webId':'3185','tplSetId':'o0Yc','pageType':'column','tagId':'信息列表','editType':'null','pageId':'1229565788'}"
TOTAL, SIZE = 32, 15


def shell(units: str) -> bytes:
    menu = "".join(f"<li><a title='栏目{n}' href='/col/col{n}/index.html'>栏目{n}</a></li>" for n in range(10))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>行政规范性文件</title>"
        "<meta name='ColId' content='1229565788'></head><body>"
        f"<div class='bt-column-menu'><ul>{menu}</ul></div><div class='bt-column-cen'>{units}</div></body></html>"
    ).encode()


def unit(tag: str) -> str:
    query = QUERY.replace("信息列表", tag)
    return (
        f"<script id='0d3d' src='/cms_files/default/script/AuthorizedRead/unitbuild.js' webId='3185' "
        f'url="{API}" queryData="{query}"></script>'
    )


def answer(page: int) -> bytes:
    first = (page - 1) * SIZE
    items = ""
    for n in range(first, min(first + SIZE, TOTAL)):
        day = date(2026, 6, 30) - timedelta(days=3 * n)
        title = f"省发展改革委关于印发第{n}号实施办法的通知"
        items += (
            f"<li class='clearfix'><a class='bt-left' title='{title}' href='/col/col1229123351/art/{day.year}/"
            f"art_{n:032x}.html' target='_blank'>{title[:12]}...</a><span class='bt-right'>{day}</span></li>"
        )
    pager = (
        f"<table class='pagination default_pgToolbar' queryData=\"{QUERY}\" rows='{SIZE}' count='{TOTAL}' "
        f"pageNo='{page}' unitUrl='{API}'><tr><td>共 <span>0</span> 页</td></tr></table>"
    )
    html = f"<ul><div id='信息列表'><div class='page-content'>{items}</div></div></ul>{pager}"
    return json.dumps({"success": True, "message": "生成成功", "code": "200", "data": {"html": html}}).encode()


@pytest.fixture
def portal():
    with LoopbackServer() as server:
        server.routes[SHELL] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, shell(unit("信息列表")))

        def api(handler):
            query = parse_qs(urlsplit(handler.path).query)
            param = json.loads(query["paramJson"][0])
            assert query["pageId"] == ["1229565788"] and query["tagId"] == ["信息列表"]
            return 200, {"Content-Type": "application/json;charset=UTF-8"}, answer(param["pageNo"])

        server.routes[API] = api
        yield server


def test_the_shell_leads_to_the_unit_api_and_the_walk_reaches_the_count(portal, tmp_path: Path) -> None:
    client = HttpClient(tmp_path / "data", per_host_delay=0, max_attempts=1, timeout=5)
    target = PortalTarget("zj-gfxwj", "jpaas", portal.url(SHELL), details="never")
    with client:
        run = crawl(target, client, run_id="20260701T020000Z")
        listings = list(run)
    summary = run.summary
    assert summary.status == "ok" and summary.complete, summary.reason
    assert (summary.pages, summary.rows, summary.advertised_total) == (3, 32, 32)
    assert listings[0].title == "省发展改革委关于印发第0号实施办法的通知"  # the title attribute, not the cut text
    # row n is dated 3n days before 30 June: row 31, 93 days before, is 29 March
    assert listings[0].published_date == date(2026, 6, 30) and listings[-1].published_date == date(2026, 3, 29)
    pages = [json.loads(parse_qs(urlsplit(p).query)["paramJson"][0]) for p in portal.paths() if p.startswith(API)]
    assert pages == [{"pageNo": n, "pageSize": 15} for n in (1, 2, 3)]


def test_the_tag_option_picks_the_unit_of_a_shell_that_builds_several() -> None:
    page = shell(unit("热点信息") + unit("信息列表")).decode()
    request = Request("https://x.gov.cn" + SHELL)
    first = jpaas.parse_listing(page, request, {})
    chosen = jpaas.parse_listing(page, request, {"tag": "信息列表"})
    assert parse_qs(urlsplit(first.next_request.url).query)["tagId"] == ["热点信息"]
    assert parse_qs(urlsplit(chosen.next_request.url).query)["tagId"] == ["信息列表"]
    assert chosen.passing and chosen.rows == []


def test_a_shell_without_a_unit_script_says_what_was_looked_for() -> None:
    with pytest.raises(NoRows, match="no unit script with url=…/front/page/build/unit"):
        jpaas.parse_listing(shell("").decode(), Request("https://x.gov.cn" + SHELL), {})


def test_portal_probe_names_the_shell_jpaas_and_reads_its_first_page(portal) -> None:
    detail = (
        "<html><head><meta name='ArticleTitle' content='甲'></head><body><table class='xxgktab'>"
        "<tr><td>索引号：</td><td>11330000002482031M/2026-1010578183</td><td>组配分类：</td><td>行政规范性文件</td></tr>"
        "<tr><td>发布机构：</td><td>浙江省发改委</td><td>生成日期：</td><td>2026-06-02</td></tr>"
        "<tr><td>文件编号：</td><td>浙发改能源〔2026〕116号</td><td>有效性：</td><td>有效</td></tr></table>"
        "<div id='zoom'><p>正文</p></div></body></html>"
    ).encode()
    portal.routes[f"/col/col1229123351/art/2026/art_{0:032x}.html"] = lambda h: (
        200,
        {"Content-Type": "text/html"},
        detail,
    )
    proposal = probe_url(portal.url(SHELL), Harvest(per_host_delay=0, timeout=5))
    assert proposal.recognition.platform == "jpaas" and 'platform = "jpaas"' in proposal.entry
    assert proposal.probe.ok, proposal.probe.error
    assert len(proposal.probe.rows) == 15 and proposal.probe.advertised_total == 32
    assert proposal.probe.detail["doc_no"] == "浙发改能源〔2026〕116号"
    assert proposal.probe.detail["written_date"] == date(2026, 6, 2)
