"""`xxgk portal test` and `xxgk portal probe`: try a configured portal, or recognise a new one
from its entry page and propose its entry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import ConfigOption, console, err_console, load_or_exit
from flows.config.load import ConfigError
from flows.ui.render import safe

portal_app = typer.Typer(
    help="Work on one portal of a config (e.g. try it out when adding it).\n\n"
    "Example: [bold]xxgk portal test --config xxgk.toml ly-gov[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@portal_app.command("test")
def portal_test(
    config: ConfigOption,
    portal_id: Annotated[str, typer.Argument(metavar="ID", help="The portal's id in the config.")],
    rows: Annotated[int, typer.Option(help="How many listing rows to print.")] = 20,
) -> None:
    """Fetch and parse a portal's first listing page and one detail page, and print what was read.

    What to run when adding a portal: it shows whether rows, dates and detail fields are
    found, without writing anything.

    Example: [bold]xxgk portal test --config xxgk.toml ly-gov[/bold]
    """
    cfg = load_or_exit(config)
    try:
        portal = cfg.portal(portal_id)
    except KeyError as exc:
        err_console.print(safe(exc.args[0], "red"))
        raise typer.Exit(2) from None
    from flows.portal.test import print_probe, probe_portal

    probe = probe_portal(portal, cfg.harvest)
    print_probe(probe, console, max_rows=rows)
    raise typer.Exit(0 if probe.ok else 1)


@portal_app.command("probe")
def portal_probe(
    url: Annotated[str, typer.Argument(metavar="URL", help="The portal's entry page.")],
    write_config: Annotated[
        Path | None,
        typer.Option("--write-config", help="Append the proposed entry to this config (refused unless it validates)."),
    ] = None,
    portal_id: Annotated[str | None, typer.Option("--id", help="The entry's id (default: host-platform).")] = None,
    name: Annotated[str | None, typer.Option(help="The entry's name (default: the page's title).")] = None,
    level: Annotated[str, typer.Option(help="The entry's level: province, city or county.")] = "city",
    rows: Annotated[int, typer.Option(help="How many listing rows to print.")] = 10,
) -> None:
    """Recognise a portal's family from its entry page, propose its [[portal]] entry, and test it.

    Example: [bold]xxgk portal probe http://www.gd.gov.cn/gkmlpt/index --write-config xxgk.toml[/bold]
    """
    from flows.config.model import Harvest
    from flows.portal.probe import append_entry, print_proposal, probe_url

    proposal = probe_url(url, Harvest(), portal_id=portal_id, name=name, level=level)
    print_proposal(proposal, console, max_rows=rows)
    ok = proposal.probe is not None and proposal.probe.ok
    if write_config is not None and proposal.entry is not None:
        try:
            append_entry(write_config, proposal.entry)
        except ConfigError as exc:
            err_console.print(safe(f"not written: {exc}", "red"))
            raise typer.Exit(2) from None
        console.print(safe(f"entry appended to {write_config}", "green"))
    raise typer.Exit(0 if ok else 1)
