"""The run summary of a night over many portals: the console shows the portals that need a
look, and one line sums up the rest (flows/night/summary.py). Printed outside a flow run, it
makes no Prefect artifact (they belong to a flow run) and so warns of nothing."""

from __future__ import annotations

import io
import warnings

from rich.console import Console

from flows.night.steps import PortalOutcome
from flows.night.summary import CONSOLE_ROWS, NightlyResult, report


def printed(result: NightlyResult) -> str:
    """What `report` prints of `result` outside a flow run; no warning may come with it."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report(result, Console(file=out, width=200))
    assert [str(w.message) for w in caught] == []
    return out.getvalue()


def test_past_the_console_rows_only_the_portals_not_ok_are_listed(tmp_path) -> None:
    outcomes = [PortalOutcome(f"p{i:03d}", "incremental", "ok", pages=1, rows=4, requests=2) for i in range(150)]
    for i in (7, 70, 140):
        outcomes[i] = PortalOutcome(f"p{i:03d}", "incremental", "failed", reason="listing page 0 failed", requests=1)
    lines = printed(NightlyResult("20130131T020000Z", outcomes, None, tmp_path / "x.duckdb", tmp_path)).splitlines()
    listed = [line.split("│")[1].strip() for line in lines if line.startswith("│ p")]
    assert listed == ["p007", "p070", "p140"] and len(outcomes) > CONSOLE_ROWS
    assert "... and 147 more portals (147 ok, 0 not): 147 pages, 588 rows, 0 new, 294 requests" in lines


def test_up_to_the_console_rows_every_portal_is_listed(tmp_path) -> None:
    outcomes = [PortalOutcome(f"p{i:03d}", "full", "ok") for i in range(CONSOLE_ROWS)]
    text = printed(NightlyResult("20130131T020000Z", outcomes, None, tmp_path / "x.duckdb", tmp_path))
    assert sum(line.startswith("│ p") for line in text.splitlines()) == CONSOLE_ROWS
    assert "more portals" not in text
