"""The records that leave the connectors: what one portal listing row says, and how a run went.

These dataclasses are the contract between the connectors and the rest of the project.
`flows` turns them into landing files; the warehouse never sees the classes, only the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

#: The metadata fields every family maps its labels to (docs/fields.md), in display order.
FIELDS: tuple[str, ...] = (
    "title",
    "index_no",
    "doc_no",
    "publisher_name",
    "published_date",
    "written_date",
    "topic",
    "function",
    "audience",
    "genre",
    "validity",
    "disclosure",
)


@dataclass(frozen=True)
class Request:
    """One HTTP request a crawl wants to make (a listing page, a data-proxy POST, a detail page)."""

    url: str
    method: str = "GET"
    data: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    #: What a family carries from one listing request to the next (gkmlpt: the categories
    #: still to walk); never sent. Part of the request's identity, so loops are still seen.
    carry: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listing:
    """One portal's listing of one item, normalized, as seen in one run (one landing row).

    Every metadata field sits next to its raw form (`*_raw`, the text exactly as the page
    printed it, or None when the page did not print it). Listing fields come from the
    listing row, overlaid by the detail page's fields when the detail page was fetched in
    this run (`detail_fetched`); a row whose detail page was not fetched carries the
    listing's fields only and the warehouse keeps the detail fields it had.

    A `detail` row (`row_kind`) is an owed detail page asked for again (connectors/detail_debt.py):
    it carries the detail page's fields only, and no listing position or hash.
    """

    portal_id: str
    item_key: str  # the platform's own item key (TRS t20120305_123, Hanweb art id), else the URL
    url: str  # canonical absolute URL of the item's detail page
    list_url: str | None  # the listing page (or data-proxy request) the row was on
    page_no: int | None  # 0-based listing page / group number
    row_no: int | None  # 0-based position on that page
    seen_at: datetime  # UTC, when the listing page (a detail row: the detail page) was fetched
    listing_hash: str | None  # sha256 of the row's raw listing fields; changes when the row changes
    title: str | None = None
    title_raw: str | None = None
    index_no: str | None = None
    index_no_raw: str | None = None
    doc_no: str | None = None
    doc_no_raw: str | None = None
    publisher_name: str | None = None
    publisher_name_raw: str | None = None
    published_date: date | None = None
    published_date_raw: str | None = None
    written_date: date | None = None
    written_date_raw: str | None = None
    topic: str | None = None
    topic_raw: str | None = None
    function: str | None = None
    function_raw: str | None = None
    audience: str | None = None
    audience_raw: str | None = None
    genre: str | None = None
    genre_raw: str | None = None
    validity: str | None = None
    validity_raw: str | None = None
    disclosure: str | None = None  # None when the portal does not say; the warehouse defaults it
    disclosure_raw: str | None = None
    flags: str | None = None  # ';'-joined problems, e.g. "published_date:unparsed"
    detail_fetched: bool = False
    detail_sha256: str | None = None  # archive key of the detail page's body
    has_body: bool | None = None  # detail page had body text; None when not fetched
    n_attachments: int | None = None  # None when not fetched
    row_kind: str = "listing"  # listing | detail (an owed detail page, read on a later night)
    detail_attempted: bool = False  # the detail page was asked for in this run
    detail_error: str | None = None  # why a wanted detail page was not read (then it is owed)
    detail_gone: bool | None = None  # the detail page answered 404/410: gone, not owed


@dataclass
class RunSummary:
    """How one harvest of one portal went: what the run table and the operator see."""

    portal_id: str
    run_id: str
    mode: str  # full | incremental
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "ok"  # ok | partial | failed
    reason: str | None = None
    pages: int = 0
    rows: int = 0
    unreadable_rows: int = 0  # listing rows seen but not read (no link, date or title)
    advertised_total: int | None = None
    details_fetched: int = 0
    details_owed: int = 0  # detail pages still owed after the run (connectors/detail_debt.py)
    details_paid: int = 0  # owed detail pages read in this run
    details_given_up: int = 0  # owed detail pages past their last attempt
    details_gone: int = 0  # detail pages whose latest answer was 404/410 (dead links)
    requests: int = 0
    retries: int = 0
    bytes: int = 0
    complete: bool = False  # the whole listing was walked to its end (full mode, no failure)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FetchLogEntry:
    """One logical HTTP request as the client made it (all its attempts and redirect hops).

    Kept so any page can be found again in the archive (`sha256`) and a run can be audited:
    what was asked, what came back, how long it took and why it failed.
    """

    url: str  # the URL asked for
    method: str
    status: int | None  # last HTTP status seen; None when no response came
    bytes: int  # decoded body bytes (of the archived body on a 304; 0 on failure)
    elapsed: float  # seconds, all attempts and waits included
    attempts: int
    sha256: str | None  # archive key of the body
    encoding: str | None  # the codec the body was decoded with
    error: str | None  # why it failed; None on success
    fetched_at: datetime  # UTC, when the request finished
    final_url: str | None = None  # after same-host redirects
    not_modified: bool = False  # a 304: the body is the archived one
