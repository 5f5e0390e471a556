"""Edge cases of the gkmlpt, govcn and hanweb-xxgk families, on small hand-made pages.

Real gkmlpt, gov.cn search and Hanweb search responses cannot be fetched from where this is
built: these pages follow what public crawlers document (docs/platforms.md). Recorded pages
of the simulated Guangdong world are in tests/fixtures/{gkmlpt,govcn,hanweb-xxgk}/.
"""

from __future__ import annotations

import json

import pytest

from connectors.errors import LayoutChanged
from connectors.families import gkmlpt, govcn, hanweb_xxgk
from connectors.records import Request

BASE = "http://www.example.gov.cn"


def index(tree: list, sid: str = "7") -> str:
    return (
        f"<html><head><title>目录</title><script>window._CONFIG = {{ SID: '{sid}', "
        f"TREE: {json.dumps(tree, ensure_ascii=False)}, SERVICE_AREA_ID: 1 }};</script></head>"
        "<body>" + "<div></div>" * 120 + "</body></html>"
    )


def api(articles: list, post_count: int | None) -> str:
    return json.dumps({"total": post_count, "classify": {"post_count": post_count}, "articles": articles})


def article(i: int, **extra) -> dict:
    return {
        "id": i,
        "title": f"t{i}",
        "identifier": f"00700001-X/2012-{i:05d}",
        "url": f"http://other.example.gov.cn/gkmlpt/content/0/0/post_{i}.html",
        **extra,
    }


def test_index_walks_categories_with_posts_skipping_empty_and_links() -> None:
    tree = [
        {"id": 1, "post_count": 0, "children": []},
        {"id": 2, "post_count": 3, "children": [{"id": 3, "post_count": 1}]},
        {"id": 4, "post_count": 5, "jump_url": "http://elsewhere/"},
    ]
    page = gkmlpt.parse_listing(index(tree), Request(f"{BASE}/gkmlpt/index"), {})
    assert page.passing and not page.rows
    assert page.next_request == Request(f"{BASE}/gkmlpt/api/all/2?page=1&sid=7", carry=("3",))


def test_index_without_categories_or_sid_is_a_changed_layout() -> None:
    with pytest.raises(LayoutChanged):
        gkmlpt.parse_listing(index([{"id": 1, "post_count": 0}]), Request(f"{BASE}/gkmlpt/index"), {})
    with pytest.raises(LayoutChanged):
        gkmlpt.parse_listing("<html>" + "x" * 700 + "</html>", Request(f"{BASE}/gkmlpt/index"), {})


def test_category_of_one_page_goes_to_the_next_category() -> None:
    request = Request(f"{BASE}/gkmlpt/api/all/2?page=1&sid=7", carry=("3",))
    page = gkmlpt.parse_listing(api([article(1), article(2)], 2), request, {})
    assert [r.item_key for r in page.rows] == ["post_1", "post_2"]
    assert page.next_request == Request(f"{BASE}/gkmlpt/api/all/3?page=1&sid=7")
    assert page.resume == page.next_request


def test_post_count_below_rows_served_stops_at_post_count() -> None:
    page = gkmlpt.parse_listing(api([article(1), article(2)], 2), Request(f"{BASE}/gkmlpt/api/all/2?page=1&sid=7"), {})
    assert page.next_request is None


def test_post_count_above_rows_served_ends_at_an_empty_page() -> None:
    request = Request(f"{BASE}/gkmlpt/api/all/2?page=1&sid=7")
    first = gkmlpt.parse_listing(api([article(1), article(2)], 9), request, {})
    assert first.next_request.url.endswith("page=2&sid=7")
    end = gkmlpt.parse_listing(api([], 9), first.next_request, {})
    assert end.passing and end.next_request is None and not end.rows


def test_abolished_and_expired_articles_and_their_dates() -> None:
    rows = gkmlpt.parse_listing(
        api(
            [
                article(1, is_abolished=1, is_expired=0, date=1330876800),
                article(2, is_abolished=0, is_expired=1),
                article(3, is_abolished=0, is_expired=0),
            ],
            3,
        ),
        Request(f"{BASE}/gkmlpt/api/all/2?page=1&sid=7"),
        {},
    ).rows
    assert [r.fields["validity"] for r in rows] == ["废止", "失效", "有效"]
    assert rows[0].fields["written_date"] == "1330876800"
    assert rows[0].url.startswith("http://other.example.gov.cn/")  # a detail link on another host


def test_govcn_dedupes_nothing_itself_but_keys_one_document_once() -> None:
    item = {
        "title": "x",
        "url": f"{BASE}/zhengce/content/2020-07/30/content_5531274.htm",
        "index": "000014349/2020-00072",
        "childtype": "科技、教育\\科技",
        "pubtimeStr": "2020.07.30",
    }
    text = json.dumps(
        {
            "code": 200,
            "searchVO": {
                "totalCount": 0,
                "catMap": {
                    "gongwen": {"totalCount": 1, "listVO": [item]},
                    "otherfile": {"totalCount": 1, "listVO": [item]},
                },
            },
        }
    )
    page = govcn.parse_listing(text, govcn.first_request(f"{BASE}/search-gov/data?t=zhengcelibrary", {}), {})
    assert {r.item_key for r in page.rows} == {"content_5531274"} and page.next_request is None
    assert page.rows[0].fields["topic"] == "科技、教育" and page.advertised_total == 1


def test_govcn_page_one_without_results_is_a_changed_layout() -> None:
    text = json.dumps({"code": 1001, "msg": "抱歉，没有找到相关结果", "searchVO": None})
    with pytest.raises(LayoutChanged):
        govcn.parse_listing(text, govcn.first_request(f"{BASE}/search-gov/data?t=zhengce", {}), {})


def test_hanweb_xxgk_posts_the_configured_query_with_currpage() -> None:
    request = hanweb_xxgk.first_request(f"{BASE}/module/xxgk/search.jsp?infotypeId=A0202&jdid=39&area=", {})
    assert request.method == "POST" and request.url == f"{BASE}/module/xxgk/search.jsp"
    assert dict(request.data) == {"infotypeId": "A0202", "jdid": "39", "area": "", "currpage": "1"}


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("政府信息公开年报 综合政务,文秘工作 其他", ("综合政务,文秘工作", "其他")),
        ("综合政务 其他", (None, None)),
    ],
)
def test_hanweb_xxgk_classification_cell(cell: str, expected: tuple) -> None:
    assert hanweb_xxgk.split_classification(cell) == expected


def test_crawl_of_a_gkmlpt_portal_sees_each_article_once_and_resumes_by_category(tmp_path) -> None:
    """Over the simulated city portal: the full walk lists every article once (most sit in
    two categories); an incremental walk over known rows asks one page per category."""
    from connectors.crawl import PortalTarget, crawl
    from connectors.http import HttpClient
    from sim.registry import build_world
    from sim.server import start

    world = build_world("guangdong")
    with start(world) as sim, HttpClient(tmp_path / "data", per_host_delay=0) as client:
        host = sim.origins["gd-yh-gkmlpt"].split("//")[1].replace("127.0.0.1", "localhost")
        target = PortalTarget("gd-yh-gkmlpt", "gkmlpt", sim.portals["gd-yh-gkmlpt"], details="never", hosts=(host,))
        walk = crawl(target, client, run_id="r1")
        listings = list(walk)
        assert walk.summary.status == "ok", walk.summary.reason
        articles = len(world.listed("gd-yh-gkmlpt", world.default_as_of))  # 64 generated, 3 normative, 3 reports
        assert len(listings) == len({x.item_key for x in listings}) == articles == 70
        known = {x.item_key: x.listing_hash for x in listings}
        again = crawl(target, client, mode="incremental", known=known, run_id="r2")
        seen_again = list(again)
        assert seen_again and len(seen_again) < articles  # known rows are seen, the walk cut short
        asked = [f.url for f in again.fetches]
        assert len(asked) == 1 + 8  # the index, then page 1 of each of the eight categories walked


def test_a_gkmlpt_walk_from_page_0_reads_the_simulated_portal_whole_without_page_1(tmp_path) -> None:
    """The simulated city portal answers page 0 as page 1: a walk from page 0 lists the same
    70 articles, each once, and asks no page 1."""
    from connectors.crawl import PortalTarget, crawl
    from connectors.http import HttpClient
    from sim.registry import build_world
    from sim.server import start

    world = build_world("guangdong")
    with start(world) as sim, HttpClient(tmp_path / "data", per_host_delay=0) as client:
        options = {"first_page": "0"}
        target = PortalTarget("gd-yh-gkmlpt", "gkmlpt", sim.portals["gd-yh-gkmlpt"], details="never", options=options)
        walk = crawl(target, client, run_id="r1")
        listings = list(walk)
    assert (walk.summary.status, walk.summary.complete) == ("ok", True), walk.summary.reason
    assert (
        len(listings) == len({x.item_key for x in listings}) == len(world.listed("gd-yh-gkmlpt", world.default_as_of))
    )
    pages = [f.url.split("?", 1)[1].split("&")[0] for f in walk.fetches if "/api/all/" in f.url]
    assert "page=0" in pages and "page=1" not in pages


def test_gkmlpt_and_govcn_count_an_item_without_a_url_instead_of_failing_the_page() -> None:
    request = Request(f"{BASE}/gkmlpt/api/all/21?page=1&sid=7")
    broken = {**article(2), "url": "", "post_url": None}
    page = gkmlpt.parse_listing(api([article(1), broken, article(3)], 3), request, {})
    assert [r.item_key for r in page.rows] == ["post_1", "post_3"]
    assert [(bad.reason, bad.text) for bad in page.unreadable_rows] == [("no link", "t2")]
    assert page.next_request is None and not page.passing  # 3 articles of 3: the category is read

    hits = [{"title": "甲", "url": f"{BASE}/zhengce/content/2020-07/30/content_1.htm"}, {"title": "乙", "url": ""}]
    text = json.dumps({"code": 200, "searchVO": {"catMap": {"gongwen": {"totalCount": 2, "listVO": hits}}}})
    found = govcn.parse_listing(text, govcn.first_request(f"{BASE}/search-gov/data?t=zhengcelibrary", {}), {})
    assert [r.item_key for r in found.rows] == ["content_1"]
    assert [(bad.reason, bad.text) for bad in found.unreadable_rows] == [("no link", "乙")]
