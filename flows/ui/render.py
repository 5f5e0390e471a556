"""Rich tables for what xxgk prints: run summaries, quarantines and totals. Scraped text is made
inert here.

Everything a portal sent is hostile: a title may hold rich markup (`[red]`), terminal escape
sequences or bidi overrides. `safe` turns any such string into a rich `Text` (never parsed as
markup) with the control characters removed.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

# Bidi embeddings, overrides and isolates reorder what the terminal shows (Trojan Source).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

LEVEL_ORDER = ("all", "province", "city", "county")
SCHEME_TITLES = {"topic": "主题分类 topic", "function": "业务职能分类 function", "audience": "服务对象分类 audience"}


#: The counts of a portal's run, in the order both run summaries (terminal and markdown) show them.
RUN_COUNTS = (
    "pages",
    "rows",
    "unreadable_rows",
    "new",
    "details_owed",
    "details_paid",
    "details_given_up",
    "details_gone",
    "requests",
    "attempts",
)


def make_console(stderr: bool = False) -> Console:
    """A console for xxgk's output: as wide as the terminal, or 160 columns when redirected
    (rich's default of 80 would cut portal ids and reasons in logs and captured output)."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    return Console(stderr=stderr, width=width, soft_wrap=stderr)


def clean(value: Any) -> str:
    """`value` as a string without control characters (C0, C1, DEL, bidi), tabs and newlines as spaces."""
    text = "" if value is None else str(value)
    out = []
    for char in text:
        if char in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            continue
        else:
            out.append(char)
    return "".join(out)


def safe(value: Any, style: str = "") -> Text:
    """A rich Text of `value` that no markup or escape sequence inside it can style or move."""
    return Text(clean(value), style=style)


def run_summary_table(outcomes: Iterable[Mapping[str, Any]], title: str = "Portal runs") -> Table:
    """One row per portal: status, reason, pages, rows, new, requests, duration."""
    table = Table(title=title, title_justify="left")
    table.add_column("portal", no_wrap=True)
    table.add_column("mode")
    table.add_column("status")
    for column in ("pages", "rows", "unreadable", "new", "owed", "paid", "given up", "gone", "requests", "attempts"):
        table.add_column(column, justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("reason", overflow="fold")
    for outcome in outcomes:
        status = str(outcome.get("status", ""))
        colour = {"ok": "green", "partial": "yellow", "failed": "bold red"}.get(status, "")
        table.add_row(
            safe(outcome.get("portal_id")),
            safe(outcome.get("mode")),
            safe(status, colour),
            *(safe(outcome.get(key, "")) for key in RUN_COUNTS),
            safe(f"{float(outcome.get('duration') or 0):.1f}"),
            safe(outcome.get("reason") or ""),
        )
    return table


def levels_table(totals: Mapping[str, Any]) -> Table:
    """Held, official and new documents per level of a system, `all` first."""
    table = Table(
        title=f"{clean(totals.get('system'))} — {clean(totals.get('year'))}: documents per level",
        title_justify="left",
    )
    table.add_column("level")
    for column in ("held", "official held", "new", "official new", "full text held", "full-text rate"):
        table.add_column(column, justify="right")
    levels = totals.get("levels", {})
    for level in _ordered(levels):
        row = levels[level]
        held = int(row.get("held", 0))
        fulltext = int(row.get("fulltext_held", 0))
        rate = f"{fulltext / held:.2%}" if held else "–"
        table.add_row(
            safe(level),
            *(safe(row.get(key, 0)) for key in ("held", "official_held", "new", "official_new")),
            safe(fulltext),
            safe(rate),
        )
    return table


def category_tables(totals: Mapping[str, Any], level: str) -> list[Table]:
    """One table per classification scheme of the new documents of `level`, with shares.

    The caller prints a heading naming the level and year; the tables are titled by scheme.
    """
    categories = totals.get("categories", {}).get(level, {})
    new_total = int(totals.get("levels", {}).get(level, {}).get("new", 0))
    tables = []
    for scheme, counts in categories.items():
        table = Table(title=SCHEME_TITLES.get(scheme, clean(scheme)), title_justify="left")
        table.add_column("category")
        table.add_column("new", justify="right")
        table.add_column("share", justify="right")
        ordered = sorted(counts.items(), key=lambda item: (item[0] == "未分类", -int(item[1]), item[0]))
        for category, count in ordered:
            share = f"{int(count) / new_total:.2%}" if new_total else "–"
            table.add_row(safe(category), safe(count), safe(share))
        table.add_section()
        table.add_row(safe("total"), safe(sum(int(c) for c in counts.values())), safe("100.00%" if new_total else "–"))
        tables.append(table)
    return tables


def _ordered(levels: Mapping[str, Any]) -> list[str]:
    """Levels in hierarchy order, unknown ones after."""
    return sorted(levels, key=lambda level: (LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 99, level))


def build_notes(details: Mapping[str, Any]) -> list[str]:
    """What a published build holds that the counts treat specially, one line each, for the
    run summary: documents dated by their first sighting, documents left out of the counts
    (docs/counting.md). Nothing when there are none."""
    notes = []
    undated = int(details.get("undated_documents") or 0)
    if undated:
        notes.append(f"{_documents(undated)} without a published date (dated by first sighting; rpt_undated_documents)")
    uncounted = int(details.get("uncounted_documents") or 0)
    if uncounted:
        notes.append(
            f"{_documents(uncounted)} left out of the counts (no unit or not 主动公开; rpt_uncounted_documents)"
        )
    return notes


def _documents(n: int) -> str:
    return f"{n} document" if n == 1 else f"{n} documents"


def confirmations(n: int, release_listings: int) -> str:
    """`2 of 3`, or `2 (approval only)` when quarantines never release on their own."""
    return f"{n} of {release_listings}" if release_listings else f"{n} (approval only)"


def quarantine_lines(quarantines: Iterable[Mapping[str, Any]], release_listings: int) -> list[str]:
    """One line per portal with a pending quarantine, from its latest quarantined listing."""
    latest = {row["portal_id"]: row for row in sorted(quarantines, key=lambda r: (r["portal_id"], r["run_id"]))}
    lines = []
    for portal_id, row in latest.items():
        listed, gone = int(row["n_listed_before"] or 0), int(row["n_would_withdraw"] or 0)
        share = f"{gone / listed:.1%}" if listed else "–"
        lines.append(
            f"quarantined: {clean(portal_id)} run {clean(row['run_id'])} would withdraw {gone} of "
            f"{listed} listed sightings ({share}), missing since run {clean(row['first_missed_run_id'])}; "
            f"confirmation {confirmations(int(row['n_confirmations'] or 0), release_listings)}; "
            "nothing withdrawn until released or approved (xxgk withdrawals)"
        )
    return lines


def held_drop_lines(drops: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line per system × level × year whose held figure fell past the configured share."""
    return [
        f"held figure fell: {clean(d['system_id'])} {clean(d['level'])} {d['year']}: {d['previous_held']} -> "
        f"{d['held']} ({float(d['drop_share']):.1%}) since run {clean(d['previous_run_id'])}; published, "
        "for an operator to look at (xxgk withdrawals; rpt_held_drops)"
        for d in drops
    ]


def md(value: Any) -> str:
    """Text that markdown renders literally: control characters dropped, syntax characters escaped."""
    text = clean(value)
    for char in "\\`*_{}[]()<>#+!|~":
        text = text.replace(char, "\\" + char)
    return text


def summary_markdown(
    run_id: str,
    outcomes: Iterable[Mapping[str, Any]],
    build: str,
    ok: bool,
    quarantines: Sequence[str] = (),
    held_drops: Sequence[str] = (),
) -> str:
    """The run summary as a markdown table, then the quarantine lines (`quarantine_lines`) and
    the held figures that fell (`held_drop_lines`); every value escaped (reasons may quote
    portal text)."""
    columns = ("portal_id", "mode", "status", *RUN_COUNTS, "duration", "reason")
    pending = [word for word, lines in (("QUARANTINE PENDING", quarantines), ("HELD FIGURE FELL", held_drops)) if lines]
    verdict = "FAILED" if not ok else ", ".join(["ok", *pending])
    lines = [
        f"# xxgk run {md(run_id)}: {verdict}",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for outcome in outcomes:
        values = {**outcome, "duration": f"{float(outcome.get('duration') or 0):.1f}"}
        lines.append("| " + " | ".join(md(values.get(column) or "") for column in columns) + " |")
    lines += ["", f"Build: {md(build)}", ""]
    if quarantines:
        lines += ["## Quarantined listings", "", *(f"- {md(line)}" for line in quarantines), ""]
    if held_drops:
        lines += ["## Held figures that fell", "", *(f"- {md(line)}" for line in held_drops), ""]
    return "\n".join(lines)
