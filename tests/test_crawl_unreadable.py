"""Listing rows that cannot be read, over real loopback HTTP through the real TRS reader:
counted per page on the run, carried to the run file, raw_runs and the printed summary, and a
page with more than the allowed share of them fails the portal as a changed layout.

The pages are written here in the shape of a TRS column (`li > a[title] + span`, a
`createPageHTML` pager); which rows cannot be read, and why, is stated by hand per page.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from helpers.loopback import LoopbackServer
from rich.console import Console

from connectors.crawl import PortalTarget, crawl
from connectors.http import HttpClient
from flows.config.load import parse_config
from flows.night.steps import harvest_portal, make_client
from flows.portal.test import print_probe, probe_portal
from flows.ui.render import run_summary_table, summary_markdown
from warehouse.db import connect
from warehouse.load import load

COLUMN = "/zwgk/zcwj/"


def good(n: int) -> str:
    day = n % 28 + 1
    return (
        f'<li><a href="./201206/t201206{day:02d}_{3000 + n}.html" title="关于第{n}号文件的通知">'
        f"关于第{n}号文件的通知</a><span>2012-06-{day:02d}</span></li>"
    )


def no_date(n: int) -> str:
    return f'<li><a href="./201206/t20120601_{3000 + n}.html" title="无日期的第{n}号">无日期的第{n}号</a><span></span></li>'


def no_link(n: int) -> str:
    return f'<li><a href="javascript:void(0)">没有链接的第{n}号</a><span>2012-06-01</span></li>'


def page(rows: list[str], count: int, current: int) -> bytes:
    """A TRS column page: a list box and its pager, beside a menu of undated links."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政策文件</title></head><body>'
        '<ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul>'
        f'<div class="list_box"><ul class="list">{"".join(rows)}</ul>'
        f'<div class="page"><script>createPageHTML({count}, {current}, "index", "html");</script></div>'
        "</div></body></html>"
    ).encode()


@pytest.fixture
def portal():
    """Three pages of ten rows: page 0 has 1 row without a date (10%), page 1 has 3 rows
    that cannot be read (2 without a date, 1 without a link: 30%), page 2 reads whole."""
    pages = [
        [*(good(n) for n in range(1, 10)), no_date(10)],
        [*(good(n) for n in range(11, 18)), no_date(18), no_date(19), no_link(20)],
        [good(n) for n in range(21, 31)],
    ]
    with LoopbackServer() as server:
        for i, rows in enumerate(pages):
            body = page(rows, len(pages), i)
            name = "index.html" if i == 0 else f"index_{i}.html"
            server.routes[COLUMN + name] = lambda h, body=body: (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                body,
            )
        yield server


def walk(server: LoopbackServer, tmp_path: Path, **extra) -> object:
    client = HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01, max_attempts=1, timeout=5)
    target = PortalTarget("zcwj", "trs", server.url(COLUMN + "index.html"), details="never", **extra)
    with client:
        run = crawl(target, client, run_id="20120701T020000Z")
        listings = list(run)
    return run, listings


def test_a_page_with_30_percent_unreadable_rows_fails_the_portal_as_a_changed_layout(portal, tmp_path) -> None:
    run, listings = walk(portal, tmp_path)
    summary = run.summary
    assert summary.status == "failed"
    assert summary.reason.startswith("layout changed at listing page 1: ")
    assert "3 of 10 rows unreadable (30%, more than 20% allowed): no date ×2, no link ×1" in summary.reason
    # page 0's nine rows were landed; page 1's seven were not, page 2 was never asked for
    assert len(listings) == 9 and summary.rows == 9 and summary.pages == 1
    assert summary.unreadable_rows == 4  # 1 on page 0, 3 on page 1
    assert any(line.startswith("listing page 0: 1 of 10 rows unreadable (no date ×1") for line in summary.errors)
    assert COLUMN + "index_2.html" not in portal.paths()
    assert not summary.complete


def test_under_the_allowed_share_the_rows_are_counted_per_page_and_the_walk_goes_on(portal, tmp_path) -> None:
    run, listings = walk(portal, tmp_path, max_unreadable_share=0.5)
    summary = run.summary
    assert summary.status == "ok" and summary.complete
    assert len(listings) == 9 + 7 + 10
    assert summary.unreadable_rows == 4
    assert summary.reason == "4 listing rows unreadable (page 0: 1, page 1: 3)"
    assert [line for line in summary.errors if "rows unreadable" in line] == [
        "listing page 0: 1 of 10 rows unreadable (no date ×1; first: '无日期的第10号')",
        "listing page 1: 3 of 10 rows unreadable (no date ×2, no link ×1; first: '无日期的第18号')",
    ]


def test_the_counts_reach_the_run_file_raw_runs_and_the_printed_summary(portal, tmp_path) -> None:
    raw = {
        "warehouse": {"path": "pub/xxgk.duckdb", "data_dir": "data"},
        "harvest": {"per_host_delay": 0, "timeout": 5, "max_unreadable_share": 0.35},
        "portal": [
            {
                "id": "zcwj",
                "name": "政策文件",
                "level": "city",
                "platform": "trs",
                "url": portal.url(COLUMN + "index.html"),
                "details": "never",
            }
        ],
    }
    config = parse_config(raw, tmp_path / "xxgk.toml")
    assert config.harvest.max_unreadable_share == 0.35
    run_id = "20120701T020000Z"
    with make_client(config.harvest, config.warehouse.data_dir) as client:
        outcome = harvest_portal(
            config.portals[0],
            client,
            data_dir=config.warehouse.data_dir,
            run_id=run_id,
            mode="full",
            max_unreadable_share=config.harvest.max_unreadable_share,
        )
    assert (outcome.status, outcome.rows, outcome.unreadable_rows) == ("ok", 26, 4)
    run_file = config.warehouse.data_dir / "landing" / run_id / "zcwj.run.json"
    assert json.loads(run_file.read_text(encoding="utf-8"))["unreadable_rows"] == 4
    load(config.warehouse.state_path, config.warehouse.data_dir)
    with connect(config.warehouse.state_path, read_only=True) as con:
        assert con.execute("SELECT unreadable_rows FROM raw_runs WHERE portal_id = 'zcwj'").fetchall() == [(4,)]
    table = run_summary_table([outcome.as_dict()])
    assert [column.header for column in table.columns][3:6] == ["pages", "rows", "unreadable"]
    assert [str(cell) for cell in table.columns[5].cells] == ["4"]
    markdown = summary_markdown(run_id, [outcome.as_dict()], "ok", True)
    assert "| unreadable_rows |" in markdown
    assert "| zcwj | full | ok | 3 | 26 | 4 |" in markdown
    assert "4 listing rows unreadable \\(page 0: 1, page 1: 3\\)" in markdown  # markdown-escaped


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_the_share_must_be_a_share(tmp_path, share) -> None:
    raw = {"warehouse": {"path": "x.duckdb"}, "harvest": {"max_unreadable_share": share}, "portal": []}
    with pytest.raises(ValueError, match="max_unreadable_share"):
        parse_config(raw, tmp_path / "xxgk.toml")


def test_portal_test_shows_the_first_pages_unreadable_rows(portal) -> None:
    portal.routes[COLUMN + "201206/t20120602_3001.html"] = lambda h: (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        "<html><body><p>文号：示〔2012〕1号</p></body></html>".encode(),
    )
    raw = {
        "warehouse": {"path": "x.duckdb"},
        "harvest": {"per_host_delay": 0, "timeout": 5},
        "portal": [
            {
                "id": "zcwj",
                "name": "政策文件",
                "level": "city",
                "platform": "trs",
                "url": portal.url(COLUMN + "index.html"),
            }
        ],
    }
    config = parse_config(raw, Path("xxgk.toml"))
    probe = probe_portal(config.portals[0], config.harvest)
    assert len(probe.rows) == 9
    assert probe.unreadable == "1 of 10 rows unreadable: no date ×1; first: '无日期的第10号'"
    out = io.StringIO()
    print_probe(probe, Console(file=out, width=200))
    assert "1 of 10 rows unreadable: no date ×1" in out.getvalue()
