"""The crawl of one portal: walk its listing pages newest first, yield normalized listings.

A crawl never raises for a portal's problems: it records them on its `RunSummary` (status
ok | partial | failed, with a reason a person can act on) and ends. Failure is loud, never
empty: no rows where rows were expected, a challenge page, a layout the parser no longer
recognises, unsafe XML, a pagination loop or a listing that falls short of the total the
portal advertises all say so in the summary, so "ok, 0 new" always means what it says.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from connectors.errors import (
    ChallengePage,
    ConnectorError,
    FetchError,
    LayoutChanged,
    NoRows,
    PageError,
    StubPage,
    UnsafeXml,
)
from connectors.families import FAMILIES
from connectors.http import HttpClient, Page, allowed_hosts
from connectors.normalize import is_empty_value, normalize_fields
from connectors.records import FetchLogEntry, Listing, Request, RunSummary

MODES = ("full", "incremental")
DETAIL_POLICIES = ("new", "always", "never")
#: A full listing may miss this share of the advertised total before the run is partial.
SHORTFALL_TOLERANCE = 0.02
#: After this many detail pages in a row fail, the rest are not asked for (the portal is
#: refusing them; asking thousands more times helps nobody).
MAX_DETAIL_FAILURES_IN_A_ROW = 10
#: A hard stop for listings that never end (each page new, so no loop is seen).
MAX_PAGES = 20_000
#: The summary keeps this many error lines; the rest are counted.
MAX_ERRORS = 50
_SEVERITY = {"ok": 0, "partial": 1, "failed": 2}


@dataclass(frozen=True)
class PortalTarget:
    """What the crawl needs to know of a configured portal."""

    portal_id: str
    platform: str  # a key of connectors.families.FAMILIES
    url: str  # the entry listing page
    details: str = "new"  # new | always | never (xxgk.example.toml)
    options: Mapping[str, Any] = field(default_factory=dict)
    hosts: tuple[str, ...] = ()  # hosts besides the entry URL's that the portal may use


def family_for(platform: str) -> ModuleType:
    """The family module that reads `platform`'s pages; KeyError when there is none."""
    return FAMILIES[platform]


def listing_hash(fields: Mapping[str, str]) -> str:
    """sha256 of a row's raw listing fields as sorted JSON: changes when the row changes."""
    canonical = json.dumps(dict(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def crawl(
    target: PortalTarget,
    client: HttpClient,
    *,
    mode: str = "full",
    known: Mapping[str, str] | None = None,
    run_id: str,
    parser: Executor | None = None,
) -> Crawl:
    """A crawl of `target` (iterate it once for its `Listing`s; then read `.summary`).

    `known` maps the item keys seen before to their listing hashes: it decides which rows
    are new or changed (their detail pages are fetched under the `new` policy) and, in
    incremental mode, where the walk stops. `parser` (a process pool, say) parses the pages
    off this thread: parsing is pure CPU and would otherwise hold the GIL that the other
    portals' crawls need for their requests.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if target.details not in DETAIL_POLICIES:
        raise ValueError(f"portal {target.portal_id}: details must be one of "
                         f"{DETAIL_POLICIES}, not {target.details!r}")
    return Crawl(target, client, mode, dict(known or {}), run_id, parser)


def _ends_the_data(exc: PageError, page_no: int) -> bool:
    """A stub, or a page without rows, past page 0: where the pager ran beyond the data
    (docs/reliability.md), an end of the walk and not a fault of the portal."""
    return isinstance(exc, StubPage | NoRows) and page_no > 0


class Crawl:
    """One walk of one portal. Iterable once; `.summary` is final when iteration ends,
    `.fetches` holds the fetch log of every request it made."""

    def __init__(self, target: PortalTarget, client: HttpClient, mode: str,
                 known: dict[str, str], run_id: str, parser: Executor | None = None) -> None:
        self.target = target
        self.parser = parser
        self.client = client
        self.mode = mode
        self.known = known
        self.summary = RunSummary(portal_id=target.portal_id, run_id=run_id, mode=mode,
                                  started_at=datetime.now(UTC))
        self.fetches: list[FetchLogEntry] = []
        #: The exception that ended the walk early, if one did (the summary has its reason);
        #: lets a caller tell a transient failure (network, 5xx) from a page problem.
        self.error: Exception | None = None
        self._iterated = False
        self._seen_keys: set[str] = set()
        self._detail_failures = 0
        self._detail_failures_in_a_row = 0
        self._details_off: str | None = None
        self._errors_dropped = 0

    def __iter__(self) -> Iterator[Listing]:
        if self._iterated:
            raise RuntimeError("a crawl can be iterated only once")
        self._iterated = True
        return self._walk()

    # -- the walk -----------------------------------------------------------------------

    def _walk(self) -> Iterator[Listing]:
        """Walk the listing, recording every way it ends on the summary."""
        self.summary.started_at = datetime.now(UTC)
        try:
            family = self._family()
            if family is not None:
                self._allowed = allowed_hosts(self.target.url, self.target.hosts)
                yield from self._pages(family)
        except GeneratorExit:
            self._degrade("partial", f"stopped by the consumer at page {self.summary.pages}")
            raise
        except ConnectorError as exc:  # a bad entry URL (not http, foreign) and the like
            self.error = exc
            self._degrade("failed", f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a parser tripped on hostile input: loud
            self.error = exc
            self._degrade("failed", f"unexpected {type(exc).__name__} after "
                                    f"{self.summary.pages} listing pages: {exc}")
        finally:
            self._close()

    def _family(self) -> ModuleType | None:
        """The target's family module; None (run failed) when the platform is unknown."""
        try:
            return family_for(self.target.platform)
        except KeyError:
            self._degrade("failed", f"unknown platform {self.target.platform!r}")
            return None

    def _pages(self, family: ModuleType) -> Iterator[Listing]:
        """Fetch and parse listing pages until an end, a stop rule or a failure."""
        options = self.target.options
        request: Request | None = family.first_request(self.target.url, options)
        requested: dict[Request, int] = {}
        page_rows: dict[tuple[tuple[str, str], ...], int] = {}
        page_no = 0
        while request is not None:
            if page_no >= MAX_PAGES:
                self._degrade("partial", f"stopped after {MAX_PAGES} listing pages")
                return
            if request in requested:
                self._degrade("partial", f"pagination loop at page {page_no}: its request "
                                         f"repeats page {requested[request]} ({request.url})")
                return
            requested[request] = page_no
            read = self._read_listing(family, request, page_no)
            if read is None:
                return
            fetched, listing = read
            hashes = [listing_hash(row.fields) for row in listing.rows]
            signature = tuple((row.item_key, h) for row, h in zip(listing.rows, hashes,
                                                                  strict=True))
            if signature in page_rows:
                self._degrade("partial", f"pagination loop at page {page_no}: same rows as "
                                         f"page {page_rows[signature]}")
                return
            page_rows[signature] = page_no
            self.summary.pages += 1
            if self.summary.advertised_total is None:
                self.summary.advertised_total = listing.advertised_total
            yield from self._rows(family, listing, hashes, request, fetched, page_no)
            if self.mode == "incremental" and all(
                    self.known.get(row.item_key) == h
                    for row, h in zip(listing.rows, hashes, strict=True)):
                # The whole page is known and unchanged: everything older is too.
                self.summary.reason = (f"incremental: page {page_no} holds only known, "
                                       "unchanged rows")
                return
            request = listing.next_request
            page_no += 1
        self._natural_end(page_no)

    def _parse(self, parse: Callable[..., Any], *args: Any) -> Any:
        """`parse(*args)`, in the parser pool when there is one; its errors raise here."""
        if self.parser is None:
            return parse(*args)
        return self.parser.submit(parse, *args).result()

    def _read_listing(self, family: ModuleType, request: Request,
                      page_no: int) -> tuple[Page, Any] | None:
        """Fetch and parse one listing page; None (and the reason recorded) when it ends the
        walk. A page with no rows is an end too, so a parser's contract slip is still loud."""
        where = f"page {page_no}"
        try:
            fetched = self.client.fetch(request, self._allowed, log=self.fetches)
        except FetchError as exc:
            self.error = exc
            status = "failed" if page_no == 0 else "partial"
            self._degrade(status, f"listing {where} failed: {exc}")
            return None
        if fetched.final_url != request.url:
            # Links on a page resolve against where it was served from, after redirects.
            request = replace(request, url=fetched.final_url)
        try:
            listing = self._parse(family.parse_listing, fetched.text, request, self.target.options)
        except PageError as exc:
            if not _ends_the_data(exc, page_no):
                self.error = exc
            self._page_problem(exc, page_no)
            return None
        if not listing.rows:
            if page_no > 0 and listing.next_request is None:
                # An API that signals its end with an empty page (ssp `datas: []`).
                self._natural_end(page_no)
            else:
                self._stub_end(page_no, "no rows")
            return None
        return fetched, listing

    def _page_problem(self, exc: PageError, page_no: int) -> None:
        """Record what a listing page the family could not read means for the run."""
        where = f"listing page {page_no}"
        if isinstance(exc, StubPage) or _ends_the_data(exc, page_no):
            self._stub_end(page_no, str(exc))
        elif isinstance(exc, ChallengePage):
            self._degrade("failed", f"challenge page (安全验证) at {where}: {exc}")
        elif isinstance(exc, LayoutChanged):
            self._degrade("failed", f"layout changed at {where}: {exc}")
        elif isinstance(exc, UnsafeXml):
            self._degrade("failed", f"unsafe XML at {where}: {exc}")
        else:
            self._degrade("failed", f"unreadable {where}: {exc}")

    def _rows(self, family: ModuleType, listing: Any, hashes: list[str], request: Request,
              fetched: Page, page_no: int) -> Iterator[Listing]:
        """The page's rows as Listings, each once per crawl, details fetched by policy."""
        for row_no, (row, row_hash) in enumerate(zip(listing.rows, hashes, strict=True)):
            if row.item_key in self._seen_keys:
                # Rows shift down while we walk when new items arrive: seen already.
                continue
            self._seen_keys.add(row.item_key)
            unchanged = self.known.get(row.item_key) == row_hash
            self.summary.rows += 1
            yield self._listing(family, row, row_hash, unchanged, request, fetched, page_no,
                                row_no)

    def _listing(self, family: ModuleType, row: Any, row_hash: str, unchanged: bool,
                 request: Request, fetched: Page, page_no: int, row_no: int) -> Listing:
        """One row as a normalized Listing, overlaid by its detail page when fetched."""
        raw = dict(row.fields)
        detail_facts: dict[str, Any] = {}
        if self._wants_detail(unchanged):
            detail = self._read_detail(family, row.url)
            if detail is not None:
                page, parsed = detail
                for name, value in parsed.fields.items():
                    if not is_empty_value(value):
                        raw[name] = value
                detail_facts = {
                    "detail_fetched": True,
                    "detail_sha256": page.sha256,
                    "has_body": parsed.has_body,
                    "n_attachments": len(parsed.attachments),
                }
        return Listing(
            portal_id=self.target.portal_id, item_key=row.item_key, url=row.url,
            list_url=request.url, page_no=page_no, row_no=row_no, seen_at=fetched.fetched_at,
            listing_hash=row_hash, **normalize_fields(raw), **detail_facts,
        )

    # -- detail pages -------------------------------------------------------------------

    def _wants_detail(self, unchanged: bool) -> bool:
        """Whether this row's detail page is to be fetched under the portal's policy."""
        if self._details_off is not None or self.target.details == "never":
            return False
        return self.target.details == "always" or not unchanged

    def _read_detail(self, family: ModuleType, url: str) -> tuple[Page, Any] | None:
        """Fetch and parse one detail page; None (error recorded) when that fails."""
        try:
            page = self.client.fetch(Request(url), self._allowed, log=self.fetches)
            parsed = self._parse(family.parse_detail, page.text, page.final_url, self.target.options)
        except Exception as exc:  # noqa: BLE001 - one bad detail page must not end the walk
            self._detail_failed(url, exc)
            return None
        self._detail_failures_in_a_row = 0
        self.summary.details_fetched += 1
        return page, parsed

    def _detail_failed(self, url: str, exc: Exception) -> None:
        """Record a failed detail page; stop asking for more when the portal keeps refusing."""
        self._detail_failures += 1
        self._detail_failures_in_a_row += 1
        self._error(f"detail {url}: {type(exc).__name__}: {exc}")
        if isinstance(exc, ChallengePage):
            self._details_off = "a detail page was a challenge page (安全验证)"
        elif self._detail_failures_in_a_row >= MAX_DETAIL_FAILURES_IN_A_ROW:
            self._details_off = f"{MAX_DETAIL_FAILURES_IN_A_ROW} detail pages failed in a row"

    # -- how the walk ended -------------------------------------------------------------

    def _stub_end(self, page_no: int, why: str) -> None:
        """A stub (or empty) page: on page 0 a failure, later the end of usable data."""
        if page_no == 0:
            had = f"; the portal had {len(self.known)} known items" if self.known else ""
            self._degrade("failed", f"no rows on listing page 0 ({why}){had}")
            return
        reason = f"stub page at page {page_no}: end of usable data ({why})"
        missing = self._missing()
        if missing:
            self._degrade("partial", f"{reason}; {self._shortfall_text()}")
        else:
            self.summary.reason = reason
            self._maybe_complete(self.summary.advertised_total is not None)

    def _natural_end(self, pages: int) -> None:
        """The listing's last page was read: check the count against the advertised total."""
        total = self.summary.advertised_total
        if (self.mode == "full" and total is not None
                and self._missing() > total * SHORTFALL_TOLERANCE):
            self._degrade("partial", f"full listing ended after {pages} pages: "
                                     f"{self._shortfall_text()}")
            return
        self._maybe_complete(True)

    def _missing(self) -> int:
        """How many advertised items the walk has not seen (0 when no total is advertised)."""
        total = self.summary.advertised_total
        return max(0, total - len(self._seen_keys)) if total is not None else 0

    def _shortfall_text(self) -> str:
        """How the items seen compare with the advertised total, for a reason."""
        total = self.summary.advertised_total
        return (f"{len(self._seen_keys)} of {total} advertised items seen "
                f"({self._missing()} missing)")

    def _maybe_complete(self, reached_end: bool) -> None:
        """A full walk that reached the listing's end is complete (if nothing else failed)."""
        self.summary.complete = self.mode == "full" and reached_end

    def _degrade(self, status: str, reason: str) -> None:
        """Lower the run's status to `status` (never raise it); the worst reason is kept."""
        if _SEVERITY[status] > _SEVERITY[self.summary.status]:
            self.summary.status = status
            self.summary.reason = reason
        elif self.summary.reason is None:
            self.summary.reason = reason
        self._error(reason)

    def _error(self, line: str) -> None:
        """Keep an error line on the summary, up to MAX_ERRORS of them."""
        if len(self.summary.errors) < MAX_ERRORS:
            self.summary.errors.append(line)
        else:
            self._errors_dropped += 1

    def _close(self) -> None:
        """Fill the summary's totals and settle its status once the walk has ended."""
        summary = self.summary
        if self._detail_failures:
            note = f"{self._detail_failures} detail page(s) failed"
            if self._details_off:
                note += f"; detail pages not fetched after {self._details_off}"
            self._degrade("partial", note)
        if self._errors_dropped:
            summary.errors.append(f"… and {self._errors_dropped} more errors")
        summary.complete = summary.complete and summary.status == "ok"
        summary.requests = len(self.fetches)
        summary.retries = sum(max(0, entry.attempts - 1) for entry in self.fetches)
        # Bytes received: a 304's body came from the archive, not over the wire.
        summary.bytes = sum(entry.bytes for entry in self.fetches if not entry.not_modified)
        summary.finished_at = datetime.now(UTC)
