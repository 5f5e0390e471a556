"""The detail pages of a crawl: which are fetched under the portal's policy, what they add to
a row, and when to stop asking a portal that keeps refusing them.

One bad detail page never ends the walk: its failure is an error line on the run, and the
run is partial at its end (docs/reliability.md).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from connectors.errors import ChallengePage
from connectors.http import Page
from connectors.normalize import is_empty_value
from connectors.records import Request
from connectors.run_status import RunLedger

#: After this many detail pages in a row fail, the rest are not asked for (the portal is
#: refusing them; asking thousands more times helps nobody).
MAX_DETAIL_FAILURES_IN_A_ROW = 10


class DetailReader:
    """Fetches and parses detail pages for one crawl under its `details` policy.

    `fetch` makes a request (within the portal's hosts, logged); `parse` runs a parser
    (in the crawl's parser pool, when it has one).
    """

    def __init__(self, policy: str, options: Any, ledger: RunLedger,
                 fetch: Callable[[Request], Page], parse: Callable[..., Any]) -> None:
        self.policy = policy
        self.options = options
        self.ledger = ledger
        self.fetch = fetch
        self.parse = parse
        self.failures = 0
        self._failures_in_a_row = 0
        self._off: str | None = None

    def overlay(self, family: ModuleType, url: str, unchanged: bool,
                raw: dict[str, str]) -> dict[str, Any]:
        """Read a row's detail page when the policy wants it: its non-empty fields overwrite
        `raw` (in place); returns the detail facts of the row's Listing ({} when not read)."""
        if not self.wants(unchanged):
            return {}
        detail = self.read(family, url)
        if detail is None:
            return {}
        page, parsed = detail
        for name, value in parsed.fields.items():
            if not is_empty_value(value):
                raw[name] = value
        return {
            "detail_fetched": True,
            "detail_sha256": page.sha256,
            "has_body": parsed.has_body,
            "n_attachments": len(parsed.attachments),
        }

    def wants(self, unchanged: bool) -> bool:
        """Whether this row's detail page is to be fetched under the portal's policy."""
        if self._off is not None or self.policy == "never":
            return False
        return self.policy == "always" or not unchanged

    def read(self, family: ModuleType, url: str) -> tuple[Page, Any] | None:
        """Fetch and parse one detail page; None (error recorded) when that fails."""
        try:
            page = self.fetch(Request(url))
            parsed = self.parse(family.parse_detail, page.text, page.final_url, self.options)
        except Exception as exc:  # noqa: BLE001 - one bad detail page must not end the walk
            self._failed(url, exc)
            return None
        self._failures_in_a_row = 0
        self.ledger.summary.details_fetched += 1
        return page, parsed

    def _failed(self, url: str, exc: Exception) -> None:
        """Record a failed detail page; stop asking for more when the portal keeps refusing."""
        self.failures += 1
        self._failures_in_a_row += 1
        self.ledger.error(f"detail {url}: {type(exc).__name__}: {exc}")
        if isinstance(exc, ChallengePage):
            self._off = "a detail page was a challenge page (安全验证)"
        elif self._failures_in_a_row >= MAX_DETAIL_FAILURES_IN_A_ROW:
            self._off = f"{MAX_DETAIL_FAILURES_IN_A_ROW} detail pages failed in a row"

    def note(self) -> str | None:
        """What the run's summary says of failed detail pages, or None when none failed."""
        if not self.failures:
            return None
        note = f"{self.failures} detail page(s) failed"
        if self._off:
            note += f"; detail pages not fetched after {self._off}"
        return note
