"""generic: list pages of custom CMSs (a ministry's own news list, a county site built by a
local vendor), read by the CSS selectors of the portal's `[portal.options]`.

`rows` selects the row elements; within each row `title` (default: the row's link), `link`,
`date` (default: a date in the row's own text) and the field selectors `index_no`,
`publisher`, `doc_no`; `next` (the next-page link) or `pager` (`index_{n}.html`, with
`first_page`) walks the listing. Detail pages are read by the shared label reader.
`propose_selectors` proposes the options for a page no family knows (docs/platforms.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from connectors.errors import LayoutChanged, NoRows
from connectors.families.base import (
    ListingPage,
    RawDetail,
    UnreadableRow,
    check_stub,
    overview_reason,
    soup,
    unreadable,
)
from connectors.families.detail import parse_detail_page
from connectors.families.generic.pager import next_request
from connectors.families.generic.propose import propose_selectors
from connectors.families.selected import select_rows
from connectors.families.totals import advertised_in, live_parts
from connectors.families.trs.pager import pager
from connectors.records import Request

__all__ = ["first_request", "parse_detail", "parse_listing", "propose_selectors"]

#: The selector each reason of an unreadable row points at, when none of a page's rows reads.
_BLAME = {"no link": ("link", "title"), "no date": ("date",), "no title": ("title",)}
_DEFAULTS = {"link": "the row's first link", "title": "the row's link", "date": "a date in the row's text"}


def first_request(url: str, options: Mapping[str, str]) -> Request:
    """The entry listing page, as configured."""
    return Request(url=url)


def parse_listing(text: str, request: Request, options: Mapping[str, str]) -> ListingPage:
    """The rows the portal's selectors read on one listing page, and where the walk goes next.

    No row selected: `NoRows` naming the selector (on the first page a changed layout, past
    it the end of the data). Rows selected but none readable: `LayoutChanged` naming the
    selector that found nothing in them.
    """
    check_stub(text, f"listing page {request.url}")
    if not options.get("rows"):
        raise LayoutChanged("platform generic needs a rows selector in the portal's options")
    doc = soup(text)
    rows, bad = select_rows(doc, request.url, options)
    if not rows and not bad:
        raise unreadable(text, f"listing page {request.url}: rows selector {options['rows']!r} selects no row", NoRows)
    if not rows:
        raise LayoutChanged(f"listing page {request.url}: {_none_readable(bad, options)}")
    overview = overview_reason([row.url for row in rows])
    if overview:
        raise NoRows(f"listing page {request.url}: {overview}")
    code, shown = live_parts(text)
    page_count = pager(code).page_count
    printed = advertised_in(code, shown)
    return ListingPage(
        rows=rows,
        page_count=page_count or printed.pages,
        advertised_total=printed.items,
        next_request=next_request(doc, request, options, page_count),
        unreadable_rows=tuple(bad),
    )


def parse_detail(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """Label/value metadata, body presence and attachments, by the shared label reader."""
    return parse_detail_page(text, url, options)


def _none_readable(bad: list[UnreadableRow], options: Mapping[str, str]) -> str:
    """`rows selector 'ul.list > li' selects 20 rows, none readable: date selector 'span.d'
    finds no date in 20 (…)`: which selector to look at."""
    reason, count = Counter(row.reason for row in bad).most_common(1)[0]
    name = next((n for n in _BLAME[reason] if options.get(n)), _BLAME[reason][-1])
    selector = f"{name} selector {options[name]!r}" if options.get(name) else _DEFAULTS[name]
    return (
        f"rows selector {options['rows']!r} selects {len(bad)} rows, none readable: "
        f"{reason} ×{count} ({selector} finds nothing usable); first: {bad[0].text!r}"
    )
