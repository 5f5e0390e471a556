"""`xxgk gc`: the data dir's retention. The landing files of months that have ended are
compacted (as every night does after its load: warehouse/compact.py), and the page-archive
bodies nothing points at are removed once they were last fetched more than `--keep-days`
days ago (docs/reliability.md, "Retention").

A body is pointed at when a sighting's latest row or latest detail row in the state database
names it (`detail_sha256`), when a loaded annual-report read names it as its source, when a
landing set not loaded yet does, or when the validators
of a URL do (a 304 is answered from it). Everything runs under the nightly run lock: a
harvest meanwhile could be answering a 304 from a body being removed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated

import typer

from connectors.archive import PageArchive
from connectors.http.validators import ValidatorCache
from flows.cli.common import ConfigOption, console, err_console, load_or_exit
from flows.config.model import Config
from flows.night.housekeeping import RunLocked, exclusive_run, remove_leftovers
from flows.ui.render import safe
from warehouse.compact import CompactResult, compact_landing
from warehouse.references import unreferenced

DAY = 86_400


@dataclass
class ArchiveSweep:
    """What a sweep of the page archive found and removed."""

    bodies: int = 0  # stored before the sweep
    stored_bytes: int = 0
    young: int = 0  # fetched within the days kept
    referenced: int = 0  # older, but pointed at
    removed: list[str] = field(default_factory=list)
    freed_bytes: int = 0


def sweep_archive(config: Config, keep_days: float, now: float, dry_run: bool = False) -> ArchiveSweep:
    """Remove (unless `dry_run`) the archived bodies last fetched before `now - keep_days`
    that nothing points at; what was found and removed. Call holding the run lock."""
    data_dir = config.warehouse.data_dir
    archive, sweep, old = PageArchive(data_dir), ArchiveSweep(), {}
    cutoff = now - keep_days * DAY
    for sha, size, mtime in archive.bodies():
        sweep.bodies, sweep.stored_bytes = sweep.bodies + 1, sweep.stored_bytes + size
        if mtime < cutoff:
            old[sha] = size
        else:
            sweep.young += 1
    kept = sorted(ValidatorCache(data_dir / "validators.jsonl").archive_keys())
    sweep.removed = unreferenced(config.warehouse.state_path, data_dir, list(old), kept)
    sweep.referenced = len(old) - len(sweep.removed)
    if dry_run:
        sweep.freed_bytes = sum(old[sha] for sha in sweep.removed)
    else:
        sweep.freed_bytes = archive.remove(sweep.removed)
    return sweep


def _mb(n: int) -> str:
    """Bytes as people read them: exact below a megabyte."""
    return f"{n:,} bytes" if n < 2**20 else f"{n / 2**20:,.1f} MB"


def _report(sweep: ArchiveSweep, compaction: CompactResult | None, keep_days: float, dry_run: bool, keys: bool):
    """The sweep and the compaction, a few lines on the console."""
    if compaction is not None:
        console.print(
            f"landing: {len(compaction.parts)} compacted part(s) written or finished "
            f"({', '.join(compaction.parts) or 'none'}); {compaction.files_removed} landing files removed, "
            f"{_mb(compaction.bytes_removed)} freed, {_mb(compaction.bytes_written)} written",
            markup=False,
        )
        for marker, why in compaction.skipped:
            console.print(safe(f"not compacted: {marker}: {why}", "yellow"))
    verb = "would remove" if dry_run else "removed"
    console.print(
        f"archive: {verb} {len(sweep.removed):,} of {sweep.bodies:,} bodies, {_mb(sweep.freed_bytes)} of "
        f"{_mb(sweep.stored_bytes)}; kept {sweep.referenced:,} older than {keep_days:g} days that are still "
        f"referenced and {sweep.young:,} fetched within them",
        markup=False,
    )
    for sha in sweep.removed if keys else ():
        console.print(sha, markup=False)


def gc(
    config: ConfigOption,
    keep_days: Annotated[
        float, typer.Option("--keep-days", min=0, help="Keep every archived body fetched within this many days.")
    ] = 30,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would go; remove and compact nothing.")
    ] = False,
    keys: Annotated[bool, typer.Option("--keys", help="Print the sha256 of every body removed, one a line.")] = False,
) -> None:
    """Compact the landing files of months that have ended, and remove the archived pages
    nothing points at that were last fetched more than --keep-days days ago; report what went
    and the bytes freed.

    Example: [bold]xxgk gc --config xxgk.toml --keep-days 90[/bold]
    """
    cfg = load_or_exit(config)
    try:
        with exclusive_run(cfg.warehouse.data_dir):
            remove_leftovers(cfg)
            compaction = None if dry_run else compact_landing(cfg.warehouse.state_path, cfg.warehouse.data_dir)
            sweep = sweep_archive(cfg, keep_days, time.time(), dry_run)
    except RunLocked as exc:
        err_console.print(safe(str(exc), "red"))
        raise typer.Exit(1) from None
    _report(sweep, compaction, keep_days, dry_run, keys)


def register(app: typer.Typer) -> None:
    """Add the command to the `xxgk` app."""
    app.command()(gc)
