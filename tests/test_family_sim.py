"""The family parsers read every portal kind the simulated world serves (fetched over loopback)."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

from connectors.errors import ChallengePage, LayoutChanged, PageError, StubPage, UnsafeXml
from connectors.families import FAMILIES
from connectors.records import Request
from sim import server as sim_server
from sim.catalog import PORTAL_BY_ID, PORTALS

_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([\w-]+)", re.I)
_ITEM_KEY = re.compile(r"(t\d{8}_\d+|art_\d+_\d+)\.s?html?")


def fetch(request: Request) -> str:
    """GET or POST the request with plain urllib; decode by header, then meta charset."""
    data = urllib.parse.urlencode(request.data).encode() if request.method == "POST" else None
    http_request = urllib.request.Request(request.url, data=data, headers=dict(request.headers), method=request.method)
    with urllib.request.urlopen(http_request, timeout=10) as response:
        body = response.read()
        header = response.headers.get("Content-Type", "").encode()
    found = _CHARSET.search(header) or _CHARSET.search(body[:2048])
    encoding = found.group(1).decode().lower() if found else "utf-8"
    return body.decode("gb18030" if encoding in ("gbk", "gb2312") else encoding)


def keys_on_page(text: str) -> set[str]:
    """The item keys a page links to, counted without the parsers: what the page holds."""
    if text.lstrip().startswith("{"):
        hits = json.loads(text, strict=False)["datas"]
        return {_ITEM_KEY.search(hit["docpuburl"]).group(1) for hit in hits}
    return set(_ITEM_KEY.findall(text))


@pytest.fixture(scope="module")
def world():
    with sim_server.start() as server:
        yield server


def test_every_portal_kind_parses_with_all_its_rows_and_a_detail_page(world) -> None:
    kinds_seen = set()
    for portal_id, url in world.portals.items():
        portal = PORTAL_BY_ID[portal_id]
        family = FAMILIES[portal.platform]
        request = family.first_request(url, {})
        text = fetch(request)
        page = family.parse_listing(text, request, {})
        assert {row.item_key for row in page.rows} == keys_on_page(text), portal_id
        assert len(page.rows) == len(keys_on_page(text)), portal_id
        assert page.next_request is not None, portal_id
        second_text = fetch(page.next_request)
        second = family.parse_listing(second_text, page.next_request, {})
        assert {r.item_key for r in second.rows} == keys_on_page(second_text) != set(), portal_id
        assert not {r.item_key for r in second.rows} & {r.item_key for r in page.rows}, portal_id
        detail = family.parse_detail(fetch(Request(page.rows[-1].url)), page.rows[-1].url, {})
        assert {"title", "index_no", "published_date"} <= set(detail.fields), portal_id
        assert detail.fields["title"] == page.rows[-1].fields["title"], portal_id
        kinds_seen.add(portal.style)
    assert kinds_seen == {p.style for p in PORTALS}  # every template kind was read


def _walk_two_pages(portal_id: str, url: str) -> list[int | Exception]:
    """Rows on page 0 and page 1 of a portal, or the error a page raised."""
    family = FAMILIES[PORTAL_BY_ID[portal_id].platform]
    request, seen = family.first_request(url, {}), []
    for _ in range(2):
        try:
            page = family.parse_listing(fetch(request), request, {})
        except PageError as exc:
            return [*seen, exc]
        seen.append(len(page.rows))
        request = page.next_request
    return seen


@pytest.mark.parametrize(
    ("fault", "page0", "page1"),
    [
        ("waf", ChallengePage, None),
        ("layout", LayoutChanged, None),
        ("stub:1", int, StubPage),
        ("hostile", int, int),
    ],
)
def test_planted_faults_read_as_their_errors(world, fault: str, page0: type, page1: type | None) -> None:
    clean = {portal_id: _walk_two_pages(portal_id, url) for portal_id, url in world.portals.items()}
    world.set_faults([f"*:{fault}"])
    try:
        for portal_id, url in world.portals.items():
            outcome = _walk_two_pages(portal_id, url)
            assert isinstance(outcome[0], page0), (portal_id, outcome)
            if page1 is not None:
                assert isinstance(outcome[1], page1), (portal_id, outcome)
            if fault == "hostile":  # hostile titles cost no row on either page
                assert outcome == clean[portal_id], portal_id
    finally:
        world.set_faults([])


def test_planted_external_entity_is_refused_on_every_hanweb_portal(world) -> None:
    world.set_faults(["*:xxe"])
    try:
        hanweb_portals = [p for p in world.portals if PORTAL_BY_ID[p].platform == "hanweb"]
        assert len(hanweb_portals) == 3  # ly-sh, ly-wp and ly-lc of the 11 portals
        for portal_id in hanweb_portals:
            assert isinstance(_walk_two_pages(portal_id, world.portals[portal_id])[0], UnsafeXml)
    finally:
        world.set_faults([])
