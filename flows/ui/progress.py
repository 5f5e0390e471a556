"""Live progress of a harvest: one rich bar per portal, counting pages and rows."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from flows.ui.render import clean


class HarvestProgress:
    """Thread-safe per-portal bars (rich's Progress locks its own updates).

    A bar's total is the portal's advertised item count once the crawl knows it;
    until then the bar pulses.
    """

    def __init__(self, console: Console, portal_ids: list[str]) -> None:
        self._progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TextColumn("{task.fields[pages]} pages"),
            TextColumn("{task.fields[status]}", markup=False),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        width = max((len(p) for p in portal_ids), default=0)
        self._bars: dict[str, TaskID] = {
            portal_id: self._progress.add_task(
                clean(portal_id).ljust(width), total=None, pages=0, status="waiting", start=False
            )
            for portal_id in portal_ids
        }

    def __enter__(self) -> HarvestProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def update(self, portal_id: str, pages: int, rows: int, total: int | None) -> None:
        """The portal has read `rows` rows on `pages` pages so far (of `total` advertised)."""
        bar = self._bars[portal_id]
        self._progress.start_task(bar)
        self._progress.update(
            bar, completed=rows, total=max(total, rows) if total else None, pages=pages, status="harvesting"
        )

    def finish(self, portal_id: str, status: str, rows: int, pages: int) -> None:
        """Close the portal's bar with its final status."""
        bar = self._bars[portal_id]
        self._progress.start_task(bar)
        self._progress.update(bar, completed=rows, total=max(rows, 1), pages=pages, status=clean(status))
