"""How far a Hanweb column goes when its column page holds fewer than 45 records: real sites
embed groups of 15, 20, 25 or 40 (their jpage call's `perPage` × `groupSize`, or a proxy
URL's `endrecord`), some without saying so. A column page of N records, however it states
its group (or does not), and whatever follows it (more groups, or nothing), is walked over
real HTTP on loopback to every record, each read once.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from helpers.loopback import LoopbackServer

from connectors.crawl import PortalTarget, crawl
from connectors.families import hanweb
from connectors.http import HttpClient
from connectors.records import Request

COLUMN_PATH = "/col/col7/index.html"
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"

#: How a column page's jpage call states the group it embeds (N records), or does not:
#: each is formatted with n (the group) and page (n // 5: the records of a page when a group
#: is 5 pages). `perPageText` is no `perPage`.
STATED = {
    "nothing": "perPageText: '每页', themeName: 'default',",
    "perPage x groupSize": "perPage: {page}, groupSize: 5,",
    "perPage alone": "perPage: {n},",
    "perPage quoted": "perPage: '{n}',",
    "perPage as Number()": 'perPage: Number("{n}"),',
    "perPage as parseInt()": "perPage: parseInt('{n}', 10),",
    "groupSize alone": "groupSize: {n},",
    "a proxy URL's endrecord": f"proxyUrl: '{PROXY_PATH}?startrecord=1&endrecord={{n}}&perpage={{page}}',",
    # another jpage call (a search function's, not handed the datastore) states nothing of it
    "only another call": "",
}


class HanwebColumn:
    """Records 1..total of column 7, newest first: the column page embeds the first `n`,
    the data proxy serves any range asked for (and its `<totalrecord>`, as real proxies do,
    unless `proxy_total` is off)."""

    def __init__(self, server: LoopbackServer, n: int, total: int, stated: str, page_total: bool = False) -> None:
        self.total = total
        self.proxy_total = True
        script = STATED[stated].format(n=n, page=n // 5)
        if page_total:
            script += f" totalRecord: {total},"
        search = "function search(){ $('#s').jpage({ perPage: 45, groupSize: 3 }); }"
        page = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>通知公告</title></head><body>"
            "<div class='nav'><a href='/'>首页</a><a href='/col/col1/index.html'>政务公开</a></div>"
            "<div id='77'><script type='text/xml'><datastore>"
            f'<nextgroup><![CDATA[<a href="{PROXY_PATH}?page=1&appid=1&webid=3&path=/&columnid=7'
            '&unitid=77&permissiontype=0"></a>]]></nextgroup>'
            f"<recordset>{self.records(1, n)}</recordset></datastore></script></div>"
            f"<script>{search} $(document).ready(function(){{ $('#77').jpage({{ {script} "
            "dataStore: $('#77').children('script').html(), barPosition: 'bottom' }); });</script>"
            "</body></html>"
        )
        server.routes[COLUMN_PATH] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
        server.routes[PROXY_PATH] = self._group
        self.server = server

    def records(self, first: int, last: int) -> str:
        return "".join(
            f'<record><![CDATA[<li><a href="/art/2026/9/{k % 28 + 1}/art_7_{k}.html" title="公告{k}">公告{k}</a>'
            f"<span>2026-09-{k % 28 + 1:02d}</span></li>]]></record>"
            for k in range(first, min(last, self.total) + 1)
        )

    def _group(self, handler):
        query = dict(parse_qsl(urlsplit(handler.path).query))
        form = dict(parse_qsl(handler.request_body.decode()))
        assert (handler.command, form["columnid"], form["unitid"]) == ("POST", "7", "77")
        records = self.records(int(query["startrecord"]), int(query["endrecord"]))
        total = f"<totalrecord>{self.total}</totalrecord>" if self.proxy_total else ""
        body = f'<?xml version="1.0" encoding="UTF-8"?><datastore>{total}<recordset>{records}</recordset></datastore>'
        return 200, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode()

    def walk(self, client: HttpClient):
        walk = crawl(PortalTarget("col7", "hanweb", self.server.url(COLUMN_PATH), details="never"), client, run_id="r1")
        return [row.item_key for row in walk], walk.summary

    def keys(self) -> list[str]:
        return [f"art_7_{k}" for k in range(1, self.total + 1)]


@pytest.mark.parametrize("n", [15, 20, 25, 40])
@pytest.mark.parametrize("stated", sorted(STATED))
def test_a_short_first_group_before_more_groups_is_walked_to_the_last_record(server, client, stated, n) -> None:
    # N on the page, then a full proxy group of 45 and one of 7: three requests however it is said
    column = HanwebColumn(server, n, n + 45 + 7, stated)
    keys, summary = column.walk(client)
    assert keys == column.keys()
    assert (summary.status, summary.complete, summary.requests) == ("ok", True, 3)


@pytest.mark.parametrize("n", [15, 20, 25, 40])
@pytest.mark.parametrize("stated", sorted(STATED))
def test_a_proxy_without_a_total_ends_the_walk_with_a_group_shorter_than_asked(server, client, stated, n) -> None:
    column = HanwebColumn(server, n, n + 45 + 7, stated)
    column.proxy_total = False
    keys, summary = column.walk(client)
    assert keys == column.keys()
    assert (summary.status, summary.complete, summary.requests) == ("ok", True, 3)


#: Requests a column holding all its records on its page costs: a group that is stated (and
#: not filled to its size) ends at the page; a full or unstated one asks the proxy once.
SINGLE = {
    ("nothing", "full"): 2,
    ("nothing", "short"): 2,
    ("stated", "full"): 2,
    ("stated", "short"): 1,
}


@pytest.mark.parametrize("n", [15, 20, 25, 40])
@pytest.mark.parametrize("stated", sorted(STATED))
@pytest.mark.parametrize("fill", ["full", "short"])
def test_a_column_of_one_group_reads_its_records_once_and_ends(server, client, stated, n, fill) -> None:
    total = n if fill == "full" else n - 3
    column = HanwebColumn(server, n, total, stated)
    keys, summary = column.walk(client)
    assert keys == column.keys()
    said = "nothing" if stated in ("nothing", "only another call") else "stated"
    assert (summary.status, summary.complete, summary.requests) == ("ok", True, SINGLE[said, fill])


@pytest.mark.parametrize("stated", ["nothing", "perPage x groupSize"])
def test_a_column_page_that_states_its_total_stops_by_the_total(server, client, stated) -> None:
    column = HanwebColumn(server, 20, 20, stated, page_total=True)
    keys, summary = column.walk(client)
    assert keys == column.keys()
    assert (summary.requests, summary.advertised_total) == (1, 20)
    more = HanwebColumn(server, 20, 20 + 45 + 7, stated, page_total=True)
    keys, summary = more.walk(client)
    assert keys == more.keys() and summary.requests == 3


def test_the_jiangsu_call_gives_a_group_of_perpage_times_groupsize() -> None:
    # 10 a page, 3 pages a group: a page of 29 records is the column's last group, one of 30 is not
    call = (
        "<script>function s(){ $('#1').jpage({ groupSize:9, perPage:45 }); }"
        "$('#423656').jpage({themeName:'default',groupSize:3,dataStore:$('#423656').children('script').html(),"
        "proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:10,barPosition:'bottom'});</script>"
    )

    def page(n: int) -> str:
        records = "".join(
            f"<record><![CDATA[<li><a href='/art/2026/8/1/art_284_{k}.html' title='公告{k}'>公告{k}</a>"
            "<span>2026-08-01</span></li>]]></record>"
            for k in range(1, n + 1)
        )
        store = f"<div id='423656'><script type='text/xml'><datastore><recordset>{records}</recordset></datastore>"
        return f"<html><body>{'栏目 ' * 200}{store}</script></div>{call}</body></html>"

    url = "http://fzggw.example.cn/col/col284/index.html"
    short = hanweb.parse_listing(page(29).replace("dataStore:", "webid:1,unitid:2,dataStore:"), Request(url), {})
    full = hanweb.parse_listing(page(30).replace("dataStore:", "webid:1,unitid:2,dataStore:"), Request(url), {})
    assert short.next_request is None
    assert full.next_request.url.endswith("dataproxy.jsp?startrecord=31&endrecord=75&perpage=15")
