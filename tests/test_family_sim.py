"""The family parsers read every portal kind the simulated world serves (fetched over loopback)."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

from connectors.families import FAMILIES
from connectors.records import Request
from sim import server as sim_server
from sim import world as sim_world

_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([\w-]+)", re.I)
_ITEM_KEY = re.compile(r"(t\d{8}_\d+|art_\d+_\d+)\.s?html?")


def fetch(request: Request) -> str:
    """GET or POST the request with plain urllib; decode by header, then meta charset."""
    data = urllib.parse.urlencode(request.data).encode() if request.method == "POST" else None
    http_request = urllib.request.Request(
        request.url, data=data, headers=dict(request.headers), method=request.method
    )
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
        portal = sim_world.PORTAL_BY_ID[portal_id]
        family = FAMILIES[portal.platform]
        request = family.first_request(url, {})
        text = fetch(request)
        page = family.parse_listing(text, request, {})
        assert {row.item_key for row in page.rows} == keys_on_page(text), portal_id
        assert len(page.rows) == len(keys_on_page(text)), portal_id
        assert page.next_request is not None, portal_id
        second = family.parse_listing(fetch(page.next_request), page.next_request, {})
        assert second.rows and not {r.item_key for r in second.rows} & {r.item_key for r in page.rows}
        detail = family.parse_detail(fetch(Request(page.rows[-1].url)), page.rows[-1].url, {})
        assert {"title", "index_no", "published_date"} <= set(detail.fields), portal_id
        assert detail.fields["title"] == page.rows[-1].fields["title"], portal_id
        kinds_seen.add(portal.style)
    assert kinds_seen == {p.style for p in sim_world.PORTALS}  # every template kind was read
