"""Live progress of a night's harvest: one overall bar and a line per portal in flight.

A night of thousands of portals cannot be read as a bar per portal: the overall bar says
how many portals are done, failed and in flight, the pages and rows read, the time elapsed
and an estimate of the time left; below it, one line for each portal being harvested now
(its pages, rows and the items it advertises), at most `MAX_LINES` of them. A finished
portal leaves the view; its figures stay in the sums and in the run summary.

The view draws a `NightTally` (flows/night/tally.py) a few times a second; the harvests
only count, so drawing never slows them. Portal ids come from the config but are shown as
inert text all the same.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from flows.night.tally import NightTally, TallySnapshot
from flows.ui.render import safe

#: Lines of portals in flight drawn at most; the rest are counted in one more line.
MAX_LINES = 20
#: Redraws per second.
REFRESH = 4


def clock(seconds: float | None) -> str:
    """`h:mm:ss`, or `-:--:--` for a time not known yet."""
    if seconds is None:
        return "-:--:--"
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def overall_line(snap: TallySnapshot) -> str:
    """The night in one line: `37/1,000 portals: 35 done, 2 failed, 8 in flight; 420 pages,
    6,100 rows; 0:01:02 elapsed, ETA 0:20:00` (the terminal view and the Prefect artifact)."""
    return (
        f"{snap.finished:,}/{snap.portals:,} portals: {snap.done:,} done, {snap.failed:,} failed, "
        f"{len(snap.in_flight):,} in flight; {snap.pages:,} pages, {snap.rows:,} rows; "
        f"{clock(snap.elapsed)} elapsed, ETA {clock(snap.eta)}"
    )


def portal_lines(snap: TallySnapshot, limit: int = MAX_LINES) -> Table:
    """One line per portal in flight (the longest-running first), then how many more."""
    table = Table.grid(padding=(0, 2))
    for justify in ("left", "right", "right", "right"):
        table.add_column(justify=justify, no_wrap=True)
    for flying in snap.in_flight[:limit]:
        of = f" of {flying.advertised:,}" if flying.advertised else ""
        table.add_row(
            safe(f"  {flying.portal_id}"),
            f"page {flying.pages:,}",
            f"{flying.rows:,}{of} rows",
            clock(flying.seconds),
        )
    if len(snap.in_flight) > limit:
        table.add_row(Text(f"  … and {len(snap.in_flight) - limit:,} more in flight"), "", "", "")
    return table


class HarvestProgress:
    """The terminal's live view of a night's tally (module docstring); a context manager
    that draws while the night runs and leaves the last drawing (the overall line) behind."""

    def __init__(self, console: Console, tally: NightTally) -> None:
        self.tally = tally
        self._console = console
        self._live = Live(self, console=console, refresh_per_second=REFRESH, transient=False)

    def __rich__(self) -> Group:
        snap = self.tally.snapshot()
        bar = ProgressBar(total=max(snap.portals, 1), completed=snap.finished, width=30)
        head = Table.grid(padding=(0, 1))
        head.add_row(bar, Text(overall_line(snap)))
        return Group(head, portal_lines(snap)) if snap.in_flight else Group(head)

    def __enter__(self) -> HarvestProgress:
        self._live.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._live.stop()
        if not self._console.is_terminal:
            self._console.line()  # rich ends the line itself only on a terminal
