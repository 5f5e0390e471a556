"""`xxgk portal test`: read one portal's first listing page and one detail page, write nothing.

What an operator runs when adding a portal: it shows which rows and fields the family's
parser finds, with the raw text next to the normalized value, or why it found none.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from connectors.errors import ConnectorError, LayoutChanged, NoRows
from connectors.families import FAMILIES
from connectors.families.checks import unreadable_summary
from connectors.families.recognise import hosts_seen
from connectors.families.selected import FIELD_OPTIONS, selector_options
from connectors.http import HttpClient, allowed_hosts
from connectors.http.hosts import vet_seen_hosts
from connectors.normalize import normalize_fields
from connectors.records import FIELDS, Request
from flows.config.model import Harvest, Portal
from flows.ui.render import clean, safe

LISTING_COLUMNS = ("title", "index_no", "doc_no", "publisher_name", "published_date")
#: The row column each row selector of the options reads into (field selectors: the field's).
_READ_INTO = {"title": "title_raw", "link": "url", "date": "published_date_raw"}


@dataclass
class Probe:
    """What one try of a portal read: listing rows, one detail page's fields, or the error."""

    portal_id: str
    platform: str
    list_url: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # normalized fields plus `url`, `item_key`
    page_count: int | None = None
    advertised_total: int | None = None
    category_total: int | None = None  # the count a category of a walk over several prints (gkmlpt)
    next_url: str | None = None
    detail_url: str | None = None
    detail: dict[str, Any] | None = None  # normalized fields of the detail page
    has_body: bool | None = None
    attachments: tuple[str, ...] = ()
    error: str | None = None
    hosts_seen: list[str] = field(default_factory=list)  # row hosts besides the entry URL's, vetted
    hosts_refused: list[str] = field(default_factory=list)  # row hosts refused (IP literals, internal)
    unreadable: str | None = None  # the first page's rows that could not be read, and why
    selectors: list[str] = field(default_factory=list)  # what each selector of the options read

    @property
    def ok(self) -> bool:
        """Rows were found and the detail page (when there was one to read) was read."""
        return self.error is None and bool(self.rows)


def probe_client(harvest: Harvest) -> HttpClient:
    """A client for a look at one portal: the config's politeness, no archive, two attempts."""
    return HttpClient(
        None,
        user_agent=harvest.user_agent,
        timeout=harvest.timeout,
        per_host_delay=harvest.per_host_delay,
        max_attempts=2,
    )


def probe_portal(portal: Portal, harvest: Harvest, *, adopt_hosts: bool = False) -> Probe:
    """Fetch and parse the portal's first listing page and its first row's detail page.

    Pages without rows by design (gkmlpt's index page) are followed to the first page with
    rows. With `adopt_hosts`, the hosts of the rows' links are allowed for the detail page
    (and listed in `hosts_seen`) unless refused (`vet_seen_hosts`: IP literals, internal
    addresses): what `portal probe` proposes, as a comment, for the entry's `hosts`.
    The client keeps no archive: a probe writes nothing.
    """
    family = FAMILIES[portal.platform]
    options = dict(portal.options)
    request = family.first_request(portal.url, options)
    probe = Probe(portal.id, portal.platform, request.url)
    allowed = allowed_hosts(portal.url, portal.hosts)
    with probe_client(harvest) as client:
        try:
            for _ in range(4):  # an index page, then at most a few empty categories
                page = client.fetch(request, allowed)
                listing = family.parse_listing(page.text, dataclasses.replace(request, url=page.final_url), options)
                if not (listing.passing and listing.next_request):
                    break
                request = listing.next_request
                probe.list_url = request.url
        except ConnectorError as exc:
            # the first listing page without any row is a changed layout, and says so
            kind = LayoutChanged if isinstance(exc, NoRows) else type(exc)
            probe.error = f"listing page: {kind.__name__}: {exc}"
            return probe
        probe.page_count, probe.advertised_total = listing.page_count, listing.advertised_total
        probe.category_total = listing.category_total
        probe.next_url = listing.next_request.url if listing.next_request else None
        bad = listing.unreadable_rows
        if bad:
            probe.unreadable = (
                f"{len(bad)} of {len(listing.rows) + len(bad)} rows unreadable: {unreadable_summary(bad)}"
            )
        probe.rows = [
            {"url": row.url, "item_key": row.item_key, **normalize_fields(row.fields, row.url)} for row in listing.rows
        ]
        probe.selectors = selectors_read(options, probe.rows, probe.next_url)
        if not listing.rows:
            probe.error = "listing page: no rows" + (f" ({probe.unreadable})" if probe.unreadable else "")
            return probe
        stranded = stranded_listing(listing.page_count, listing.advertised_total, len(listing.rows) + len(bad))
        if probe.next_url is None and stranded:
            probe.error = f"listing page: {stranded}"
            return probe
        probe.detail_url = listing.rows[0].url
        probe.hosts_seen, probe.hosts_refused = vet_seen_hosts(
            hosts_seen([row.url for row in listing.rows], portal.url), portal.url
        )
        if adopt_hosts:
            allowed = allowed_hosts(portal.url, [*portal.hosts, *probe.hosts_seen])
        try:
            detail_page = client.fetch(Request(url=probe.detail_url), allowed)
            detail = family.parse_detail(detail_page.text, detail_page.final_url, options)
        except ConnectorError as exc:
            probe.error = f"detail page: {type(exc).__name__}: {exc}"
            return probe
    probe.detail = normalize_fields(detail.fields)
    probe.has_body, probe.attachments = detail.has_body, tuple(detail.attachments)
    return probe


def stranded_listing(page_count: int | None, advertised: int | None, shown: int) -> str | None:
    """Why a first page with no next page cannot be the whole listing, or None: it prints
    more pages, or more items, than it shows (a pager of `href="#"` and script the reader
    cannot follow). A walk of it would stop after its first page."""
    if page_count is not None and page_count > 1:
        return f"the page says it is 1 of {page_count} pages, but no next page was found: {_HOW_TO_PAGE}"
    if advertised is not None and advertised > shown:
        return f"the page advertises {advertised} items and shows {shown}, but no next page was found: {_HOW_TO_PAGE}"
    return None


_HOW_TO_PAGE = (
    "its pager is one the reader cannot follow (links to `#` and a script); name its next-page link or "
    "its pages' URLs in [portal.options] (`next` or `pager`, platform generic)"
)


def selectors_read(options: dict[str, str], rows: list[dict[str, Any]], next_url: str | None) -> list[str]:
    """`date 'span': 25 of 25 rows (first '2026/08/27')`: what each CSS selector of the
    options read on the first listing page, so an operator sees which one misses."""
    lines = []
    for name, css in selector_options(options).items():
        if name == "rows":
            lines.append(f"rows {css!r}: {len(rows)} rows read")
        elif name == "next":
            lines.append(f"next {css!r}: {next_url or 'no next page'}")
        else:
            key = _READ_INTO.get(name) or f"{FIELD_OPTIONS[name]}_raw"
            found = [row[key] for row in rows if row.get(key)]
            first = f" (first {found[0]!r})" if found else ""
            lines.append(f"{name} {css!r}: {len(found)} of {len(rows)} rows{first}")
    if options.get("pager"):
        lines.append(f"pager {options['pager']!r}: {next_url or 'no next page'}")
    return lines


def print_probe(probe: Probe, console: Console, max_rows: int = 20) -> None:
    """The listing rows, then the detail page's fields (raw and normalized), then the verdict."""
    console.print(safe(f"{probe.portal_id} ({probe.platform}): {probe.list_url}", "bold"))
    if probe.rows:
        console.print(
            safe(
                f"{len(probe.rows)} rows on the first page; pages: {probe.page_count or '?'}; "
                f"advertised total: {probe.advertised_total or '?'}; next page: {probe.next_url or 'none'}"
                + (f"; this category's count: {probe.category_total}" if probe.category_total else "")
            )
        )
        for line in probe.selectors:
            console.print(safe(f"  {line}"))
        if probe.unreadable:
            console.print(safe(probe.unreadable, "yellow"))
        table = Table(title="listing rows", title_justify="left")
        for column in ("#", *LISTING_COLUMNS, "url"):
            table.add_column(column, overflow="fold")
        for number, row in enumerate(probe.rows[:max_rows]):
            table.add_row(safe(number), *(safe(row.get(c) or "") for c in LISTING_COLUMNS), safe(row["url"]))
        console.print(table)
    if probe.detail is not None:
        table = Table(title=f"detail page {clean(probe.detail_url)}", title_justify="left")
        for column in ("field", "as printed", "normalized"):
            table.add_column(column, overflow="fold")
        for name in FIELDS:
            table.add_row(safe(name), safe(probe.detail.get(f"{name}_raw") or ""), safe(probe.detail.get(name) or ""))
        console.print(table)
        console.print(safe(f"body text: {'yes' if probe.has_body else 'no'}; attachments: {len(probe.attachments)}"))
        if probe.detail.get("flags"):
            console.print(safe(f"flags: {probe.detail['flags']}", "yellow"))
    if probe.error:
        console.print(safe(probe.error, "bold red"))
    else:
        console.print(safe("ok: rows and detail fields found", "green"))
