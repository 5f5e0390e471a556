"""The crawl of one portal: walk its listing pages newest first, yield normalized listings.

A crawl never raises for a portal's problems: it records them on its `RunSummary` (status
ok | partial | failed, with a reason a person can act on) and ends. Failure is loud, never
empty: no rows where rows were expected, a challenge page, a layout the parser no longer
recognises, unsafe XML, a pagination loop or a listing that falls short of the total the
portal advertises all say so in the summary, so "ok, 0 new" always means what it says.
The rules that stop a walk and the reasons they record are `connectors/stop_rules.py`'s.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from connectors.dates import NO_YEAR
from connectors.detail_debt import DebtBook, DebtPolicy, OwedDetail
from connectors.details import DetailReader
from connectors.errors import ConnectorError, FetchError, PageError
from connectors.families import FAMILIES
from connectors.families.base import UnreadableRow, unreadable_row
from connectors.families.checks import MAX_UNREADABLE_SHARE, check_unreadable_share, unreadable_summary
from connectors.http import HttpClient, Page, allowed_hosts
from connectors.normalize import normalize_fields, parse_date
from connectors.parse_pool import Parser, parse_page
from connectors.records import FetchLogEntry, Listing, Request, RunSummary
from connectors.run_status import RunLedger
from connectors.stop_rules import LoopGuard, ends_the_data, record_page_problem

MODES = ("full", "incremental")
DETAIL_POLICIES = ("new", "always", "never")


@dataclass(frozen=True)
class PortalTarget:
    """What the crawl needs to know of a configured portal."""

    portal_id: str
    platform: str  # a key of connectors.families.FAMILIES
    url: str  # the entry listing page
    details: str = "new"  # new | always | never (xxgk.example.toml)
    options: Mapping[str, Any] = field(default_factory=dict)
    hosts: tuple[str, ...] = ()  # hosts besides the entry URL's that the portal may use
    #: the share of a listing page's rows that may be unreadable before the run fails as a
    #: changed layout (`[harvest] max_unreadable_share`)
    max_unreadable_share: float = MAX_UNREADABLE_SHARE


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
    parser: Parser | Executor | None = None,
    owed: Mapping[str, OwedDetail] | None = None,
    debt: DebtPolicy | None = None,
) -> Crawl:
    """A crawl of `target` (iterate it once for its `Listing`s; then read `.summary`).

    `known` maps the item keys seen before to their listing hashes: it decides which rows
    are new or changed (their detail pages are fetched under the `new` policy) and, in
    incremental mode, where the walk stops. `parser` (a `ParsePool`, say) parses the pages
    off this thread, each under the parse deadline: parsing is pure CPU and would otherwise
    hold the GIL that the other portals' crawls need for their requests. `owed` are the
    detail pages still owed from earlier nights; after the walk, those due are asked for
    again under `debt` (tonight's date and budget; connectors/detail_debt.py; by default the
    client's clock's date and its per-host delay).
    The run's `started_at` and `finished_at` are read from the client's clock
    (`HttpClient.clock`), as the pages' `fetched_at` are.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if target.details not in DETAIL_POLICIES:
        raise ValueError(f"portal {target.portal_id}: details must be one of {DETAIL_POLICIES}, not {target.details!r}")
    night = client.clock().astimezone(UTC).date()
    book = DebtBook(dict(owed or {}), debt or DebtPolicy(night, per_host_delay=client.per_host_delay))
    return Crawl(target, client, mode, dict(known or {}), run_id, parser, book)


class Crawl:
    """One walk of one portal. Iterable once; `.summary` is final when iteration ends,
    `.fetches` holds the fetch log of every request it made."""

    def __init__(
        self,
        target: PortalTarget,
        client: HttpClient,
        mode: str,
        known: dict[str, str],
        run_id: str,
        parser: Parser | Executor | None,
        book: DebtBook,
    ) -> None:
        self.target = target
        self.parser = parser
        self.client = client
        self.mode = mode
        self.known = known
        self.clock: Callable[[], datetime] = client.clock
        self.summary = RunSummary(portal_id=target.portal_id, run_id=run_id, mode=mode, started_at=self.clock())
        self.fetches: list[FetchLogEntry] = []
        #: The exception that ended the walk early, if one did (the summary has its reason);
        #: lets a caller tell a transient failure (network, 5xx) from a page problem.
        self.error: Exception | None = None
        self._iterated = False
        self._ledger = RunLedger(self.summary, len(known), self.clock)
        self._book = book
        self._details = DetailReader(
            target.details, target.options, self._ledger, self._fetch, self._parse, self._book, self.clock
        )
        self._allowed: frozenset[str] | None = None

    def __iter__(self) -> Iterator[Listing]:
        if self._iterated:
            raise RuntimeError("a crawl can be iterated only once")
        self._iterated = True
        return self._walk()

    # -- the walk -----------------------------------------------------------------------

    def _walk(self) -> Iterator[Listing]:
        """Walk the listing, recording every way it ends on the summary."""
        self.summary.started_at = self.clock()
        try:
            family = self._family()
            if family is not None:
                self._allowed = self.client.hold(allowed_hosts(self.target.url, self.target.hosts))
                yield from self._pages(family)
                if self.summary.status != "failed":
                    yield from self._details.repay(family, self.target.portal_id, set(self._book.outcomes))
        except GeneratorExit:
            self._ledger.degrade("partial", f"stopped by the consumer at page {self.summary.pages}")
            raise
        except ConnectorError as exc:  # a bad entry URL (not http, foreign) and the like
            self.error = exc.with_traceback(None)  # its frames would hold this crawl
            self._ledger.degrade("failed", f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a parser tripped on hostile input: loud
            self.error = exc.with_traceback(None)  # its frames would hold this crawl
            self._ledger.degrade(
                "failed", f"unexpected {type(exc).__name__} after {self.summary.pages} listing pages: {exc}"
            )
        finally:
            self._ledger.close(self.fetches, self._details.settle())
            self.client.release(self._allowed)  # its hosts' sessions, unless others use them

    def _family(self) -> ModuleType | None:
        """The target's family module; None (run failed) when the platform is unknown."""
        try:
            return family_for(self.target.platform)
        except KeyError:
            self._ledger.degrade("failed", f"unknown platform {self.target.platform!r}")
            return None

    def _pages(self, family: ModuleType) -> Iterator[Listing]:
        """Fetch and parse listing pages until an end, a stop rule or a failure."""
        request: Request | None = family.first_request(self.target.url, self.target.options)
        guard = LoopGuard(self._ledger)
        page_no = 0
        while request is not None:
            if guard.stops_before(request, page_no):
                return
            read = self._read_listing(family, request, page_no)
            if read is None:
                return
            fetched, listing = read
            if listing.passing:  # no rows by design: only where the rows are
                request = listing.next_request
                continue
            hashes = [listing_hash(row.fields) for row in listing.rows]
            looped = guard.repeats_rows(listing, hashes, page_no, request.carry)
            if not looped:
                self._ledger.page_read(listing, request.carry)
                yield from self._rows(family, listing, hashes, request, fetched, page_no)
            # A loop (recorded) or a page of known rows ends its category: a walk over several
            # goes on with the next one; a listing of one ends.
            if looped or self._all_known(listing, hashes, page_no):
                if listing.resume is None:
                    return
                request = listing.resume
            else:
                request = listing.next_request
            page_no += 1
        self._ledger.natural_end(page_no)

    def _all_known(self, listing: Any, hashes: list[str], page_no: int) -> bool:
        """In incremental mode, a page of only known, unchanged rows: everything older is too."""
        if self.mode != "incremental" or not all(
            self.known.get(row.item_key) == h for row, h in zip(listing.rows, hashes, strict=True)
        ):
            return False
        self.summary.reason = f"incremental: page {page_no} holds only known, unchanged rows"
        return True

    def _fetch(self, request: Request, attempts: int | None = None) -> Page:
        """`request` within the portal's hosts, logged on the crawl's fetch log; `attempts`
        caps the client's attempts (detail pages get one quick retry)."""
        return self.client.fetch(request, self._allowed, log=self.fetches, attempts=attempts)

    def _parse(self, parse: Callable[..., Any], text: str, where: Request | str, options: Any) -> Any:
        """`parse(text, where, options)` by the crawl's parser, under the parse deadline; its
        errors raise here (`ParseDeadline` past the deadline)."""
        url = where.url if isinstance(where, Request) else where
        return parse_page(self.parser, url, parse, text, where, options)

    def _read_listing(self, family: ModuleType, request: Request, page_no: int) -> tuple[Page, Any] | None:
        """Fetch and parse one listing page; None (and the reason recorded) when it ends the
        walk. A page with no rows is an end too, so a parser's contract slip is still loud."""
        try:
            fetched = self._fetch(request)
        except FetchError as exc:
            self.error = exc.with_traceback(None)  # its frames would hold this crawl
            status = "failed" if page_no == 0 else "partial"
            self._ledger.degrade(status, f"listing page {page_no} failed: {exc}")
            return None
        if fetched.final_url != request.url:
            # Links on a page resolve against where it was served from, after redirects.
            request = replace(request, url=fetched.final_url)
        try:
            listing = self._parse(family.parse_listing, fetched.text, request, self.target.options)
            self._count_unreadable(request.url, page_no, len(listing.rows), listing.unreadable_rows)
        except PageError as exc:
            if not ends_the_data(exc, page_no):
                self.error = exc.with_traceback(None)  # its frames would hold this crawl
            record_page_problem(self._ledger, exc, page_no, request.carry)
            return None
        if not listing.rows and not listing.passing:
            if page_no > 0 and listing.next_request is None:
                # An API that signals its end with an empty page (ssp `datas: []`).
                self._ledger.natural_end(page_no)
            else:
                self._ledger.stub_end(page_no, "no rows", request.carry)
            return None
        return fetched, listing

    def _count_unreadable(self, url: str, page_no: int, rows: int, bad: Sequence, before: Sequence = ()) -> None:
        """Count `bad` rows of page `page_no` (beside `rows` read) on the run; `LayoutChanged`
        when they and `before` (rows of the page counted already) are more than the share the
        portal allows (docs/reliability.md, "Rows that cannot be read")."""
        if bad:
            self._ledger.unreadable_rows(page_no, rows, unreadable_summary(bad), len(bad))
            check_unreadable_share(url, rows, [*before, *bad], self.target.max_unreadable_share)

    def _rows(
        self, family: ModuleType, listing: Any, hashes: list[str], request: Request, fetched: Page, page_no: int
    ) -> Iterator[Listing]:
        """The page's rows as Listings, each once per crawl, details fetched by policy. A date
        printed without a year takes it from the row's link, else from its detail page (asked
        for even when the row is known); a row given neither is unreadable (`NO_YEAR`)."""
        seen = self._ledger.seen_keys
        yearless: list[UnreadableRow] = []
        for row_no, (row, row_hash) in enumerate(zip(listing.rows, hashes, strict=True)):
            if row.item_key in seen:
                # Rows shift down while we walk when new items arrive: seen already.
                continue
            raw = dict(row.fields)
            # a row whose list date has no year reads its detail page even when unchanged:
            # the year may be there (docs/fields.md, "Dates without a year")
            needs_detail = parse_date(raw.get("published_date"), row.url)[1] == NO_YEAR
            known_hash = None if needs_detail else self.known.get(row.item_key)
            facts = self._details.overlay(family, row.item_key, row.url, row_hash, known_hash, raw)
            fields = normalize_fields(raw, row.url)
            if f"published_date:{NO_YEAR}" in (fields["flags"] or ""):
                yearless.append(unreadable_row(NO_YEAR, raw.get("title") or row.url))
                continue
            seen.add(row.item_key)
            self.summary.rows += 1
            yield Listing(
                portal_id=self.target.portal_id,
                item_key=row.item_key,
                url=row.url,
                list_url=request.url,
                page_no=page_no,
                row_no=row_no,
                seen_at=fetched.fetched_at,
                listing_hash=row_hash,
                **fields,
                **facts,
            )
        read = len(listing.rows) - len(yearless)
        self._count_unreadable(request.url, page_no, read, yearless, listing.unreadable_rows)
