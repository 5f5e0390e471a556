"""What a nightly run did and how it is told: the run's result and its exit code, the
summary printed at the end of a run, the Prefect artifacts, and the one line a failed
flow run carries.

Apart from the flow (flows/night/flow.py) because none of it schedules anything: it only
reads a finished run, and what the operator sees changes for other reasons than how the
night is scheduled. The text itself (tables, notes, inert scraped strings) is rendered
by flows/ui/render.py.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows import prefect_env

prefect_env.configure()  # no-op for what the caller already set; keeps bare imports offline

from prefect.artifacts import create_markdown_artifact, create_table_artifact  # noqa: E402
from prefect.context import FlowRunContext, TaskRunContext  # noqa: E402

from flows.night.publish import BuildOutcome  # noqa: E402
from flows.night.steps import PortalOutcome  # noqa: E402
from flows.reported.night import ReportsOutcome  # noqa: E402
from flows.ui.render import (  # noqa: E402
    build_notes,
    clean,
    held_drop_lines,
    quarantine_lines,
    run_summary_table,
    summary_markdown,
)

if TYPE_CHECKING:
    from rich.console import Console


#: `xxgk sync`'s exit codes (docs/reliability.md); 2 is the CLI's (a bad config or usage).
EXIT_OK, EXIT_FAILED, EXIT_QUARANTINE = 0, 1, 3


@dataclass
class NightlyResult:
    """What a nightly run did: its id, every portal's outcome and the build's."""

    run_id: str
    outcomes: list[PortalOutcome]
    build: BuildOutcome | None
    published_path: Path
    data_dir: Path
    reports: ReportsOutcome | None = None  # the annual reports read after the build

    @property
    def failed_portals(self) -> list[str]:
        """The portals whose harvest failed tonight."""
        return [o.portal_id for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        """No portal failed and the build and its checks passed."""
        return not self.failed_portals and self.build is not None and self.build.ok

    @property
    def quarantines(self) -> list[dict[str, Any]]:
        """The pending quarantined listings the build left (nothing withdrawn from them yet)."""
        return self.build.quarantines if self.build is not None else []

    @property
    def held_drops(self) -> list[dict[str, Any]]:
        """The held figures that fell tonight past the configured share (rpt_held_drops)."""
        return self.build.held_drops if self.build is not None else []

    @property
    def exit_code(self) -> int:
        """1 when a portal or the build failed; else 3 while a quarantine is pending or a held
        figure fell past the configured share (both need an operator); else 0."""
        if not self.ok:
            return EXIT_FAILED
        return EXIT_QUARANTINE if self.quarantines or self.held_drops else EXIT_OK


def _rest_line(rows: list[dict[str, Any]], shown: list[dict[str, Any]]) -> str:
    """One line for the portals the console table leaves out."""
    ids = {row["portal_id"] for row in shown}
    rest = [row for row in rows if row["portal_id"] not in ids]
    ok = sum(row["status"] == "ok" for row in rest)
    sums = {key: sum(int(row.get(key) or 0) for row in rest) for key in ("pages", "rows", "new", "requests")}
    counts = ", ".join(f"{value} {key}" for key, value in sums.items())
    return f"... and {len(rest)} more portals ({ok} ok, {len(rest) - ok} not): {counts}"


def failure_message(result: NightlyResult) -> str:
    """One line naming what failed."""
    parts = []
    if result.failed_portals:
        parts.append("portals failed: " + ", ".join(result.failed_portals))
    if result.build is None or not result.build.ok:
        parts.append("build failed: " + (result.build.reason if result.build else "not run"))
    return "; ".join(parts)


def reports_lines(reports: ReportsOutcome | None) -> list[tuple[str, str]]:
    """(line, style): the annual reports read tonight, and each that could not be, with why."""
    if reports is None:
        return []
    if reports.error:
        return [(f"annual reports: not read tonight: {clean(reports.error)}", "bold red")]
    if not reports.read and not reports.failed:
        return []
    lines = [(f"annual reports: {len(reports.read)} read, {len(reports.failed)} could not be read", "green")]
    lines += [(f"  ! {clean(title)}: {clean(reason)}", "yellow") for title, reason in reports.failed]
    return lines


def build_line(build: BuildOutcome | None) -> str:
    """The build's verdict in a few words."""
    if build is None:
        return "not run"
    if not build.ok:
        return f"failed: {build.reason or 'no reason given'}"
    return "; ".join(["ok", *build_notes(build.details)])


#: Past this many portals the console table shows only those not ok (at most this many),
#: and one line sums up the others: a table of thousands of rows is read by nobody and
#: took longer to render than the night's harvest of them. The artifacts keep every row.
CONSOLE_ROWS = 100


def report(result: NightlyResult, console: Console) -> None:
    """The run summary: a rich table on the console, and, inside a flow run, Prefect table
    and markdown artifacts."""
    rows = [outcome.as_dict() for outcome in result.outcomes]
    shown = rows if len(rows) <= CONSOLE_ROWS else [row for row in rows if row["status"] != "ok"][:CONSOLE_ROWS]
    console.print(run_summary_table(shown, title=f"xxgk run {result.run_id}"))
    if len(shown) < len(rows):
        console.print(_rest_line(rows, shown), markup=False, highlight=False)
    build = result.build
    if build is not None:
        style = "green" if build.ok else "bold red"
        line = f"build: {'ok' if build.ok else 'FAILED'}; {build.runs_loaded} runs and {build.rows_loaded} rows loaded"
        console.print(line + (f"; {clean(build.reason)}" if build.reason else ""), style=style, markup=False)
        for note in build_notes(build.details):
            console.print(note, style="yellow", markup=False)
    for line, style in reports_lines(result.reports):
        console.print(line, style=style, markup=False, highlight=False)
    release = build.details.get("quarantine_release_listings", 0) if build is not None else 0
    quarantines = quarantine_lines(result.quarantines, release)
    for quarantine in quarantines:
        console.print(quarantine, style="bold yellow", markup=False, highlight=False)
    drops = held_drop_lines(result.held_drops)
    for drop in drops:
        console.print(drop, style="bold yellow", markup=False, highlight=False)
    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        return  # artifacts belong to a flow run: a summary printed outside one has none to keep them
    table = [{k: v for k, v in row.items() if k != "errors"} for row in rows]
    with contextlib.suppress(Exception):  # artifacts are a view; a missing API must not fail the run
        create_table_artifact(table=table, key="xxgk-portal-runs", description=f"Portal runs of {result.run_id}")
        create_markdown_artifact(
            markdown=summary_markdown(result.run_id, rows, build_line(build), result.ok, quarantines, drops),
            key="xxgk-run-summary",
            description=f"Summary of run {result.run_id}",
        )
        if result.quarantines:
            create_table_artifact(
                table=result.quarantines,
                key="xxgk-quarantines",
                description=f"Quarantined listings pending after run {result.run_id}",
            )
        if result.held_drops:
            create_table_artifact(
                table=result.held_drops,
                key="xxgk-held-drops",
                description=f"Held figures that fell past the configured share in run {result.run_id}",
            )
