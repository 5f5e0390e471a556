"""A family whose parser takes as long as its page tells it to: the parse deadline's subject.

Pages are JSON: `{"stall": null | seconds | "spin", "rows": [hrefs], "next": href | null}`
for a listing, `{"stall": …, "doc_no": "…"}` for a detail page. The functions are defined at
module level so a parse pool's spawned process imports them by name (the tests' folder is
on its path, as on the parent's).
"""

from __future__ import annotations

import json
import os
import time
from urllib.parse import urljoin

from connectors.families.base import ListingPage, RawDetail, RawRow
from connectors.records import Request


def first_request(url: str, options) -> Request:
    return Request(url)


def parse_listing(text: str, request: Request, options) -> ListingPage:
    page = json.loads(text)
    stall(page.get("stall"))
    rows = [RawRow(urljoin(request.url, href), href.rsplit("/", 1)[-1], {"title": href}) for href in page["rows"]]
    following = Request(urljoin(request.url, page["next"])) if page.get("next") else None
    return ListingPage(rows, None, page.get("total"), following)


def parse_detail(text: str, url: str, options) -> RawDetail:
    page = json.loads(text)
    stall(page.get("stall"))
    return RawDetail({"doc_no": page["doc_no"]}, True)


def stall(how: float | str | None) -> None:
    """Sleep `how` seconds, or spin on the CPU for ever when `how` is "spin"."""
    if how == "spin":
        while True:
            pass
    if how:
        time.sleep(float(how))


def exit_now(code: int) -> None:
    """End the process at once, as the OOM killer or a crash in C would."""
    os._exit(code)


def exit_once(flag: str) -> str:
    """End the process the first time (leaving `flag` behind), answer "read" the next."""
    if not os.path.exists(flag):
        with open(flag, "w"):
            pass
        os._exit(9)
    return "read"
