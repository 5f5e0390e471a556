"""`xxgk withdrawals`: the quarantined listings waiting for a release or a decision, and the
operator's approve / reject (docs/withdrawal.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import console, err_console, published_or_exit
from flows.ui.render import safe

withdrawals_app = typer.Typer(no_args_is_help=False, invoke_without_command=True, rich_markup_mode="rich")


def _published_from(config: Path | None):
    """The config given to `xxgk withdrawals`, or exit 2 when none was given."""
    if config is None:
        err_console.print(safe("give the config: xxgk withdrawals --config xxgk.toml ...", "red"))
        raise typer.Exit(2)
    return published_or_exit(config)


@withdrawals_app.callback()
def withdrawals(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="The xxgk.toml to use.", show_default=False)
    ] = None,
) -> None:
    """List the quarantined listings waiting for a release or a decision, and why: listed
    before, would withdraw, share, missing since, confirmations so far, decision, titles; and
    the held figures the latest night saw fall past `max_held_drop` (published, to look into).

    A full listing that would withdraw over 10% of a portal's sightings withdraws nothing until
    `quarantine_release_listings` listings in a row confirm it or you approve it.

    Example: [bold]xxgk withdrawals --config xxgk.toml[/bold]   then   [bold]xxgk withdrawals --config xxgk.toml approve ly-gov 20130107T020000Z --reason "repealed, see notice 3"[/bold]
    """
    ctx.obj = config
    if ctx.invoked_subcommand is not None:
        return
    cfg = _published_from(config)
    from flows.withdrawal_review import held_drop_table, held_drops, pending_quarantines, quarantine_table

    rows = pending_quarantines(cfg.warehouse.path, cfg.warehouse.data_dir)
    console.print(quarantine_table(rows, cfg.harvest.quarantine_release_listings, config))
    drops = held_drop_table(held_drops(cfg.warehouse.path))
    if drops is not None:
        console.print(drops)


PortalArg = Annotated[str, typer.Argument(metavar="PORTAL", help="The portal's id.")]
RunArg = Annotated[str, typer.Argument(metavar="RUN_ID", help="The quarantined run, as `xxgk withdrawals` lists it.")]
ReasonOption = Annotated[
    str, typer.Option("--reason", help="Why: kept with the decision, who and when.", show_default=False)
]
ByOption = Annotated[str | None, typer.Option("--by", help="Who decides (default: your login name).")]


@withdrawals_app.command("approve")
def approve(
    ctx: typer.Context, portal_id: PortalArg, run_id: RunArg, reason: ReasonOption, by: ByOption = None
) -> None:
    """Approve a quarantined listing: from the next build it counts, with the earlier listings
    of its quarantine, and what they miss is withdrawn (dated by the first listing that missed it).

    Example: [bold]xxgk withdrawals --config xxgk.toml approve ly-gov 20130107T020000Z --reason "repealed, see notice 3"[/bold]
    """
    _decide(ctx.obj, portal_id, run_id, "approved", reason, by)


@withdrawals_app.command("reject")
def reject(ctx: typer.Context, portal_id: PortalArg, run_id: RunArg, reason: ReasonOption, by: ByOption = None) -> None:
    """Reject a quarantined listing: it never counts and withdraws nothing, for good (later
    listings that still miss the same items are quarantined and counted afresh).

    Example: [bold]xxgk withdrawals --config xxgk.toml reject ly-gov 20130107T020000Z --reason "index half rebuilt"[/bold]
    """
    _decide(ctx.obj, portal_id, run_id, "rejected", reason, by)


def _decide(config: Path | None, portal_id: str, run_id: str, decision: str, reason: str, by: str | None) -> None:
    """Record the decision in the decisions file, or say why not (exit 2)."""
    cfg = _published_from(config)
    from flows.withdrawal_review import WithdrawalsError, record
    from warehouse.landing import LandingError

    try:
        made = record(cfg.warehouse.path, cfg.warehouse.data_dir, portal_id, run_id, decision, reason, by)
    except (WithdrawalsError, LandingError) as exc:
        err_console.print(safe(str(exc), "red"))
        raise typer.Exit(2) from None
    console.print(
        safe(
            f"{decision}: {portal_id} run {run_id} by {made.decided_by or '?'} ({made.reason}); "
            f"it takes effect at the next build (xxgk sync --config {config})"
        )
    )
