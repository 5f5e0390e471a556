"""The crawl of one portal over real loopback HTTP: walking, stop rules, detail policy, and
every way a run ends (loudly, never "ok, 0 new").

The walking rules are tested with a tiny JSON family defined here, so each rule can be put
in front of the crawl exactly; the real families against the simulated world follow.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import replace
from datetime import UTC
from types import SimpleNamespace
from urllib.parse import urljoin

import pytest
from helpers.corpus import real_page
from helpers.loopback import LoopbackServer

import connectors.crawl as crawl_module
from connectors.crawl import PortalTarget, crawl
from connectors.errors import ChallengePage, FetchError, LayoutChanged, NoRows, StubPage, UnsafeXml
from connectors.families.base import ListingPage, RawDetail, RawRow
from connectors.http import HttpClient, allowed_hosts
from connectors.parse_pool import ParsePool
from connectors.records import Request
from sim import server as sim_server
from sim.model import DEFAULT_AS_OF
from sim.registry import build_world
from sim.shown import detail_path

# -- a tiny family: listing pages and detail pages are JSON ------------------------------------


def _parse_listing(text: str, request: Request, options) -> ListingPage:
    page = json.loads(text)
    trouble = page.get("trouble")
    if trouble == "stub":
        raise StubPage("listing page: 120 bytes, under 600")
    if trouble == "challenge":
        raise ChallengePage("challenge page: title '安全验证'")
    if trouble == "layout":
        raise LayoutChanged("listing page: 20 rows but no item link in row 3")
    if trouble == "no rows":
        raise NoRows("listing page: no rows; looked for an xxgk table")
    if trouble == "xxe":
        raise UnsafeXml("datastore declares a DTD")
    rows = [RawRow(urljoin(request.url, row["href"]), row["key"], row["fields"]) for row in page["rows"]]
    following = Request(urljoin(request.url, page["next"])) if page.get("next") else None
    return ListingPage(rows, None, page.get("total"), following)


def _parse_detail(text: str, url: str, options) -> RawDetail:
    page = json.loads(text)
    return RawDetail(page["fields"], page["body"], tuple(page["attachments"]))


JSON_FAMILY = SimpleNamespace(
    first_request=lambda url, options: Request(url), parse_listing=_parse_listing, parse_detail=_parse_detail
)


@pytest.fixture
def json_family(monkeypatch):
    monkeypatch.setattr(crawl_module, "family_for", lambda platform: JSON_FAMILY)


def listing_fields(n: int) -> dict[str, str]:
    return {"title": f"关于第{n}号文件的通知", "published_date": f"2012-03-{n % 28 + 1:02d}"}


def row_hash(fields: dict[str, str]) -> str:
    """The listing hash by its definition: sha256 of the sorted JSON of the raw fields."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class JsonPortal:
    """Serves items (newest first) in listing pages of `per_page`, and their detail pages."""

    def __init__(self, server: LoopbackServer, items: list[int], per_page: int = 3, total: int | None = None) -> None:
        self.server, self.items, self.per_page = server, items, per_page
        self.total = len(items) if total is None else total
        self.pages = [items[i : i + per_page] for i in range(0, len(items), per_page)]
        for page_no in range(len(self.pages)):
            self.set_page(page_no)
        for n in items:
            self.server.routes[f"/d/{n}.html"] = self._detail(n)

    def set_page(
        self, page_no: int, trouble: str | None = None, next_page: int | None = None, rows_of: int | None = None
    ) -> None:
        last = page_no == len(self.pages) - 1
        following = next_page if next_page is not None else (None if last else page_no + 1)
        body = {
            "total": self.total,
            "rows": [
                {"href": f"/d/{n}.html", "key": f"t{n}", "fields": listing_fields(n)}
                for n in self.pages[page_no if rows_of is None else rows_of]
            ],
            "next": f"/list/{following}" if following is not None else None,
            "trouble": trouble,
        }
        data = json.dumps(body, ensure_ascii=False).encode()
        self.server.routes[f"/list/{page_no}"] = lambda h: (200, {}, data)

    def _detail(self, n: int):
        body = json.dumps(
            {
                "fields": {"title": "", "doc_no": f"龙工商〔2012〕{n}号", "topic": "工商"},
                "body": True,
                "attachments": [f"/f/{n}.pdf"],
            }
        ).encode()
        return lambda h: (200, {}, body)

    def detail_hits(self) -> list[str]:
        return [p for p in self.server.paths() if p.startswith("/d/")]

    def list_hits(self) -> list[str]:
        return [p for p in self.server.paths() if p.startswith("/list/")]


def target(server: LoopbackServer, **extra) -> PortalTarget:
    return PortalTarget("ly-aic-test", "json", server.url("/list/0"), **extra)


def run(target_: PortalTarget, client: HttpClient, **kwargs):
    walk = crawl(target_, client, run_id="20121231T020000Z", **kwargs)
    rows = list(walk)
    return rows, walk.summary, walk


# -- walking ------------------------------------------------------------------------------------


def test_a_full_crawl_walks_every_page_and_overlays_detail_fields(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))  # pages [8 7 6] [5 4 3] [2 1]
    rows, summary, walk = run(target(server), client)
    assert [row.item_key for row in rows] == [f"t{n}" for n in range(8, 0, -1)]
    assert [(row.page_no, row.row_no) for row in rows[2:4]] == [(0, 2), (1, 0)]
    first = rows[0]
    assert first.url == server.url("/d/8.html") and first.list_url == server.url("/list/0")
    assert first.listing_hash == row_hash(listing_fields(8))
    assert first.title == "关于第8号文件的通知"  # the detail's empty title does not win
    assert first.doc_no == "龙工商〔2012〕8号" and first.topic == "工商"  # the detail's do
    assert str(first.published_date) == "2012-03-09"
    assert first.detail_fetched and first.has_body and first.n_attachments == 1
    assert first.detail_sha256 == hashlib.sha256(server.routes["/d/8.html"](None)[2]).hexdigest()
    assert first.seen_at.tzinfo is UTC
    assert (summary.status, summary.reason, summary.complete) == ("ok", None, True)
    assert walk.error is None
    assert (summary.pages, summary.rows, summary.advertised_total) == (3, 8, 8)
    assert (summary.details_fetched, summary.requests, summary.retries) == (8, 11, 0)
    served = [f"/list/{n}" for n in range(3)] + [f"/d/{n}.html" for n in range(1, 9)]
    assert summary.bytes == sum(len(server.routes[path](None)[2]) for path in served)
    assert summary.finished_at >= summary.started_at
    assert len(portal.detail_hits()) == 8


def test_incremental_crawl_of_an_unchanged_portal_costs_one_listing_page(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    known = {f"t{n}": row_hash(listing_fields(n)) for n in range(1, 9)}
    rows, summary, _ = run(target(server), client, mode="incremental", known=known)
    assert portal.list_hits() == ["/list/0"] and portal.detail_hits() == []
    assert [row.item_key for row in rows] == ["t8", "t7", "t6"]
    assert not any(row.detail_fetched for row in rows)
    assert (summary.status, summary.requests, summary.details_fetched) == ("ok", 1, 0)
    assert summary.complete is False and "page 0" in summary.reason


def test_an_unchanged_listing_page_answered_304_is_read_from_the_archive(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    page_0 = server.routes["/list/0"]

    def with_etag(handler):
        if handler.headers.get("If-None-Match") == '"p0"':
            return 304, {"ETag": '"p0"'}, b""
        status, headers, body = page_0(handler)
        return status, {**headers, "ETag": '"p0"'}, body

    server.routes["/list/0"] = with_etag
    full, _, _ = run(target(server), client)
    known = {row.item_key: row.listing_hash for row in full}
    rows, summary, walk = run(target(server), client, mode="incremental", known=known)
    assert [row.item_key for row in rows] == ["t8", "t7", "t6"]
    assert walk.fetches[0].not_modified and summary.requests == 1
    assert summary.bytes == 0 and summary.status == "ok"
    assert portal.list_hits() == ["/list/0", "/list/1", "/list/2", "/list/0"]


def test_a_pinned_old_row_does_not_stop_an_incremental_crawl(json_family, server, client):
    # Page 0: the pinned old item 1, then new 12, 11; page 1: new 10, known 9, 8; page 2 known.
    portal = JsonPortal(server, [1, 12, 11, 10, 9, 8, 7, 6, 5])
    known = {f"t{n}": row_hash(listing_fields(n)) for n in (1, 9, 8, 7, 6, 5)}
    rows, summary, _ = run(target(server), client, mode="incremental", known=known)
    assert portal.list_hits() == ["/list/0", "/list/1", "/list/2"]
    assert sorted(portal.detail_hits()) == ["/d/10.html", "/d/11.html", "/d/12.html"]
    assert summary.status == "ok" and "page 2" in summary.reason
    assert summary.details_fetched == 3 and len(rows) == 9


def test_a_changed_row_gets_its_detail_page_again(json_family, server, client):
    portal = JsonPortal(server, [3, 2, 1])
    known = {"t3": row_hash(listing_fields(3)), "t2": "stale-hash", "t1": row_hash(listing_fields(1))}
    rows, summary, _ = run(target(server), client, known=known)
    assert portal.detail_hits() == ["/d/2.html"]
    assert [row.detail_fetched for row in rows] == [False, True, False]
    assert rows[0].has_body is None and rows[0].n_attachments is None


@pytest.mark.parametrize(("policy", "details"), [("always", 3), ("never", 0)])
def test_detail_policy(json_family, server, client, policy, details):
    portal = JsonPortal(server, [3, 2, 1])
    known = {f"t{n}": row_hash(listing_fields(n)) for n in (3, 2, 1)}
    _, summary, _ = run(target(server, details=policy), client, known=known)
    assert len(portal.detail_hits()) == summary.details_fetched == details


def test_a_failed_detail_page_keeps_the_row_is_owed_and_leaves_the_listing_complete(json_family, server, client):
    JsonPortal(server, [3, 2, 1])
    server.routes["/d/2.html"] = lambda h: (500, {}, b"oops")
    rows, summary, walk = run(target(server), client)
    assert [row.item_key for row in rows] == ["t3", "t2", "t1"]
    assert rows[1].detail_fetched is False and rows[1].title == "关于第2号文件的通知"
    assert rows[1].detail_attempted and "HTTP 500" in rows[1].detail_error
    assert rows[0].detail_error is None and rows[0].detail_attempted
    # Every listing page was walked: the listing is complete, the detail page owed.
    assert (summary.status, summary.complete) == ("ok", True)
    assert summary.reason == "1 detail page(s) failed; 1 owed"
    assert (summary.details_owed, summary.details_paid, summary.details_given_up) == (1, 0, 0)
    assert any(server.url("/d/2.html") in line and "500" in line for line in summary.errors)
    assert summary.retries == 1  # the 500 was tried twice (max_attempts=2)


def test_a_detail_page_on_a_foreign_host_is_refused(json_family, server, client):
    with LoopbackServer() as elsewhere:
        JsonPortal(server, [2, 1])
        page = {
            "total": 1,
            "rows": [{"href": elsewhere.url("/d/1.html"), "key": "t1", "fields": listing_fields(1)}],
            "next": None,
        }
        server.routes["/list/0"] = lambda h: (200, {}, json.dumps(page).encode())
        rows, summary, _ = run(target(server), client)
        assert elsewhere.hits == [] and len(rows) == 1
        assert summary.status == "ok" and summary.details_owed == 1
        assert any("ForeignHostError" in line for line in summary.errors)
        # Allowed as an extra host, the same detail page is fetched.
        elsewhere.routes["/d/1.html"] = server.routes["/d/1.html"]
        _, summary, _ = run(target(server, hosts=(f"127.0.0.1:{elsewhere.port}",)), client)
        assert summary.status == "ok" and summary.details_fetched == 1


def test_links_on_a_redirected_listing_page_resolve_against_where_it_was_served(json_family, server, client):
    JsonPortal(server, [2, 1], per_page=2)
    page = {"total": 2, "rows": [{"href": f"d/{n}.html", "key": f"t{n}", "fields": listing_fields(n)} for n in (2, 1)]}
    server.routes["/moved/list.html"] = lambda h: (200, {}, json.dumps(page).encode())
    server.routes["/entry"] = lambda h: (302, {"Location": "/moved/list.html"}, b"")
    for n in (2, 1):
        server.routes[f"/moved/d/{n}.html"] = server.routes[f"/d/{n}.html"]
    rows, summary, _ = run(PortalTarget("p", "json", server.url("/entry")), client)
    assert [row.url for row in rows] == [server.url("/moved/d/2.html"), server.url("/moved/d/1.html")]
    assert summary.status == "ok" and summary.details_fetched == 2


# -- loud endings -------------------------------------------------------------------------------


def test_a_stub_page_ends_the_listing_partial_when_items_are_missing(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    portal.set_page(2, trouble="stub")
    rows, summary, walk = run(target(server), client)
    assert len(rows) == 6 and walk.error is None  # a stub past page 0 is an end, not a fault
    assert summary.status == "partial" and summary.complete is False
    assert "stub page at page 2" in summary.reason and "6 of 8" in summary.reason


def test_a_stub_on_page_0_fails_and_names_the_known_items(json_family, server, client):
    portal = JsonPortal(server, [2, 1])
    portal.set_page(0, trouble="stub")
    rows, summary, _ = run(target(server), client, mode="incremental", known={"t1": "h"})
    assert rows == [] and summary.status == "failed"
    assert "no rows on listing page 0" in summary.reason and "1 known items" in summary.reason


def test_empty_rows_on_page_0_of_a_portal_that_had_rows_fail(json_family, server, client):
    server.routes["/list/0"] = lambda h: (200, {}, b'{"rows": [], "total": 0}')
    rows, summary, _ = run(target(server), client, known={"t1": "h", "t2": "h"})
    assert rows == [] and summary.status == "failed" and "2 known items" in summary.reason


@pytest.mark.parametrize(
    ("trouble", "words"),
    [
        ("challenge", "challenge page (安全验证) at listing page 1"),
        ("layout", "layout changed at listing page 1: listing page: 20 rows but no item link"),
        ("xxe", "unsafe XML at listing page 1"),
    ],
)
def test_challenge_layout_and_unsafe_xml_fail_the_run(json_family, server, client, trouble, words):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    portal.set_page(1, trouble=trouble)
    rows, summary, walk = run(target(server), client)
    assert len(rows) == 3  # page 0's rows are kept
    assert summary.status == "failed" and words in summary.reason and not summary.complete
    assert type(walk.error) is {"challenge": ChallengePage, "layout": LayoutChanged, "xxe": UnsafeXml}[trouble]


def test_no_rows_on_the_first_page_is_a_changed_layout(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    portal.set_page(0, trouble="no rows")
    rows, summary, walk = run(target(server), client)
    assert rows == [] and summary.status == "failed"
    assert "layout changed at listing page 0: listing page: no rows" in summary.reason
    assert type(walk.error) is NoRows


def test_no_rows_past_the_first_page_is_a_stub_end(json_family, server, client):
    # docs/reliability.md: a page without rows past page 0 is a stub. With 8 advertised items
    # and 3 seen, the run is partial and says how many are missing; page 0's rows are kept.
    portal = JsonPortal(server, list(range(8, 0, -1)))
    portal.set_page(1, trouble="no rows")
    rows, summary, walk = run(target(server), client)
    assert len(rows) == 3 and summary.status == "partial" and not summary.complete
    assert summary.reason.startswith("stub page at page 1: end of usable data (listing page: no rows")
    assert walk.error is None


def test_a_next_link_back_to_an_earlier_page_is_a_pagination_loop(json_family, server, client):
    portal = JsonPortal(server, list(range(9, 0, -1)))
    portal.set_page(2, next_page=1)
    rows, summary, _ = run(target(server), client)
    assert portal.list_hits() == ["/list/0", "/list/1", "/list/2"]
    assert len(rows) == 9 and summary.status == "partial"
    assert summary.reason.startswith("pagination loop at page 3")


def test_a_page_repeating_an_earlier_pages_rows_is_a_pagination_loop(json_family, server, client):
    portal = JsonPortal(server, list(range(12, 0, -1)))
    portal.set_page(2, rows_of=1)  # /list/2 serves page 1's rows again
    rows, summary, _ = run(target(server), client)
    assert len(rows) == 6 and portal.list_hits() == ["/list/0", "/list/1", "/list/2"]
    assert summary.status == "partial"
    assert summary.reason == "pagination loop at page 2: same rows as page 1"


def test_a_full_listing_short_of_the_advertised_total_is_partial(json_family, server, client):
    JsonPortal(server, list(range(8, 0, -1)), total=100)
    _, summary, _ = run(target(server), client)
    assert summary.status == "partial" and not summary.complete
    assert "8 of 100 advertised items seen (92 missing)" in summary.reason


def test_a_shortfall_within_two_percent_is_ok(json_family, server, client):
    JsonPortal(server, list(range(50, 0, -1)), per_page=10, total=51)
    _, summary, _ = run(target(server), client, known={})
    assert summary.status == "ok" and summary.complete and summary.rows == 50


def test_a_listing_page_that_fails_fails_page_0_and_truncates_later_pages(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    server.routes["/list/1"] = lambda h: (503, {}, b"")
    rows, summary, walk = run(target(server), client)
    assert isinstance(walk.error, FetchError) and walk.error.status == 503
    assert len(rows) == 3 and summary.status == "partial"
    assert "listing page 1 failed" in summary.reason and "503" in summary.reason
    server.routes["/list/0"] = lambda h: (404, {}, b"")
    rows, summary, _ = run(target(server), client)
    assert rows == [] and summary.status == "failed" and "404" in summary.reason
    assert portal.list_hits().count("/list/0") == 2


def test_a_parser_tripping_on_hostile_input_fails_the_run_without_raising(json_family, server, client):
    portal = JsonPortal(server, list(range(8, 0, -1)))
    server.routes["/list/1"] = lambda h: (200, {}, b'{"rows": [')  # JSON the family chokes on
    rows, summary, _ = run(target(server), client)
    assert len(rows) == 3 and portal.list_hits() == ["/list/0", "/list/1"]
    assert summary.status == "failed"
    assert summary.reason.startswith("unexpected JSONDecodeError after 1 listing pages")


def test_a_consumer_that_stops_early_leaves_a_partial_summary(json_family, server, client):
    JsonPortal(server, list(range(8, 0, -1)))
    walk = crawl(target(server), client, run_id="r")
    rows = iter(walk)
    next(rows)
    rows.close()
    assert walk.summary.status == "partial" and "stopped by the consumer" in walk.summary.reason
    assert walk.summary.finished_at >= walk.summary.started_at and walk.summary.requests == 2


def test_an_unknown_platform_fails_without_raising(server, client):
    _, summary, _ = run(PortalTarget("p", "nosuch", server.url("/")), client)
    assert summary.status == "failed" and summary.reason == "unknown platform 'nosuch'"
    assert summary.finished_at >= summary.started_at and summary.requests == 0


def test_a_crawl_is_iterable_once_and_rejects_bad_settings(json_family, server, client):
    JsonPortal(server, [1])
    walk = crawl(target(server), client, run_id="r")
    list(walk)
    with pytest.raises(RuntimeError):
        list(walk)
    with pytest.raises(ValueError, match="mode"):
        crawl(target(server), client, mode="sometimes", run_id="r")
    with pytest.raises(ValueError, match="details"):
        crawl(target(server, details="often"), client, run_id="r")


@pytest.mark.corpus
def test_a_real_saved_trs_page_served_on_loopback(server, client):
    """The saved Handan listing page links its rows to another host (hdzfxxgk.hd.gov.cn):
    without that host in the portal's `hosts` the detail page is refused before any lookup,
    and the missing page 1 makes the run partial, with both reasons."""
    saved = real_page("handan_trs_xxgk_list_saved.html").read_bytes()
    server.routes["/gszbm/auto23716/index.html"] = lambda h: (200, {"Content-Type": "text/html; charset=UTF-8"}, saved)
    rows, summary, walk = run(PortalTarget("hd", "trs", server.url("/gszbm/auto23716/index.html")), client)
    assert [row.index_no for row in rows] == ["000014348/2020-35428"]
    assert rows[0].url.startswith("http://hdzfxxgk.hd.gov.cn/") and not rows[0].detail_fetched
    assert summary.advertised_total == 6348 and summary.status == "partial"
    assert summary.reason.startswith("listing page 1 failed") and "404" in summary.reason
    assert any("ForeignHostError" in line and "hdzfxxgk.hd.gov.cn" in line for line in summary.errors)
    assert [entry.status for entry in walk.fetches] == [200, None, 404]


# -- the real families against the simulated world ------------------------------------------


#: One portal of each family, small enough to walk with every detail page in a test.
FAMILY_PORTALS = {"trs": "ly-zp-aic-site", "hanweb": "ly-lc-aic-site", "ssp": "fj-aic-ssp"}


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(scope="module")
def running_sim(world):
    with sim_server.start(world) as running:
        yield running


@pytest.fixture
def sim(running_sim):
    """The module's simulated world, back to no faults and the default day after each test."""
    yield running_sim
    running_sim.set_faults([])
    running_sim.set_as_of(DEFAULT_AS_OF)


def sim_target(sim, portal_id: str, details: str = "new") -> PortalTarget:
    platform = sim.world_portal(portal_id).platform
    return PortalTarget(portal_id, platform, sim.portals[portal_id], details=details)


def listed_urls(sim, portal_id: str, day) -> set[str]:
    """The detail URLs the world lists on `portal_id` on `day`, from the generator itself."""
    world, portal, origin = sim.world, sim.world_portal(portal_id), sim.origins[portal_id]
    listing = world.listing(portal_id, day)
    urls = {
        origin + detail_path(portal, world.doc(g), row.duplicate)
        for row, g in listing.natural(0, listing.natural_count())
    }
    if listing.pinned:
        urls.add(origin + detail_path(portal, world.doc(listing.pinned.n)))
    return urls


def test_a_gbk_portal_declared_gb2312_in_meta_is_read_right(sim, client):
    portal_id = "ly-ct-aic-site"
    entry = sim.portals[portal_id]
    page = client.fetch(Request(entry), allowed_hosts(entry))
    assert "charset" not in page.headers["content-type"]  # only the meta says gb2312
    assert b'charset=gb2312"' in page.content[:2000] and page.encoding == "gb18030"
    rows, summary, walk = run(sim_target(sim, portal_id, "never"), client)
    world, listing = sim.world, sim.world.listing(portal_id, sim.as_of)
    expected = {world.doc(g).title for _, g in listing.natural(0, listing.natural_count())}
    assert {row.title_raw for row in rows} == expected
    assert any("镕" in title for title in expected)  # 镕 is in GBK but not in GB2312
    assert {entry.encoding for entry in walk.fetches} == {"gb18030"}


@pytest.mark.parametrize(("platform", "details"), [("trs", "new"), ("hanweb", "new"), ("ssp", "never")])
def test_a_full_crawl_sees_every_row_the_portal_advertises(sim, client, platform, details):
    portal_id = FAMILY_PORTALS[platform]
    rows, summary, _ = run(sim_target(sim, portal_id, details), client)
    expected = listed_urls(sim, portal_id, sim.as_of)
    assert {row.url for row in rows} == expected
    assert len({row.item_key for row in rows}) == len(rows) == len(expected)
    assert (summary.status, summary.complete, summary.reason) == ("ok", True, None)
    assert summary.advertised_total == len(expected)
    assert summary.details_fetched == (len(expected) if details == "new" else 0)
    if details == "new":
        assert all(row.detail_fetched and row.index_no and row.publisher_name for row in rows)


@pytest.mark.parametrize("platform", ["trs", "hanweb", "ssp"])
@pytest.mark.parametrize("fault", ["stub:1", "waf", "layout", "loop:1"])
def test_faults_give_failed_or_partial_runs_with_reasons(sim, client, platform, fault):
    portal_id = FAMILY_PORTALS[platform]
    sim.set_faults([f"{portal_id}:{fault}"])
    rows, summary, _ = run(sim_target(sim, portal_id, "never"), client)
    assert summary.status in ("failed", "partial") and summary.reason
    assert not summary.complete
    expected_words = {
        "waf": ("challenge page (安全验证) at listing page 0",),
        "layout": ("layout changed at listing page 0",),
        "loop:1": ("pagination loop at page 1",),
        "stub:1": ("stub page at page 1: end of usable data",),
    }[fault]
    assert any(words in summary.reason for words in expected_words), summary.reason
    if fault in ("waf", "layout"):
        assert rows == [] and summary.status == "failed"
    elif fault == "stub:1":  # the items past the stub are missing, and the reason says so
        assert summary.status == "partial"
        assert f"{len(rows)} of {summary.advertised_total} advertised items" in summary.reason
        assert summary.advertised_total == len(listed_urls(sim, portal_id, sim.as_of))
    else:
        assert rows and all(row.page_no == 0 for row in rows)  # page 0 kept, nothing invented


@pytest.mark.parametrize(
    ("fault", "status", "words", "requests"),
    [
        ("page-fail:1", "partial", "listing page 1 failed", 2),  # page 0, then page 1 failing
        ("down", "failed", "listing page 0 failed", 1),
        ("reset", "failed", "connection reset by the server", 1),
        ("down", "failed", "connection refused", 1),
        ("redirect", "failed", "a redirect to http://127.0.0.2:", 1),
        ("oversize", "failed", "byte cap", 1),
    ],
)
def test_portal_failures_are_reported_not_raised(sim, client, fault, status, words, requests):
    portal_id = FAMILY_PORTALS["trs"]
    sim.set_faults([f"{portal_id}:{fault}"])
    rows, summary, _ = run(sim_target(sim, portal_id, "never"), client)
    assert summary.status == status and words in summary.reason, summary.reason
    # one fetch per listing page asked for (its retries are counted apart), no detail page
    assert summary.requests == requests and summary.finished_at >= summary.started_at


def test_a_portal_slower_than_the_read_timeout_fails_after_bounded_attempts(sim, tmp_path):
    portal_id = FAMILY_PORTALS["trs"]
    sim.set_faults([f"{portal_id}:slow:1.5"])
    hasty = HttpClient(tmp_path / "hasty", per_host_delay=0, backoff=0.01, max_attempts=2, timeout=0.3)
    rows, summary, _ = run(sim_target(sim, portal_id, "never"), hasty)
    assert rows == [] and summary.status == "failed"
    assert "no answer within 0.3 s" in summary.reason and "after 2 attempts" in summary.reason
    assert summary.retries == 1


def test_a_flaky_portal_is_read_whole_through_retries(sim, tmp_path):
    portal_id = FAMILY_PORTALS["hanweb"]
    sim.set_faults([f"{portal_id}:flaky:2"])  # two 503s with Retry-After: 1
    patient = HttpClient(tmp_path / "patient", per_host_delay=0, backoff=0.01, max_attempts=3)
    rows, summary, _ = run(sim_target(sim, portal_id, "never"), patient)
    assert summary.status == "ok" and summary.complete and summary.retries == 2
    assert len(rows) == len(listed_urls(sim, portal_id, sim.as_of))


def test_an_external_entity_is_never_resolved(sim, client):
    portal_id = FAMILY_PORTALS["hanweb"]
    sim.set_faults([f"{portal_id}:xxe"])  # the datastore declares <!ENTITY xxe SYSTEM file:///etc/passwd>
    rows, summary, _ = run(sim_target(sim, portal_id, "never"), client)
    assert summary.status == "failed"
    assert summary.reason.startswith("unsafe XML at listing page 0")
    assert not any("root:" in str(value) for row in rows for value in vars(row).values())


def test_an_external_entity_pointing_at_a_server_is_never_fetched(server, client):
    """A Hanweb column page whose data store declares an entity naming a URL we serve: a
    parser that resolved it would ask our server for it."""
    server.routes["/secret"] = lambda h: (200, {}, b"SECRET-CONTENT")
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/2012/3/{n}/art_1_{n}.html" title="通知{n}">通知{n}'
        f"</a><span>2012-03-{n:02d}</span></li>]]></record>\n"
        for n in range(1, 16)
    )
    page = (
        '<html><head><title>信息公开目录</title></head><body><div id="div1">'
        '<script type="text/xml">'
        f'<!DOCTYPE datastore [<!ENTITY xxe SYSTEM "{server.url("/secret")}">]>'
        f"<datastore><recordset><record>&xxe;</record>{records}</recordset>"
        "</datastore></script></div></body></html>"
    )
    server.routes["/col/col1/index.html"] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
    rows, summary, _ = run(PortalTarget("x", "hanweb", server.url("/col/col1/index.html"), details="never"), client)
    assert server.paths() == ["/col/col1/index.html"]  # never /secret
    assert not any("SECRET" in str(value) for row in rows for value in vars(row).values())
    assert summary.status == "failed" and summary.reason.startswith("unsafe XML")


@pytest.mark.parametrize("platform", ["trs", "hanweb"])
def test_incremental_crawl_of_an_unchanged_portal_costs_one_listing_page_and_no_detail(sim, client, platform):
    portal_id = FAMILY_PORTALS[platform]
    full, _, _ = run(sim_target(sim, portal_id, "never"), client)
    known = {row.item_key: row.listing_hash for row in full}
    rows, summary, walk = run(sim_target(sim, portal_id), client, mode="incremental", known=known)
    assert (summary.status, summary.requests, summary.details_fetched) == ("ok", 1, 0)
    assert summary.pages == 1 and walk.fetches[0].url == sim.portals[portal_id]
    if walk.fetches[0].not_modified:  # the portal sent validators: nothing came over the wire
        assert summary.bytes == 0
    else:
        assert summary.bytes == walk.fetches[0].bytes > 0
    assert {row.item_key for row in rows} <= known.keys()


@pytest.mark.parametrize("portal_id", ["ly-hongdun", "ly-sh-aic-site", "fj-aic-ssp"])
def test_after_the_clock_moves_an_incremental_crawl_picks_up_exactly_the_new_items(world, tmp_path, portal_id):
    before = DEFAULT_AS_OF.replace(year=2012, month=12, day=15)
    with (
        sim_server.start(world, as_of=before) as sim,
        HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01, max_attempts=2) as http,
    ):
        full, full_summary, _ = run(sim_target(sim, portal_id, "never"), http)
        known = {row.item_key: row.listing_hash for row in full}
        sim.set_as_of(DEFAULT_AS_OF)
        rows, summary, _ = run(sim_target(sim, portal_id), http, mode="incremental", known=known)
        expected_new = listed_urls(sim, portal_id, DEFAULT_AS_OF) - listed_urls(sim, portal_id, before)
        assert expected_new  # the world did move
        new = {row.url for row in rows if row.item_key not in known}
        assert new == expected_new
        assert summary.details_fetched == len(expected_new)
        assert all(row.detail_fetched for row in rows if row.item_key not in known)
        assert summary.status == "ok" and summary.reason.startswith("incremental")
        # It stopped early: past the new rows, at most two pages of known ones were read.
        per_page = -(-full_summary.rows // full_summary.pages)
        assert summary.pages < full_summary.pages
        assert summary.rows - len(expected_new) <= 2 * per_page


def test_portals_crawled_in_threads_share_one_client_and_keep_their_own_logs(sim, client):
    portal_ids = ["ly-yd-aic-site", "ly-wp-aic-site", "ly-gov"]
    results = {}

    def harvest(portal_id: str) -> None:
        results[portal_id] = run(sim_target(sim, portal_id, "never"), client)

    threads = [threading.Thread(target=harvest, args=(pid,)) for pid in portal_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for portal_id in portal_ids:
        rows, summary, walk = results[portal_id]
        assert summary.status == "ok" and summary.complete
        assert {row.url for row in rows} == listed_urls(sim, portal_id, sim.as_of)
        origin = sim.origins[portal_id]
        assert walk.fetches and all(entry.url.startswith(origin) for entry in walk.fetches)
        assert summary.requests == len(walk.fetches) == summary.pages
    assert client.take_log() == []


@pytest.fixture(scope="module")
def parser_pool():
    with ParsePool(2) as pool:
        yield pool


def test_parsing_in_a_process_pool_reads_the_same_rows(sim, client, tmp_path, parser_pool):
    """Pages parsed in other processes give the very listings the crawl's own thread gives."""
    target = sim_target(sim, FAMILY_PORTALS["hanweb"], "new")
    here, here_summary, _ = run(target, client)
    other_client = HttpClient(tmp_path / "other", per_host_delay=0, user_agent="xxgk-test/1")
    pooled, pooled_summary, _ = run(target, other_client, parser=parser_pool)
    drop_time = {"seen_at": None}
    assert [replace(row, **drop_time) for row in pooled] == [replace(row, **drop_time) for row in here]
    assert pooled_summary.details_fetched == here_summary.details_fetched == len(here)
    assert pooled_summary.status == "ok" and pooled_summary.complete


def test_a_page_error_raised_in_the_pool_is_reported_like_one_raised_here(sim, client, parser_pool):
    portal_id = FAMILY_PORTALS["trs"]
    sim.set_faults([f"{portal_id}:waf"])
    rows, summary, _ = run(sim_target(sim, portal_id, "never"), client, parser=parser_pool)
    assert rows == [] and summary.status == "failed"
    assert "challenge page (安全验证) at listing page 0" in summary.reason
