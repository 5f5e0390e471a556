"""A generic portal crawled over real loopback HTTP: the selectors `propose_selectors` gives
for the served entry page walk every page (by the next-page link and by the pager template),
read the detail pages with the shared label reader, stop where an incremental walk meets
known rows, and end loudly on a pagination loop, a listing that never ends and a changed
layout."""

from __future__ import annotations

import hashlib
import json

from helpers.generic_site import HTML, GenericSite, Notice
from helpers.loopback import LoopbackServer

from connectors import stop_rules
from connectors.crawl import PortalTarget, crawl
from connectors.families.generic import propose_selectors
from connectors.http import HttpClient
from connectors.parse_pool import ParsePool


def proposed(server: LoopbackServer, site: GenericSite) -> dict[str, str]:
    body = server.routes["/tzgg/index.html"](None)[2]
    options = propose_selectors(body, site.entry)
    assert options is not None
    return options


def run(site: GenericSite, client: HttpClient, options: dict[str, str], **kwargs):
    walk = crawl(PortalTarget("county-tzgg", "generic", site.entry, options=options), client, run_id="r1", **kwargs)
    rows = list(walk)
    return rows, walk.summary


def listing_hash(notice: Notice) -> str:
    """The listing hash by its definition: sha256 of the sorted JSON of the row's raw fields."""
    fields = {"published_date": notice.date, "title": notice.title}
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_proposed_selectors_walk_every_page_by_the_next_link(server, client):
    site = GenericSite(server, list(range(10, 0, -1)))  # pages [10 9 8 7] [6 5 4 3] [2 1]
    options = proposed(server, site)
    assert options == {"rows": "ul.news li", "title": "a", "date": "span", "next": "a.next"}
    rows, summary = run(site, client, options)
    assert [row.url for row in rows] == [server.url(f"/tzgg/content_{n}.html") for n in range(10, 0, -1)]
    assert [(row.page_no, row.row_no) for row in rows[3:5]] == [(0, 3), (1, 0)]
    first = rows[0]
    assert (first.title, str(first.published_date)) == (Notice(10).title, Notice(10).date)
    assert (first.index_no, first.doc_no, first.publisher_name) == (
        "00312345-6/2012-00010",
        "某政〔2012〕10号",
        "某县人民政府办公室",
    )
    assert first.detail_fetched and first.has_body
    assert site.hits("/tzgg/index") == ["/tzgg/index.html", "/tzgg/index_1.html", "/tzgg/index_2.html"]
    assert (summary.status, summary.complete, summary.pages, summary.rows) == ("ok", True, 3, 10)


def test_a_pager_template_walks_while_each_page_links_to_the_next(server, client):
    site = GenericSite(server, list(range(10, 0, -1)))
    options = {"rows": "ul.news li", "date": "span.time", "pager": "index_{n}.html", "first_page": "1"}
    rows, summary = run(site, client, options)
    assert len(rows) == 10 and (summary.status, summary.pages) == ("ok", 3)
    assert site.hits("/tzgg/index") == ["/tzgg/index.html", "/tzgg/index_1.html", "/tzgg/index_2.html"]


def test_an_incremental_walk_stops_at_the_first_page_of_known_rows(server, client):
    site = GenericSite(server, list(range(10, 0, -1)))
    options = proposed(server, site)
    known = {server.url(notice.path): listing_hash(notice) for notice in site.notices}
    site.publish(list(range(12, 0, -1)))  # two new notices: pages [12 11 10 9] [8 7 6 5] [4 3 2 1]
    rows, summary = run(site, client, options, mode="incremental", known=known)
    assert site.hits("/tzgg/index") == ["/tzgg/index.html", "/tzgg/index_1.html"]
    assert [row.url for row in rows if row.detail_fetched] == [server.url(f"/tzgg/content_{n}.html") for n in (12, 11)]
    assert site.hits("/tzgg/content_") == ["/tzgg/content_12.html", "/tzgg/content_11.html"]
    assert summary.status == "ok" and not summary.complete and "page 1 holds only known" in summary.reason


def test_a_next_link_back_to_an_earlier_page_is_a_pagination_loop(server, client):
    site = GenericSite(server, list(range(8, 0, -1)))  # pages [8 7 6 5] [4 3 2 1]
    last = server.routes["/tzgg/index_1.html"](None)[2].replace(
        b"</ul><div", b'</ul><a class="next" href="index.html">x</a><div'
    )
    server.routes["/tzgg/index_1.html"] = lambda h: (200, HTML, last)
    rows, summary = run(site, client, proposed(server, site))
    assert len(rows) == 8
    assert summary.status == "partial" and "pagination loop at page 2" in summary.reason


def test_a_listing_that_never_ends_stops_at_the_page_limit(server, client, monkeypatch):
    monkeypatch.setattr(stop_rules, "MAX_PAGES", 3)
    site = GenericSite(server, list(range(40, 0, -1)))  # ten pages
    rows, summary = run(site, client, proposed(server, site))
    assert len(rows) == 12 and summary.status == "partial" and "stopped after 3 listing pages" in summary.reason


def test_a_first_page_whose_rows_moved_fails_naming_the_selector(server, client):
    site = GenericSite(server, list(range(8, 0, -1)))
    options = proposed(server, site) | {"rows": "ul.list li"}
    rows, summary = run(site, client, options)
    assert rows == [] and summary.status == "failed"
    assert "layout changed at listing page 0" in summary.reason and "rows selector 'ul.list li'" in summary.reason


def test_pages_parsed_in_a_process_pool_give_the_same_listings(server, client, tmp_path):
    site = GenericSite(server, list(range(6, 0, -1)))
    options = proposed(server, site)
    here, _ = run(site, client, options)
    other = HttpClient(tmp_path / "other", per_host_delay=0, timeout=5)
    with ParsePool(1) as pool:
        pooled, summary = run(site, other, options, parser=pool)
    other.close()
    assert [(row.url, row.title, row.index_no) for row in pooled] == [
        (row.url, row.title, row.index_no) for row in here
    ]
    assert summary.status == "ok" and summary.complete
