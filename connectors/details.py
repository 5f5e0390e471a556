"""The detail pages of a crawl: which are fetched under the portal's policy, what they add to
a row, and when to stop asking a portal that keeps failing them.

One bad detail page never ends the walk, and never makes the run partial: its failure is
an error line on the run, and the page is owed (connectors/detail_debt.py) and asked for again on
a later night. A page answering 404 or 410 is a dead link, not a failure: it is *gone*. A
circuit breaker stops asking a portal whose server keeps failing for the rest of the night
(docs/reliability.md, "Detail debt").
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from types import ModuleType
from typing import Any

from connectors.detail_debt import FAILED, GONE, NOT_ASKED, READ, DebtBook
from connectors.errors import ChallengePage, FetchError, ForeignHostError, ParseDeadline, ResponseTooLarge
from connectors.http import Page
from connectors.normalize import is_empty_value, normalize_fields
from connectors.records import Listing, Request
from connectors.run_status import RunLedger

#: The breaker opens after this many detail pages in a row failed ...
MAX_DETAIL_FAILURES_IN_A_ROW = 5
#: ... or when more than half of the last WINDOW detail requests failed.
WINDOW, MAX_FAILURE_SHARE = 10, 0.5
#: A detail page gets one quick retry at most (listing pages keep the client's retries).
DETAIL_ATTEMPTS = 2
#: The statuses of a dead link: the page is gone, the server is fine.
GONE_STATUSES = (404, 410)


def is_gone(exc: Exception) -> bool:
    """A detail request the portal answered with 404 or 410."""
    return type(exc) is FetchError and exc.status in GONE_STATUSES


def is_server_failure(exc: Exception) -> bool:
    """A failure that says the portal is failing or refusing us, which the circuit breaker
    counts: no answer (refused, reset, timed out, cut short), a 5xx or a 429 after the
    retries, a challenge page, or a parse past its deadline (which costs the night like a
    timeout). A dead link, another 4xx, an unreadable page or a link off the portal's hosts
    is a failure of that page alone."""
    if isinstance(exc, ChallengePage | ParseDeadline):
        return True
    if not isinstance(exc, FetchError) or isinstance(exc, ForeignHostError | ResponseTooLarge):
        return False
    return exc.status is None or exc.status >= 500 or exc.status == 429


class CircuitBreaker:
    """Counts one portal's detail requests tonight and opens when its server keeps failing
    (`is_server_failure`; a gone page or another page's own failure is neither a success nor
    a failure here)."""

    def __init__(self) -> None:
        self.failures = 0
        self.in_a_row = 0
        self.recent: deque[bool] = deque(maxlen=WINDOW)  # True: the request failed
        self.open_because: str | None = None

    def success(self) -> None:
        self.in_a_row = 0
        self.recent.append(False)

    def failure(self, exc: Exception) -> None:
        self.failures += 1
        self.in_a_row += 1
        self.recent.append(True)
        if self.open_because is not None:
            return
        if isinstance(exc, ChallengePage):
            self.open_because = "a detail page was a challenge page (安全验证)"
        elif self.in_a_row >= MAX_DETAIL_FAILURES_IN_A_ROW:
            self.open_because = f"{self.in_a_row} failures in a row"
        elif len(self.recent) == WINDOW and sum(self.recent) > WINDOW * MAX_FAILURE_SHARE:
            self.open_because = f"{sum(self.recent)} failures in the last {WINDOW} requests"


class DetailReader:
    """Fetches and parses detail pages for one crawl under its `details` policy.

    `fetch` makes a request (within the portal's hosts, logged; its second argument the
    attempts allowed); `parse` runs a parser (in the crawl's parser pool, when it has one);
    `clock` dates the rows of pages asked for again that were not read (the client's clock,
    as a read page is dated by its fetch). What becomes of each wanted page is written in
    `book`.
    """

    def __init__(
        self,
        policy: str,
        options: Any,
        ledger: RunLedger,
        fetch: Callable[[Request, int], Page],
        parse: Callable[..., Any],
        book: DebtBook,
        clock: Callable[[], datetime],
    ) -> None:
        self.policy = policy
        self.options = options
        self.ledger = ledger
        self.fetch = fetch
        self.parse = parse
        self.book = book
        self.clock = clock
        self.breaker = CircuitBreaker()
        self.failed = 0  # detail pages that failed tonight, whatever the failure
        self.gone = 0  # detail pages that answered 404/410 tonight

    @property
    def closed(self) -> bool:
        """Detail pages may still be asked for tonight."""
        return self.breaker.open_because is None

    def overlay(
        self,
        family: ModuleType,
        item_key: str,
        url: str,
        row_hash: str,
        known_hash: str | None,
        raw: dict[str, str],
    ) -> dict[str, Any]:
        """Read a row's detail page when the policy wants it and the page does not rest (given
        up or gone, its row unchanged: `DebtBook.rests`): its non-empty fields overwrite `raw`
        (in place); returns the detail facts of the row's Listing ({} when not asked)."""
        if self.policy == "never" or (self.policy == "new" and row_hash == known_hash):
            return {}
        if self.book.rests(item_key, row_hash, known_hash):
            return {}
        if not self.closed:
            self.book.record(item_key, NOT_ASKED)
            return {"detail_error": f"not asked: {self.breaker.open_because}"}
        detail = self.read(family, item_key, url)
        if isinstance(detail, str):
            return {
                "detail_attempted": True,
                "detail_error": detail,
                "detail_gone": self.book.outcomes[item_key] == GONE,
            }
        page, parsed = detail
        for name, value in parsed.fields.items():
            if not is_empty_value(value):
                raw[name] = value
        return {
            "detail_fetched": True,
            "detail_attempted": True,
            "detail_sha256": page.sha256,
            "has_body": parsed.has_body,
            "n_attachments": len(parsed.attachments),
        }

    def read(self, family: ModuleType, item_key: str, url: str) -> tuple[Page, Any] | str:
        """Fetch and parse one detail page; the error (recorded) as text when that fails."""
        try:
            page = self.fetch(Request(url), DETAIL_ATTEMPTS)
            parsed = self.parse(family.parse_detail, page.text, page.final_url, self.options)
        except Exception as exc:  # noqa: BLE001 - one bad detail page must not end the walk
            return self._failed(item_key, url, exc)
        self.breaker.success()
        self.book.record(item_key, READ)
        self.ledger.summary.details_fetched += 1
        return page, parsed

    def _failed(self, item_key: str, url: str, exc: Exception) -> str:
        """Record a detail page that was not read: gone (404/410), or failed (counted by the
        breaker when the server failed); its error as text."""
        error = f"{type(exc).__name__}: {exc}"
        if is_gone(exc):
            self.gone += 1
            self.book.record(item_key, GONE)
            self.ledger.error(f"detail {url}: gone: {error}")
            return error
        self.failed += 1
        if is_server_failure(exc):
            self.breaker.failure(exc)
        self.book.record(item_key, FAILED)
        self.ledger.error(f"detail {url}: {error}")
        return error

    def settle(self) -> str | None:
        """Put the debt's counts on the summary; return what it says of the detail pages not
        read tonight (None when every page asked for was read). The reader's last word: it
        lets go of the crawl's methods, so the crawl is freed when its caller is done with it,
        not at the next full collection (a night of thousands of portals kept every crawl's
        fetch log until then)."""
        self.fetch = self.parse = _settled
        summary = self.ledger.summary
        owed, summary.details_paid, summary.details_given_up, summary.details_gone = self.book.counts()
        summary.details_owed = owed
        notes = []
        if self.breaker.open_because:
            notes.append(
                f"detail pages failing: circuit open after {self.breaker.failures} "
                f"failures ({self.breaker.open_because}); {owed} left owed"
            )
        elif self.failed:
            notes.append(f"{self.failed} detail page(s) failed; {owed} owed")
        if self.gone:
            notes.append(f"{self.gone} detail page(s) gone (HTTP 404/410)")
        return "; ".join(notes) or None

    def repay(self, family: ModuleType, portal_id: str, settled: set[str]) -> Iterator[Listing]:
        """Ask again for the owed and gone pages due tonight (`DebtBook.candidates`, in its
        order), within the budget; one `detail` row for each page asked for (its fields when
        read, its error when not). `settled`: item keys whose detail page the walk already
        read or tried tonight."""
        policy = self.book.policy
        budget = policy.request_budget
        started = time.monotonic()
        asked = 0
        for item_key, owed in self.book.candidates(exclude=settled):
            if not self.closed or (budget is not None and asked >= budget):
                return
            if time.monotonic() - started >= policy.max_seconds:
                return
            if not self.book.may_ask(item_key):
                continue
            asked += 1
            yield self._repaid(family, portal_id, item_key, owed.url)

    def _repaid(self, family: ModuleType, portal_id: str, item_key: str, url: str) -> Listing:
        """The `detail` row of one owed page asked for again."""
        detail = self.read(family, item_key, url)
        row = Listing(
            portal_id=portal_id,
            item_key=item_key,
            url=url,
            list_url=None,
            page_no=None,
            row_no=None,
            seen_at=self.clock(),
            listing_hash=None,
            row_kind="detail",
            detail_attempted=True,
        )
        if isinstance(detail, str):
            return replace(row, detail_error=detail, detail_gone=self.book.outcomes[item_key] == GONE)
        page, parsed = detail
        raw = {name: value for name, value in parsed.fields.items() if not is_empty_value(value)}
        return replace(
            row,
            seen_at=page.fetched_at,
            **normalize_fields(raw),
            detail_fetched=True,
            detail_sha256=page.sha256,
            has_body=parsed.has_body,
            n_attachments=len(parsed.attachments),
        )


def _settled(*args: object, **kwargs: object) -> Any:
    """What a settled reader fetches and parses with: nothing, loudly."""
    raise RuntimeError("the detail reader was settled: its crawl is over")
