"""Dead detail links (docs/reliability.md, "Detail debt"): a detail page answering 404 or 410 is
*gone*, not failed. It never counts toward the circuit breaker, is reported (the run summary,
`fct_portal_runs.n_details_gone`) and rests GONE_WAIT_NIGHTS nights before it is asked for
again, unless its listing row changes; only server failures (5xx, no answer) open the
breaker. Over a real loopback server, landed, loaded and built into real DuckDB files.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from helpers.debt_night import crawl_night
from helpers.warehouse import load_and_build, query
from test_crawl import JSON_FAMILY, JsonPortal, listing_fields

import connectors.crawl as crawl_module
from connectors.crawl import PortalTarget
from connectors.detail_debt import GONE_WAIT_NIGHTS
from flows.night.debt import as_owed
from warehouse.portal_state import owed_details

PORTAL = "ly-aic-xxgk"  # a portal of the warehouse helpers' config
TOP = list(range(55, 0, -1))  # 55 items newest first: t55 … t51 dead, t50 … t1 good
DEAD = TOP[:5]


@pytest.fixture
def json_family(monkeypatch):
    monkeypatch.setattr(crawl_module, "family_for", lambda platform: JSON_FAMILY)


def dead_links(server, status: int = 404) -> None:
    """The first five detail pages answer `status` (the fifth 410: also gone)."""
    for n in DEAD:
        code = 410 if n == DEAD[-1] and status == 404 else status
        server.routes[f"/d/{n}.html"] = lambda h, code=code: (code, {}, b"no such page")


def night_of(day: date, server, data_dir, details="always", owed=None):
    """One night's crawl of the portal under `details`, landed under `data_dir`."""
    return crawl_night(PortalTarget(PORTAL, "json", server.url("/list/0"), details=details), day, data_dir, owed=owed)


def test_dead_links_at_the_top_do_not_open_the_breaker(json_family, server, tmp_path):
    portal = JsonPortal(server, TOP, per_page=11)
    dead_links(server)
    rows, summary = night_of(date(2013, 1, 5), server, tmp_path)
    # Every one of the 55 detail pages asked once: the 404s and the 410 are not retried.
    assert sorted(portal.detail_hits()) == sorted(f"/d/{n}.html" for n in TOP)
    assert [row.item_key for row in rows if row.detail_fetched] == [f"t{n}" for n in TOP[5:]]
    assert [row.item_key for row in rows if row.detail_gone] == [f"t{n}" for n in DEAD]
    assert not any("not asked" in (row.detail_error or "") for row in rows)
    assert (summary.details_fetched, summary.details_gone, summary.details_owed) == (50, 5, 0)
    assert summary.status == "ok" and summary.reason == "5 detail page(s) gone (HTTP 404/410)"
    assert sum(line.startswith("detail ") and ": gone: " in line for line in summary.errors) == 5
    published, _ = load_and_build(tmp_path)
    assert query(published, "SELECT n_details_gone, n_details_owed FROM fct_portal_runs") == [(5, 0)]


def test_server_failures_at_the_top_still_open_the_breaker(json_family, server, tmp_path):
    portal = JsonPortal(server, TOP, per_page=11)
    dead_links(server, status=503)
    rows, summary = night_of(date(2013, 1, 5), server, tmp_path)
    # Five 503s in a row, each tried twice; the 50 good pages below are not asked.
    assert portal.detail_hits() == [f"/d/{n}.html" for n in DEAD for _ in (1, 2)]
    assert sum(row.detail_fetched for row in rows) == 0
    assert (summary.details_gone, summary.details_owed) == (0, 55)
    assert summary.reason == "detail pages failing: circuit open after 5 failures (5 failures in a row); 55 left owed"


def relist_with_a_changed_row(server, portal: JsonPortal, n: int) -> None:
    """Serve listing page 0 again with item n's listing fields changed (a new title)."""
    rows = [
        {"href": f"/d/{m}.html", "key": f"t{m}", "fields": listing_fields(m) | ({"title": "更正"} if m == n else {})}
        for m in portal.pages[0]
    ]
    body = json.dumps({"total": portal.total, "rows": rows, "next": "/list/1"}, ensure_ascii=False).encode()
    server.routes["/list/0"] = lambda h: (200, {}, body)


def test_a_gone_page_rests_a_month_unless_its_row_changes(json_family, server, tmp_path):
    portal = JsonPortal(server, TOP, per_page=11)
    dead_links(server)
    state, first = tmp_path / "state.duckdb", date(2013, 1, 5)

    def night(day: date):
        hits = len(portal.detail_hits())
        _, summary = night_of(day, server, tmp_path, owed=as_owed(owed_details(state, PORTAL)))
        load_and_build(tmp_path)
        return {path for path in portal.detail_hits()[hits:] if int(path[3:-5]) in DEAD}, summary

    night(first)
    gone = as_owed(owed_details(state, PORTAL))
    assert {key: (owed.attempts, owed.gone_on) for key, owed in gone.items()} == {f"t{n}": (0, first) for n in DEAD}

    # The next night, under `always`: the 50 good pages are read again, the gone ones rest.
    asked, summary = night(first + timedelta(days=1))
    assert asked == set() and (summary.details_gone, summary.details_owed) == (5, 0)

    # t54's listing row changes: it is asked at once (still 404); the others rest.
    relist_with_a_changed_row(server, portal, 54)
    asked, summary = night(first + timedelta(days=2))
    assert asked == {"/d/54.html"} and summary.details_gone == 5

    # GONE_WAIT_NIGHTS after the first night the four others are due; t54, gone since the
    # third night, rests on. t53 is back: read, and paid.
    server.routes["/d/53.html"] = portal._detail(53)
    asked, summary = night(first + timedelta(days=GONE_WAIT_NIGHTS))
    assert asked == {f"/d/{n}.html" for n in (55, 53, 52, 51)}
    assert (summary.details_paid, summary.details_gone, summary.details_owed) == (1, 4, 0)
    assert set(owed_details(state, PORTAL)) == {"t55", "t54", "t52", "t51"}
