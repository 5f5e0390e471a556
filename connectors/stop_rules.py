"""The stop rules of a listing walk: where a walk must stop and what the stop says.

A listing that never ends (`MAX_PAGES`), a request that repeats an earlier page's, a page
that holds exactly the rows of an earlier one (pagination loops: in a walk over several
categories, the end of that category only), and a listing page the family could not read (a stub past the data, a challenge, a changed layout, unsafe XML).
Each is recorded on the run's ledger with a reason a person can act on
(docs/reliability.md). Kept apart from `crawl` so the walk reads as a walk and the rules
that end it read in one place.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import ChallengePage, LayoutChanged, NoRows, PageError, StubPage, UnsafeXml
from connectors.records import Request
from connectors.run_status import RunLedger

#: A hard stop for listings that never end (each page new, so no loop is seen).
MAX_PAGES = 20_000


def ends_the_data(exc: PageError, page_no: int) -> bool:
    """A stub, or a page without rows, past page 0: where the pager ran beyond the data
    (docs/reliability.md), an end of the walk and not a fault of the portal."""
    return isinstance(exc, StubPage | NoRows) and page_no > 0


def record_page_problem(ledger: RunLedger, exc: PageError, page_no: int, carry: tuple[str, ...] = ()) -> None:
    """Record what a listing page the family could not read means for the run (`carry`: its
    request's, naming its category in a walk over several)."""
    where = f"listing page {page_no}"
    if isinstance(exc, StubPage) or ends_the_data(exc, page_no):
        ledger.stub_end(page_no, str(exc), carry)
    elif isinstance(exc, ChallengePage):
        ledger.degrade("failed", f"challenge page (安全验证) at {where}: {exc}")
    elif isinstance(exc, LayoutChanged):
        ledger.degrade("failed", f"layout changed at {where}: {exc}")
    elif isinstance(exc, UnsafeXml):
        ledger.degrade("failed", f"unsafe XML at {where}: {exc}")
    else:
        ledger.degrade("failed", f"unreadable {where}: {exc}")


class LoopGuard:
    """The pages one walk has asked for and the rows they held, to see a loop or an endless
    listing before it costs another request."""

    def __init__(self, ledger: RunLedger) -> None:
        self._ledger = ledger
        self._requested: dict[Request, int] = {}
        self._page_rows: dict[tuple, int] = {}

    def stops_before(self, request: Request, page_no: int) -> bool:
        """True (reason recorded) past MAX_PAGES or when a request repeats an earlier page's;
        else `request` is remembered as page `page_no`'s."""
        if page_no >= MAX_PAGES:
            self._ledger.degrade("partial", f"stopped after {MAX_PAGES} listing pages")
            return True
        if request in self._requested:
            self._ledger.degrade(
                "partial",
                f"pagination loop at page {page_no}: its request "
                f"repeats page {self._requested[request]} ({request.url})",
            )
            return True
        self._requested[request] = page_no
        return False

    def repeats_rows(self, listing: Any, hashes: list[str], page_no: int, carry: tuple[str, ...] = ()) -> bool:
        """True (reason recorded) when a page holds exactly the rows of an earlier page of the
        same category (`carry`: two categories listing the same articles are no loop). The
        crawl then ends that category: a walk over several goes on with the next."""
        signature = (carry, tuple((row.item_key, h) for row, h in zip(listing.rows, hashes, strict=True)))
        if signature in self._page_rows:
            self._ledger.degrade(
                "partial", f"pagination loop at page {page_no}: same rows as page {self._page_rows[signature]}"
            )
            return True
        self._page_rows[signature] = page_no
        return False
