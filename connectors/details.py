"""The detail pages of a crawl: which are fetched under the portal's policy, what they add to
a row, and when to stop asking a portal that keeps refusing them.

One bad detail page never ends the walk, and never makes the run partial: its failure is
an error line on the run, and the page is owed (connectors/detail_debt.py) and asked for again on
a later night. A circuit breaker stops asking a portal whose detail pages keep failing for
the rest of the night (docs/reliability.md, "Detail debt").
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from connectors.detail_debt import FAILED, NOT_ASKED, READ, DebtBook
from connectors.errors import ChallengePage
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


class CircuitBreaker:
    """Counts one portal's detail requests tonight and opens when they keep failing."""

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
    attempts allowed); `parse` runs a parser (in the crawl's parser pool, when it has one).
    What becomes of each wanted page is written in `book`.
    """

    def __init__(
        self,
        policy: str,
        options: Any,
        ledger: RunLedger,
        fetch: Callable[[Request, int], Page],
        parse: Callable[..., Any],
        book: DebtBook,
    ) -> None:
        self.policy = policy
        self.options = options
        self.ledger = ledger
        self.fetch = fetch
        self.parse = parse
        self.book = book
        self.breaker = CircuitBreaker()

    @property
    def closed(self) -> bool:
        """Detail pages may still be asked for tonight."""
        return self.breaker.open_because is None

    def overlay(
        self, family: ModuleType, item_key: str, url: str, unchanged: bool, raw: dict[str, str]
    ) -> dict[str, Any]:
        """Read a row's detail page when the policy wants it: its non-empty fields overwrite
        `raw` (in place); returns the detail facts of the row's Listing ({} when not wanted)."""
        if self.policy == "never" or (self.policy == "new" and unchanged):
            return {}
        if not self.closed:
            self.book.record(item_key, NOT_ASKED)
            return {"detail_error": f"not asked: {self.breaker.open_because}"}
        detail = self.read(family, item_key, url)
        if isinstance(detail, str):
            return {"detail_attempted": True, "detail_error": detail}
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
            error = f"{type(exc).__name__}: {exc}"
            self.breaker.failure(exc)
            self.book.record(item_key, FAILED)
            self.ledger.error(f"detail {url}: {error}")
            return error
        self.breaker.success()
        self.book.record(item_key, READ)
        self.ledger.summary.details_fetched += 1
        return page, parsed

    def settle(self) -> str | None:
        """Put the debt's counts on the summary; return what it says of failed detail pages
        (None when none failed)."""
        summary = self.ledger.summary
        owed, summary.details_paid, summary.details_given_up = self.book.counts()
        summary.details_owed = owed
        if self.breaker.open_because:
            return (
                f"detail pages failing: circuit open after {self.breaker.failures} "
                f"failures ({self.breaker.open_because}); {owed} left owed"
            )
        if self.breaker.failures:
            return f"{self.breaker.failures} detail page(s) failed; {owed} owed"
        return None

    def repay(self, family: ModuleType, portal_id: str, settled: set[str]) -> Iterator[Listing]:
        """Ask again for the owed detail pages due tonight, oldest first, within the budget;
        one `detail` row for each page asked for (its fields when read, its error when not).
        `settled`: item keys whose detail page the walk already read or tried tonight."""
        policy = self.book.policy
        started = time.monotonic()
        for n, (item_key, owed) in enumerate(self.book.due(exclude=settled)):
            if not self.closed or n >= policy.max_requests:
                return
            if time.monotonic() - started >= policy.max_seconds:
                return
            detail = self.read(family, item_key, owed.url)
            row = Listing(
                portal_id=portal_id,
                item_key=item_key,
                url=owed.url,
                list_url=None,
                page_no=None,
                row_no=None,
                seen_at=datetime.now(UTC),
                listing_hash=None,
                row_kind="detail",
                detail_attempted=True,
            )
            if isinstance(detail, str):
                yield replace(row, detail_error=detail)
                continue
            page, parsed = detail
            raw = {name: value for name, value in parsed.fields.items() if not is_empty_value(value)}
            yield replace(
                row,
                seen_at=page.fetched_at,
                **normalize_fields(raw),
                detail_fetched=True,
                detail_sha256=page.sha256,
                has_body=parsed.has_body,
                n_attachments=len(parsed.attachments),
            )
