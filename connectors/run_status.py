"""How one crawl's run went: the status it degrades to and why, and its totals.

A run starts `ok` and only ever degrades (`partial`, then `failed`), keeping the reason of
the worst thing that happened; the error lines a person reads are kept up to a cap. How a
listing ends (a stub page, its natural end, a shortfall against the total the portal
advertises, a category a stub cuts short) is judged here (docs/reliability.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.records import FetchLogEntry, RunSummary

#: A full listing may miss this share of the advertised total before the run is partial.
SHORTFALL_TOLERANCE = 0.02
#: The summary keeps this many error lines; the rest are counted.
MAX_ERRORS = 50
_SEVERITY = {"ok": 0, "partial": 1, "failed": 2}


class RunLedger:
    """The summary of one crawl as it goes, and the item keys its walk has seen. `clock`
    dates the run's end (the crawl's client's clock; the wall clock by default)."""

    def __init__(self, summary: RunSummary, known_items: int, clock: Callable[[], datetime] | None = None) -> None:
        self.summary = summary
        self._clock = clock or (lambda: datetime.now(UTC))
        self.seen_keys: set[str] = set()
        self._known_items = known_items
        self._errors_dropped = 0
        self._unreadable_pages: dict[int, int] = {}  # page number -> rows not read on it
        #: in a walk over several categories, each category (the categories still to walk
        #: after it, `Request.carry`) -> (the items it says it holds, the rows it listed)
        self._categories: dict[tuple[str, ...], tuple[int | None, int]] = {}

    def page_read(self, listing: Any, carry: tuple[str, ...]) -> None:
        """Count a listing page read: the run's pages, the listing's advertised total (the
        first page's), and the rows its category (`carry`) listed against its own count."""
        self.summary.pages += 1
        if self.summary.advertised_total is None:
            self.summary.advertised_total = listing.advertised_total
        if carry or listing.category_total is not None or self._categories:
            total, listed = self._categories.get(carry, (None, 0))
            listed += len(listing.rows) + len(listing.unreadable_rows)
            self._categories[carry] = (listing.category_total if total is None else total, listed)

    def degrade(self, status: str, reason: str) -> None:
        """Lower the run's status to `status` (never raise it); the worst reason is kept."""
        if _SEVERITY[status] > _SEVERITY[self.summary.status]:
            self.summary.status = status
            self.summary.reason = reason
        elif self.summary.reason is None:
            self.summary.reason = reason
        self.error(reason)

    def error(self, line: str) -> None:
        """Keep an error line on the summary, up to MAX_ERRORS of them."""
        if len(self.summary.errors) < MAX_ERRORS:
            self.summary.errors.append(line)
        else:
            self._errors_dropped += 1

    def unreadable_rows(self, page_no: int, rows: int, note: str, count: int) -> None:
        """Count `count` listing rows of page `page_no` (beside `rows` read) that could not
        be read, with an error line naming the page and why (`note`)."""
        self.summary.unreadable_rows += count
        self._unreadable_pages[page_no] = self._unreadable_pages.get(page_no, 0) + count
        self.error(f"listing page {page_no}: {count} of {rows + count} rows unreadable ({note})")

    def unreadable_note(self) -> str | None:
        """`3 listing rows unreadable (page 2: 1, page 5: 2)`, or None when every row read."""
        if not self._unreadable_pages:
            return None
        pages = sorted(self._unreadable_pages.items())
        where = ", ".join(f"page {page}: {n}" for page, n in pages[:10]) + (", …" if len(pages) > 10 else "")
        return f"{self.summary.unreadable_rows} listing rows unreadable ({where})"

    # -- how the walk ended -------------------------------------------------------------

    def stub_end(self, page_no: int, why: str, carry: tuple[str, ...] = ()) -> None:
        """A stub (or empty) page: on page 0 a failure, later the end of usable data, unless
        it cuts short a category of a walk over several (`carry`: its request's)."""
        if page_no == 0:
            had = f"; the portal had {self._known_items} known items" if self._known_items else ""
            self.degrade("failed", f"no rows on listing page 0 ({why}){had}")
            return
        cut = self._cut_short(carry)
        if cut:
            self.degrade("partial", f"stub page at page {page_no} cuts the walk short ({why}): {cut}")
            return
        reason = f"stub page at page {page_no}: end of usable data ({why})"
        if self.missing():
            self.degrade("partial", f"{reason}; {self.shortfall_text()}")
        else:
            self.summary.reason = reason
            self.maybe_complete(self.summary.advertised_total is not None)

    def _cut_short(self, carry: tuple[str, ...]) -> str | None:
        """What a stub on a page of the category `carry` leaves unread in a walk over several
        categories, or None. A category ends at its count or at the API's empty page, never at
        a stub; one of which no page was read had items to list (the walk asked for it)."""
        if not self._categories:
            return None
        notes = []
        if carry not in self._categories:
            notes.append("no page of its category read")
        else:
            total, listed = self._categories[carry]
            if total is not None and listed < total:
                notes.append(f"its category listed {listed} of the {total} items it advertises")
        if carry:
            notes.append(f"{len(carry)} {'category' if len(carry) == 1 else 'categories'} not walked")
        return "; ".join(notes) or None

    def natural_end(self, pages: int) -> None:
        """The listing's last page was read: check the count against the advertised total."""
        total = self.summary.advertised_total
        if self.summary.mode == "full" and total is not None and self.missing() > total * SHORTFALL_TOLERANCE:
            self.degrade("partial", f"full listing ended after {pages} pages: {self.shortfall_text()}")
            return
        self.maybe_complete(True)

    def missing(self) -> int:
        """How many advertised items the walk has not seen (0 when no total is advertised)."""
        total = self.summary.advertised_total
        return max(0, total - len(self.seen_keys)) if total is not None else 0

    def shortfall_text(self) -> str:
        """How the items seen compare with the advertised total, for a reason."""
        total = self.summary.advertised_total
        return f"{len(self.seen_keys)} of {total} advertised items seen ({self.missing()} missing)"

    def maybe_complete(self, reached_end: bool) -> None:
        """A full walk that reached the listing's end is complete (if nothing else failed)."""
        self.summary.complete = self.summary.mode == "full" and reached_end

    # -- totals -------------------------------------------------------------------------

    def close(self, fetches: Sequence[FetchLogEntry], detail_note: str | None) -> None:
        """Fill the summary's totals and settle its status once the walk has ended;
        `detail_note` says how detail pages failed, if any did. Failed detail pages are
        owed, not lost (connectors/detail_debt.py): they neither lower the status nor make a
        listing incomplete, which is a matter of listing pages alone."""
        summary = self.summary
        if detail_note:
            self.error(detail_note)
            summary.reason = summary.reason or detail_note
        unread = self.unreadable_note()
        if unread:  # a run that reads on says so beside its reason, however it ended
            summary.reason = f"{summary.reason}; {unread}" if summary.reason else unread
        if self._errors_dropped:
            summary.errors.append(f"… and {self._errors_dropped} more errors")
        summary.complete = summary.complete and summary.status == "ok"
        summary.requests = len(fetches)
        summary.retries = sum(max(0, entry.attempts - 1) for entry in fetches)
        # Bytes received: a 304's body came from the archive, not over the wire.
        summary.bytes = sum(entry.bytes for entry in fetches if not entry.not_modified)
        summary.finished_at = self._clock()
