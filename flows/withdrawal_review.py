"""`xxgk withdrawals`: what is quarantined and why, and the operator's approval or rejection.

The list is read from the published warehouse (fct_portal_runs, fct_sightings) and the
decisions file; a decision is appended to `{data_dir}/decisions/quarantine.jsonl`
(warehouse/decisions.py) and takes effect at the next build (docs/withdrawal.md).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from rich.table import Table
from rich.text import Text

from flows.ui.render import confirmations, safe
from warehouse.decisions import Decision, append_decision, read_decisions

#: Titles shown per quarantined listing, of the sightings it would withdraw.
SAMPLE_TITLES = 3

_PENDING_SQL = """
SELECT r.portal_id, r.run_id, r.n_listed_before, r.n_would_withdraw, r.n_confirmations,
       r.first_missed_run_id, CAST(f.started_at + INTERVAL 8 HOUR AS DATE) AS first_missed_date
FROM fct_portal_runs AS r
LEFT JOIN fct_portal_runs AS f ON f.portal_id = r.portal_id AND f.run_id = r.first_missed_run_id
WHERE r.is_quarantine_pending
ORDER BY r.portal_id, r.run_id
"""
# a pending quarantine's sightings: missed by the last eligible listing only (docs/withdrawal.md)
_TITLES_SQL = """
SELECT title FROM fct_sightings
WHERE portal_id = ? AND n_missed_listings = 1 AND NOT is_withdrawn
ORDER BY title, item_key
LIMIT ?
"""


# the held figures the latest published night saw fall past max_held_drop (rpt_held_drops)
_HELD_DROPS_SQL = """
SELECT run_id, previous_run_id, system_id, level, year, previous_held, held, drop_share
FROM rpt_held_drops
ORDER BY system_id, level, year
"""


class WithdrawalsError(ValueError):
    """The command cannot do what was asked; the message says why."""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def pending_quarantines(published: Path, data_dir: Path) -> list[dict]:
    """Every pending quarantined listing of the published warehouse, with a sample of the
    titles it would withdraw and the decision recorded since the build, if any."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = _rows(con, _PENDING_SQL)
        for row in rows:
            titles = con.execute(_TITLES_SQL, [row["portal_id"], SAMPLE_TITLES]).fetchall()
            row["titles"] = [title for (title,) in titles]
    finally:
        con.close()
    decided = {(d.portal_id, d.run_id): d for d in read_decisions(data_dir)[0]}
    for row in rows:
        row["decision"] = decided.get((row["portal_id"], row["run_id"]))
    return rows


def held_drops(published: Path) -> list[dict]:
    """The held figures that fell past the configured share on the latest published night
    (none from a file built before the guard existed)."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        known = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rpt_held_drops'").fetchone()[0]
        return _rows(con, _HELD_DROPS_SQL) if known else []
    finally:
        con.close()


def held_drop_table(rows: list[dict]) -> Table | None:
    """The held figures that fell, for the operator to look into (None when there are none)."""
    if not rows:
        return None
    table = Table(
        title="Held figures that fell past the configured share (published; look into why)",
        title_justify="left",
        caption="A fall usually means documents withdrawn at once, a portal removed or a unit moved.",
        caption_justify="left",
    )
    for column in ("system", "level", "year", "previous", "now", "fell by", "run", "previous run"):
        table.add_column(column, justify="right" if column in ("previous", "now", "fell by") else "left")
    for row in rows:
        table.add_row(
            safe(row["system_id"]),
            safe(row["level"]),
            safe(row["year"]),
            safe(row["previous_held"]),
            safe(row["held"]),
            safe(f"{float(row['drop_share']):.1%}"),
            safe(row["run_id"]),
            safe(row["previous_run_id"]),
        )
    return table


def quarantine_table(rows: list[dict], release_listings: int, config: Path | str) -> Table | Text:
    """The pending quarantines, one row per listing, and how to decide; scraped titles made inert."""
    if not rows:
        return Text("No quarantined listings: nothing waits for a release or a decision.")
    table = Table(
        title="Quarantined listings (nothing withdrawn yet)",
        title_justify="left",
        caption=f"Decide with: xxgk withdrawals --config {config} approve|reject PORTAL RUN_ID --reason TEXT",
        caption_justify="left",
    )
    for column in (
        "portal",
        "run",
        "listed before",
        "would withdraw",
        "share",
        "first missed",
        "confirmations",
        "decision",
        "would withdraw, e.g.",
    ):
        table.add_column(
            column,
            justify="right" if column in ("listed before", "would withdraw", "share") else "left",
            overflow="fold",
        )
    for row in rows:
        share = row["n_would_withdraw"] / row["n_listed_before"] if row["n_listed_before"] else 0
        more = row["n_would_withdraw"] - len(row["titles"])
        table.add_row(
            safe(row["portal_id"]),
            safe(row["run_id"]),
            safe(row["n_listed_before"]),
            safe(row["n_would_withdraw"]),
            safe(f"{share:.1%}"),
            safe(row["first_missed_date"]),
            safe(confirmations(row["n_confirmations"], release_listings)),
            safe(_decision_text(row["decision"])),
            safe("; ".join(row["titles"]) + (f" … and {more} more" if more > 0 else "")),
        )
    return table


def _decision_text(decision: Decision | None) -> str:
    if decision is None:
        return "none"
    return (
        f"{decision.decision} by {decision.decided_by or '?'} at "
        f"{decision.decided_at:%Y-%m-%d %H:%M} UTC, from the next build"
    )


@dataclass(frozen=True)
class RunState:
    """A portal run's quarantine state in the published warehouse."""

    quarantine_state: str
    is_quarantine_pending: bool


def run_state(published: Path, portal_id: str, run_id: str) -> RunState:
    """The run's state; `WithdrawalsError` when the published warehouse has no such run."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        found = con.execute(
            "SELECT quarantine_state, is_quarantine_pending FROM fct_portal_runs WHERE portal_id = ? AND run_id = ?",
            [portal_id, run_id],
        ).fetchall()
    finally:
        con.close()
    if not found:
        raise WithdrawalsError(f"no run {run_id} of portal {portal_id} in {published}")
    return RunState(*found[0])


def record(
    published: Path,
    data_dir: Path,
    portal_id: str,
    run_id: str,
    decision: str,
    reason: str,
    by: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """Append the decision on a quarantined (or already decided) listing; return it.

    Refused with `WithdrawalsError` for a run the published warehouse does not hold, a run
    that was never quarantined or was released, and an empty reason.
    """
    if not reason.strip():
        raise WithdrawalsError("give a reason: --reason TEXT")
    state = run_state(published, portal_id, run_id)
    if state.quarantine_state not in ("quarantined", "approved", "rejected"):
        raise WithdrawalsError(
            f"run {run_id} of portal {portal_id} is not quarantined "
            f"(quarantine_state {state.quarantine_state}): there is nothing to decide"
        )
    made = Decision(portal_id, run_id, decision, reason.strip(), by or _operator(), now or datetime.now(UTC))
    append_decision(data_dir, made)
    return made


def _operator() -> str | None:
    """Who is deciding: the login name, when the system knows it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
