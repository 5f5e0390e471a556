"""TRS WCM static catalogs: `index.html`, `index_1.html` … and `./YYYYMM/tYYYYMMDD_ID.html` details.

Rows are found without configuration: the xxgk table whose header row names the columns, the
known Fujian and xxgk list containers, then any block of `li` rows that carry a link and a
date. `[portal.options]` CSS selectors (`rows`, `title`, `date`, `link`, or any field name)
override detection for a template none of those fits.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.errors import NoRows
from connectors.families.base import ListingPage, RawDetail, check_stub, overview_reason, unreadable
from connectors.families.detail import parse_detail_page
from connectors.families.totals import advertised_in, live_parts
from connectors.families.trs.blocks import KNOWN_LIST_CLASSES
from connectors.families.trs.pager import next_request, pager
from connectors.families.trs.rows import find_rows
from connectors.records import Request

__all__ = ["KNOWN_LIST_CLASSES", "first_request", "parse_detail", "parse_listing"]

_WHAT_WE_LOOK_FOR = (
    "an xxgk table with a header row (名称/标题, 索引号, 发布机构, 发布日期, 文号), "
    f"li rows with a[href] and a date in span/b (in {', '.join(sorted(KNOWN_LIST_CLASSES))} "
    "or any other page block)"
)


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """The entry listing page, as configured."""
    return Request(url=url)


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """Rows, page count, advertised total and next page of one static listing page."""
    check_stub(text, f"listing page {request.url}")
    rows, bad = find_rows(text, request.url, options)
    if not rows and not bad:
        raise unreadable(text, f"listing page {request.url}: no rows; looked for {_describe(options)}", NoRows)
    overview = overview_reason([row.url for row in rows])
    if overview:
        raise NoRows(f"listing page {request.url}: {overview}")
    code, shown = live_parts(text)
    paging = pager(code)
    printed = advertised_in(code, shown)
    paging = paging._replace(page_count=paging.page_count or printed.pages)
    return ListingPage(
        rows=rows,
        page_count=paging.page_count,
        advertised_total=printed.items,
        next_request=next_request(request.url, paging, text),
        unreadable_rows=tuple(bad),
    )


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """Label/value metadata, body presence and attachments of a TRS detail page."""
    return parse_detail_page(text, url, options)


def _describe(options: Mapping[str, str]) -> str:
    if options.get("rows"):
        return f"rows selector {options['rows']!r}"
    return _WHAT_WE_LOOK_FOR
