"""No page may hold a portal for ever: a parse past the deadline fails its page, its process
is killed and replaced, and the other portals' parses in the same pool go on.

The slow parser is `helpers/slow_family.py`, imported by name in the pool's spawned
processes; pages are served over loopback and crawled for real.
"""

from __future__ import annotations

import json
import operator
import os
import threading
import time

import pytest
from helpers import slow_family
from helpers.loopback import LoopbackServer

import connectors.crawl as crawl_module
from connectors.crawl import PortalTarget, crawl
from connectors.errors import PageError, ParseDeadline
from connectors.http import HttpClient
from connectors.parse_pool import InlineParser, ParsePool

#: Wall-clock deadlines: run one at a time with the other timed tests (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("timing")
DEADLINE = 2.0
#: What a killed parse may take beyond the deadline on this slow shared machine: the kill,
#: the reap and the crawl's own bookkeeping (measured well under a second).
MARGIN = 3.0


@pytest.fixture
def client(tmp_path):
    http = HttpClient(tmp_path / "data", per_host_delay=0, max_attempts=1, timeout=5)
    yield http
    http.close()


@pytest.fixture
def slow_platform(monkeypatch):
    monkeypatch.setattr(crawl_module, "family_for", lambda platform: slow_family)


@pytest.fixture(scope="module")
def pool():
    with ParsePool(2, timeout=DEADLINE) as parse_pool:
        yield parse_pool


def warm(pool: ParsePool) -> list[int]:
    """Start both of the pool's processes (a start is not a parse), return their pids."""
    threads = [threading.Thread(target=pool.parse, args=("warm", time.sleep, 0.3)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pool.pids()) == 2
    return pool.pids()


def serve(server: LoopbackServer, path: str, page: dict) -> None:
    body = json.dumps(page).encode()
    server.routes[path] = lambda handler: (200, {}, body)


def listing(server: LoopbackServer, prefix: str, pages: int, stall=None) -> list[str]:
    """`pages` listing pages of three rows under `prefix`, each parse stalling `stall`."""
    hrefs = []
    for n in range(pages):
        rows = [f"/{prefix}/t2012030{n}_{i}.htm" for i in range(3)]
        hrefs += rows
        following = f"/{prefix}/{n + 1}" if n + 1 < pages else None
        serve(server, f"/{prefix}/{n}", {"stall": stall, "rows": rows, "next": following})
    return hrefs


def walk(server, client, prefix: str, parser, details: str = "never"):
    run = crawl(
        PortalTarget(prefix, "slow", server.url(f"/{prefix}/0"), details),
        client,
        run_id="20121231T020000Z",
        parser=parser,
    )
    started = time.monotonic()
    rows = list(run)
    return rows, run.summary, time.monotonic() - started


def test_a_stuck_listing_parse_fails_its_run_and_is_killed_while_another_portal_goes_on(
    server, client, slow_platform, pool
):
    before = warm(pool)
    replaced = pool.replaced
    serve(server, "/stuck/0", {"stall": "spin", "rows": ["/stuck/t20120305_1.htm"]})
    # the other portal's parses take a while, so some are in flight when the kill comes
    other_rows = listing(server, "other", 6, stall=0.5)
    results = {}

    def harvest(prefix: str) -> None:
        results[prefix] = walk(server, client, prefix, pool)

    threads = [threading.Thread(target=harvest, args=(p,)) for p in ("stuck", "other")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    rows, summary, took = results["stuck"]
    assert rows == [] and summary.status == "failed"
    assert f"parse of {server.url('/stuck/0')} exceeded 2 s" in summary.reason
    assert DEADLINE <= took < DEADLINE + MARGIN
    rows, summary, _ = results["other"]
    assert summary.status == "ok" and summary.pages == 6
    assert [row.url for row in rows] == [server.url(href) for href in other_rows]
    # one process was killed (and is gone), and the pool parses on with a fresh one
    assert pool.replaced == replaced + 1
    killed = set(before) - set(pool.pids())
    assert len(killed) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)
    warm(pool)
    assert len(set(pool.pids()) - set(before)) == 1


def test_a_stuck_detail_parse_fails_that_detail_only(server, client, slow_platform, pool):
    hrefs = listing(server, "d", 1)
    for n, href in enumerate(hrefs):
        serve(server, href, {"stall": 60 if n == 1 else None, "doc_no": f"文{n}"})
    rows, summary, _ = walk(server, client, "d", pool, details="always")
    assert [row.detail_fetched for row in rows] == [True, False, True]
    # a detail page that cannot be read is owed to a later night, not a partial listing
    assert (summary.status, summary.complete, summary.details_owed) == ("ok", True, 1)
    assert summary.errors[0] == (
        f"detail {server.url(hrefs[1])}: ParseDeadline: parse of "
        f"{server.url(hrefs[1])} exceeded 2 s; its process was killed"
    )


def test_a_process_that_dies_is_replaced_and_its_parse_tried_once_more(pool, tmp_path):
    replaced = pool.replaced
    assert pool.parse("page", slow_family.exit_once, str(tmp_path / "died")) == "read"
    assert pool.replaced == replaced + 1
    with pytest.raises(PageError, match=r"the processes parsing page died \(exit code 7\)"):
        pool.parse("page", slow_family.exit_now, 7)
    assert pool.replaced == replaced + 3


def test_errors_raised_in_the_pool_keep_their_type(pool):
    with pytest.raises(IndexError):
        pool.parse("page", operator.getitem, [], 1)
    assert pool.parse("page", operator.add, 2, 3) == 5


def test_in_the_harvest_thread_the_deadline_is_checked_once_the_parse_ends():
    inline = InlineParser(timeout=0.3)
    assert inline.parse("page", operator.add, 2, 3) == 5
    with pytest.raises(ParseDeadline, match=r"parse of page exceeded 0.3 s \(it took 0.[5-9]"):
        inline.parse("page", slow_family.stall, 0.5)


def test_a_closed_pool_parses_nothing():
    closed = ParsePool(1, timeout=DEADLINE)
    closed.close()
    with pytest.raises(RuntimeError, match="closed"):
        closed.parse("page", operator.add, 2, 3)
    with pytest.raises(ValueError):
        ParsePool(0)
    with pytest.raises(ValueError):
        InlineParser(0)
