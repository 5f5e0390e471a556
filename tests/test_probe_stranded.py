"""`xxgk portal test` on a first page that says there is more (共38页, 共375条) but offers no
next page the reader can follow (a pager of `href="#"` links driven by a script): the probe
fails with the reason and what to configure, instead of reporting a one-page listing as ok."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.loopback import LoopbackServer
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.config.load import parse_config
from flows.portal.test import probe_portal

HTML = {"Content-Type": "text/html; charset=utf-8"}
ROWS = 10


def column(pager: str) -> bytes:
    rows = "".join(
        f'<li><a href="/xxgk/content_{n}.html" title="关于第{n}号文件的通知">关于第{n}号文件的通知</a><span>2026-03-{n + 1:02d}</span></li>'
        for n in range(ROWS)
    )
    return (
        "<html><head><title>政策文件</title></head><body><ul class='menu'><li><a href='/'>首页</a></li></ul>"
        f"<div class='box'><ul class='list'>{rows}</ul><div class='pages'>{pager}</div></div>"
        "<div class='foot'>主办单位：某市财政局 地址：某市某路1号 网站标识码：5110000001</div></body></html>"
    ).encode()


@pytest.fixture(scope="module")
def server():
    with LoopbackServer() as running:
        for n in range(ROWS):
            running.routes[f"/xxgk/content_{n}.html"] = lambda h: (
                200,
                HTML,
                "<html><head><meta name='ArticleTitle' content='关于文件的通知'></head><body><p>文号：财〔2026〕1号</p></body></html>".encode(),
            )
        yield running


def probe(server: LoopbackServer, pager: str, tmp_path: Path):
    body = column(pager)
    server.routes["/xxgk/index.html"] = lambda h: (200, HTML, body)
    raw = {
        "warehouse": {"path": str(tmp_path / "x.duckdb")},
        "harvest": {"per_host_delay": 0, "timeout": 5},
        "portal": [
            {
                "id": "czj-zcwj",
                "name": "政策文件",
                "level": "city",
                "platform": "generic",
                "url": server.url("/xxgk/index.html"),
                "options": {"rows": "ul.list li", "title": "a", "date": "span"},
            }
        ],
    }
    config = parse_config(raw, tmp_path / "xxgk.toml")
    return probe_portal(config.portals[0], config.harvest)


@settings(max_examples=12, deadline=None)
@given(
    pages=st.integers(2, 400),
    extra=st.integers(1, 5000),
    said=st.sampled_from(["pages", "items", "both"]),
)
def test_a_page_that_says_there_is_more_but_offers_no_next_page_fails_the_probe(
    server, tmp_path_factory, pages, extra, said
):
    printed = {
        "pages": f"共{pages}页",
        "items": f"共{ROWS + extra}条",
        "both": f"共{ROWS + extra}条 共{pages}页",
    }[said]
    pager = f'<a href="#">首页</a> <a href="#" onclick="goPage(2)">下一页</a> {printed}'
    found = probe(server, pager, tmp_path_factory.mktemp("p"))
    assert not found.ok and found.error is not None
    assert "no next page was found" in found.error and "[portal.options]" in found.error
    assert len(found.rows) == ROWS  # what the page showed is still reported


def test_a_page_that_shows_all_it_says_is_ok(server, tmp_path) -> None:
    found = probe(server, f"共{ROWS}条 共1页", tmp_path)
    assert found.ok, found.error
