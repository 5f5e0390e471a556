"""A county column that prints its dates as `MM-DD`, over real loopback HTTP through the crawl:
the year comes from each row's link, else from its detail page; a row given neither is an
unreadable row ("date without year"), counted and judged by the crawl's share check.

The pages are written here in the shape real TRS county columns print (`li > a[title] +
span`, the year only in `./YYYYMM/tYYYYMMDD_N.html`, no pager script of a kind we know);
every expected date is worked out by hand from the links and the detail pages.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers.loopback import LoopbackServer

from connectors.crawl import PortalTarget, crawl
from connectors.http import HttpClient

COLUMN = "/xxgk/bmwj/"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(rows: str) -> bytes:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>部门文件</title>'
        '<script src="/js/fy.js"></script></head><body>'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li></ul>'
        f'<div class="lb"><ul>{rows}</ul><div id="fy"></div></div></body></html>'
    ).encode()


def row(href: str, title: str, shown: str) -> str:
    return f'<li><a href="{href}" title="{title}">{title}</a><span>{shown}</span></li>'


def detail(title: str, label: str) -> bytes:
    return (
        f'<html><head><meta name="ArticleTitle" content="{title}"></head><body><div class="xxgk">'
        f"<p>{label}</p></div></body></html>"
    ).encode()


def walk(server: LoopbackServer, tmp_path: Path, details: str) -> tuple:
    client = HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01, max_attempts=1, timeout=5)
    target = PortalTarget("bmwj", "trs", server.url(COLUMN + "index.html"), details=details)
    with client:
        run = crawl(target, client, run_id="20130105T020000Z")
        listings = list(run)
    return run.summary, {item.title: item.published_date for item in listings}


@pytest.fixture
def dated_links():
    """Four rows whose links hold their dates, one across the new year."""
    rows = "".join(
        [
            row("./201301/t20130104_104.html", "第四号", "01-04"),
            row("./201212/t20121228_103.html", "第三号", "01-02"),  # listed after the new year
            row("./201212/t20121203_102.html", "第二号", "12-05"),  # listed two days late
            row("./201211/t20121130_101.html", "第一号", "11月30日"),
        ]
    )
    with LoopbackServer() as server:
        server.routes[COLUMN + "index.html"] = lambda h: (200, HTML, page(rows))
        yield server


def test_a_column_of_month_and_day_dates_reads_with_the_years_of_its_links(dated_links, tmp_path) -> None:
    summary, dates = walk(dated_links, tmp_path, details="never")
    assert summary.status == "ok" and summary.unreadable_rows == 0
    assert dates == {
        "第四号": date(2013, 1, 4),
        "第三号": date(2013, 1, 2),
        "第二号": date(2012, 12, 5),
        "第一号": date(2012, 11, 30),
    }


@pytest.fixture
def bare_links():
    """Five rows whose links hold no date; four detail pages print one, one prints none."""
    rows = "".join(row(f"./content/post_{n}.html", f"第{n}号", f"0{n}-1{n}") for n in range(1, 6))
    with LoopbackServer() as server:
        server.routes[COLUMN + "index.html"] = lambda h: (200, HTML, page(rows))
        for n in range(1, 5):
            body = detail(f"第{n}号", f"发布日期：2012-0{n}-1{n} 10:00")
            server.routes[f"{COLUMN}content/post_{n}.html"] = lambda h, body=body: (200, HTML, body)
        server.routes[f"{COLUMN}content/post_5.html"] = lambda h: (200, HTML, detail("第5号", "索引号：X/2012-00005"))
        yield server


def test_without_a_year_in_the_links_the_detail_pages_give_it(bare_links, tmp_path) -> None:
    summary, dates = walk(bare_links, tmp_path, details="new")
    assert dates == {f"第{n}号": date(2012, n, 10 + n) for n in range(1, 5)}
    # the fifth row's detail page prints no date: 1 of 5 rows unreadable (20%, allowed)
    assert summary.status == "ok" and summary.unreadable_rows == 1
    assert any("1 of 5 rows unreadable (date without year ×1; first: '第5号')" in e for e in summary.errors)


def test_a_column_whose_rows_have_no_year_anywhere_fails_as_a_changed_layout(bare_links, tmp_path) -> None:
    summary, dates = walk(bare_links, tmp_path, details="never")
    assert dates == {}
    assert summary.status == "failed" and summary.unreadable_rows == 5
    assert "5 of 5 rows unreadable (100%, more than 20% allowed): date without year ×5" in summary.reason
