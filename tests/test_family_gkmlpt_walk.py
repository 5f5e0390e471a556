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

from helpers.loopback import LoopbackServer
from test_family_guangdong import article, index

from connectors.crawl import PortalTarget, crawl
from connectors.http import HttpClient


class GkmlptSite:
    """A gkmlpt site on `server`: category id -> the article ids it lists, newest first.

    `per` articles a page; page 0 and page 1 both answer the first `per`. `counts` overrides
    a category's `post_count`; a category in `stuck` answers its first page whatever page is
    asked (a loop); a `(category, page)` in `stubs` is answered by a small HTML error page."""

    def __init__(
        self,
        server: LoopbackServer,
        categories: dict[int, list[int]],
        per: int = 10,
        counts: dict[int, int] | None = None,
        stuck: frozenset[int] = frozenset(),
        stubs: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        self.server, self.categories, self.per, self.stuck, self.stubs = server, categories, per, stuck, stubs
        self.counts = {cat: len(ids) for cat, ids in categories.items()} | (counts or {})
        tree = [{"id": cat, "name": f"c{cat}", "post_count": self.counts[cat]} for cat in categories]
        page = index(tree, sid="3").encode()
        server.routes["/gkmlpt/index"] = lambda handler: (200, {"Content-Type": "text/html"}, page)
        for cat in categories:
            server.routes[f"/gkmlpt/api/all/{cat}"] = lambda handler, cat=cat: self._api(handler, cat)

    def _api(self, handler, cat: int) -> tuple[int, dict[str, str], bytes]:
        query = parse_qs(urlsplit(handler.path).query)
        assert query["sid"] == ["3"]
        if (cat, int(query["page"][0])) in self.stubs:
            return 200, {"Content-Type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"
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


def test_a_category_serving_fewer_than_it_counts_ends_at_its_empty_page_and_the_run_is_ok(server, client) -> None:
    # 20 says 9 and serves 7 (stale counts on real sites): 1 × 7 < 9 asks page 2, which is empty
    site = GkmlptSite(server, {10: [1, 2, 3], 20: list(range(11, 18)), 30: [21, 22]}, counts={20: 9})
    listings, summary = walk(server, client)
    assert site.api_asked() == ["10:1", "20:1", "20:2", "30:1"]
    assert len(listings) == len({x.item_key for x in listings}) == 3 + 7 + 2
    assert (summary.status, summary.reason, summary.complete) == ("ok", None, True)
    assert summary.advertised_total is None  # no count of the portal's distinct items exists


def test_a_stub_cutting_a_category_short_makes_the_run_partial_with_its_count(server, client) -> None:
    site = GkmlptSite(server, {10: [1, 2, 3, 4, 5], 20: list(range(11, 34)), 30: [41, 42]}, stubs=frozenset({(20, 2)}))
    listings, summary = walk(server, client)
    assert site.api_asked() == ["10:1", "20:1", "20:2"]  # the stub ends the walk
    assert len(listings) == 5 + 10
    # listing pages: 10's (0), 20's first (1), the stub (2); 20 listed 10 of its 23; 30 is left
    assert summary.status == "partial" and not summary.complete
    assert summary.reason.startswith("stub page at page 2 cuts the walk short (")
    assert summary.reason.endswith("): its category listed 10 of the 23 items it advertises; 1 category not walked")


def test_a_stub_on_the_first_page_of_the_last_category_is_no_end_of_the_data(server, client) -> None:
    site = GkmlptSite(server, {10: [1, 2, 3], 20: [11, 12]}, stubs=frozenset({(20, 1)}))
    listings, summary = walk(server, client)
    assert site.api_asked() == ["10:1", "20:1"] and len(listings) == 3
    assert summary.status == "partial"
    assert summary.reason.startswith("stub page at page 1 cuts the walk short (")
    assert summary.reason.endswith("): no page of its category read")


def test_a_stub_after_a_category_read_to_its_count_is_the_end_of_the_data(server, client) -> None:
    # one category (option `categories`): 12 of 12 listed by page 2 (2 × 2 < 12 asks page 3),
    # and page 3 is a stub, not the API's empty page: nothing it advertises is missing
    site = GkmlptSite(server, {10: list(range(1, 13)), 20: [21]}, stubs=frozenset({(10, 3)}))
    listings, summary = walk(server, client, categories="10")
    assert site.api_asked() == ["10:1", "10:2", "10:3"] and len(listings) == 12
    assert summary.status == "ok" and not summary.complete
    assert summary.reason.startswith("stub page at page 2: end of usable data (")
