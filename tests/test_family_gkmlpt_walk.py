"""The walk of a gkmlpt portal over several categories, served on real loopback HTTP.

A small gkmlpt site is served here from hand-made categories, as public crawlers document the
platform (docs/platforms.md): the index page with its tree, then `/gkmlpt/api/all/{cat}`
pages. Real sites answer `page=0` with the articles of `page=1`; a category can loop (serve
the same page whatever page is asked) or over-count (`post_count` above what it serves). What
each test expects is worked out from the categories it serves.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers.loopback import LoopbackServer
from test_family_guangdong import article, index

from connectors.crawl import PortalTarget, crawl
from connectors.http import HttpClient


class GkmlptSite:
    """A gkmlpt site on `server`: category id -> the article ids it lists, newest first.

    `per` articles a page; page 0 and page 1 both answer the first `per`. `counts` overrides
    a category's `post_count`; a category in `stuck` answers its first page whatever page is
    asked (a loop)."""

    def __init__(
        self,
        server: LoopbackServer,
        categories: dict[int, list[int]],
        per: int = 10,
        counts: dict[int, int] | None = None,
        stuck: frozenset[int] = frozenset(),
    ) -> None:
        self.server, self.categories, self.per, self.stuck = server, categories, per, stuck
        self.counts = {cat: len(ids) for cat, ids in categories.items()} | (counts or {})
        tree = [{"id": cat, "name": f"c{cat}", "post_count": self.counts[cat]} for cat in categories]
        page = index(tree, sid="3").encode()
        server.routes["/gkmlpt/index"] = lambda handler: (200, {"Content-Type": "text/html"}, page)
        for cat in categories:
            server.routes[f"/gkmlpt/api/all/{cat}"] = lambda handler, cat=cat: self._api(handler, cat)

    def _api(self, handler, cat: int) -> tuple[int, dict[str, str], bytes]:
        query = parse_qs(urlsplit(handler.path).query)
        assert query["sid"] == ["3"]
        page = max(int(query["page"][0]), 1)  # page 0 answers what page 1 does
        first = 0 if cat in self.stuck else (page - 1) * self.per
        ids = self.categories[cat][first : first + self.per]
        count = self.counts[cat]
        body = {"total": count, "classify": {"id": cat, "post_count": count}, "articles": [article(i) for i in ids]}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def api_asked(self) -> list[str]:
        """The API pages asked for, as `cat:page`, in order."""
        out = []
        for path in self.server.paths():
            parts = urlsplit(path)
            if parts.path.startswith("/gkmlpt/api/all/"):
                out.append(f"{parts.path.rsplit('/', 1)[1]}:{parse_qs(parts.query)['page'][0]}")
        return out


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def client(tmp_path):
    http = HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01, backoff_max=0.02, max_attempts=1, timeout=5)
    yield http
    http.close()


def walk(server: LoopbackServer, client: HttpClient, **options: str):
    target = PortalTarget("gd-test-gkmlpt", "gkmlpt", server.url("/gkmlpt/index"), details="never", options=options)
    run = crawl(target, client, run_id="20260930T020000Z")
    return list(run), run.summary


def test_a_site_whose_page_0_is_page_1_is_read_whole_from_page_0(server, client) -> None:
    # category 20 is a parent listing its child 21's articles too (101..104 twice)
    site = GkmlptSite(
        server,
        {10: list(range(1, 26)), 20: list(range(101, 108)), 21: list(range(101, 105)), 30: list(range(201, 213))},
    )
    listings, summary = walk(server, client, first_page="0")
    assert (summary.status, summary.reason, summary.complete) == ("ok", None, True)
    keys = [x.item_key for x in listings]
    assert set(keys) == {f"post_{i}" for i in [*range(1, 26), *range(101, 108), *range(201, 213)]}
    assert len(keys) == 25 + 7 + 12  # each once
    # 10 (25 articles): page 0 (10 read), 2 (20 < 25), 3 (5 rows: 3 × 5 < 25), 4 (empty);
    # 20 (7): page 0 (7 of 7); 21 (4): page 0 (4 of 4); 30 (12): page 0, 2 (2 × 2 < 12), 3 (empty)
    assert site.api_asked() == ["10:0", "10:2", "10:3", "10:4", "20:0", "21:0", "30:0", "30:2", "30:3"]
    assert summary.pages == 7  # the empty pages end categories and are not listing pages


def test_a_walk_from_page_1_asks_page_2_next(server, client) -> None:
    site = GkmlptSite(server, {10: list(range(1, 16)), 20: [31, 32]})
    listings, summary = walk(server, client)
    assert summary.status == "ok" and len(listings) == 17
    assert site.api_asked() == ["10:1", "10:2", "10:3", "20:1"]


def test_a_category_that_loops_ends_alone_and_the_others_are_read(server, client) -> None:
    # 20 claims 30 articles but answers its first five to every page: page 2 repeats page 1
    site = GkmlptSite(
        server, {10: [1, 2, 3, 4, 5], 20: [11, 12, 13, 14, 15], 30: [21, 22, 23, 24]}, counts={20: 30}, stuck={20}
    )
    listings, summary = walk(server, client)
    assert site.api_asked() == ["10:1", "20:1", "20:2", "30:1"]
    keys = [x.item_key for x in listings]
    assert len(keys) == 14 and set(keys) == {f"post_{i}" for i in [*range(1, 6), *range(11, 16), *range(21, 25)]}
    # listing pages: 10's (0), 20's first (1), its repeat (2, not read), 30's (3)
    assert summary.status == "partial" and not summary.complete
    assert summary.reason == "pagination loop at page 2: same rows as page 1"
    assert summary.pages == 3 and {x.page_no for x in listings if x.item_key == "post_21"} == {3}


def test_a_loop_in_the_last_category_ends_the_walk_partial(server, client) -> None:
    site = GkmlptSite(server, {10: [1, 2], 20: [11, 12, 13]}, counts={20: 9}, stuck={20})
    listings, summary = walk(server, client)
    assert site.api_asked() == ["10:1", "20:1", "20:2"]
    assert len(listings) == 5
    assert (summary.status, summary.reason) == ("partial", "pagination loop at page 2: same rows as page 1")
