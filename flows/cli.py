"""The `xxgk` command: run the demo, harvest, query totals, review quarantined withdrawals, test
a portal, serve the schedule.

Prefect is imported only by the commands that run a flow, and only after `prefect_env`
has set its offline defaults (with PREFECT_HOME under the config's data dir).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows import prefect_env
from flows.clock import ENV, run_clock
from flows.config import Config, ConfigError, load_config
from flows.render import category_tables, levels_table, make_console, safe
from flows.report_cli import register as register_report_commands

app = typer.Typer(
    help="xxgk: harvest government information-disclosure catalogs (政府信息公开) into DuckDB, "
    "deduplicate them and count them per system and year.\n\n"
    "Example: [bold]xxgk demo[/bold]   then   [bold]xxgk sync --config xxgk.toml[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
portal_app = typer.Typer(
    help="Work on one portal of a config (e.g. try it out when adding it).\n\n"
    "Example: [bold]xxgk portal test --config xxgk.toml ly-gov[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(portal_app, name="portal")
withdrawals_app = typer.Typer(no_args_is_help=False, invoke_without_command=True, rich_markup_mode="rich")
app.add_typer(withdrawals_app, name="withdrawals")

console = make_console()
err_console = make_console(stderr=True)  # soft-wrapped: messages hold paths, let the terminal wrap them

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="The xxgk.toml to use.", show_default=False)
]


def _load(config_path: Path) -> Config:
    """The validated config, or a red list of its problems and exit code 2.

    Nothing is written here: commands that run Prefect call `prefect_env.configure` themselves.
    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        err_console.print(safe(str(exc), "red"))
        raise typer.Exit(2) from None
    return config


@app.command()
def demo(
    data_dir: Annotated[
        Path, typer.Option(help="Where the demo's config, warehouse and landing files go.")
    ] = Path("xxgk-demo"),
) -> None:
    """Run the whole pipeline on the simulated Longyan 2012 world and print its figures.

    Starts the simulated portals on loopback, harvests them with the nightly flow, and
    prints the consolidated 2012 totals of 龙岩市工商行政管理局 (ly-aic) with the city
    level's category breakdowns. The warehouse file is left for you to query.

    Example: [bold]xxgk demo[/bold]   or   [bold]xxgk demo --data-dir /tmp/xxgk-demo[/bold]
    """
    from flows.demo import run_demo

    code = run_demo(data_dir, console)
    raise typer.Exit(code)


@app.command()
def sync(
    config: ConfigOption,
    full: Annotated[bool, typer.Option("--full", help="Walk every listing to its end tonight.")] = False,
    portal: Annotated[
        list[str] | None, typer.Option("--portal", "-p", help="Harvest only this portal (repeatable).")
    ] = None,
    clock: Annotated[
        str | None, typer.Option("--clock", metavar="ISO",
                                 help="Run as if it started at this instant (e.g. 2013-01-06T02:00:00+08:00), "
                                 "for tests and backfills; wins over XXGK_CLOCK. Default: now.")
    ] = None,
) -> None:
    """Harvest the portals, then load, build, check and publish the warehouse (the nightly run).

    Incremental by default; a portal without a complete full listing in the last
    `full_every_days` is listed in full. Exits 1 when a portal or a check failed, 3 when a
    full listing is quarantined and waits for its release or a decision (`xxgk withdrawals`).

    Example: [bold]xxgk sync --config xxgk.toml[/bold]   or   [bold]xxgk sync -c xxgk.toml --full --portal ly-gov[/bold]
    """
    cfg = _load(config)
    if portal:
        known = {p.id for p in cfg.portals}
        unknown = [p for p in portal if p not in known]
        if unknown:
            existing = ", ".join(sorted(known)) or "none configured"
            err_console.print(safe(f"{config}: no portal {', '.join(unknown)} (portals: {existing})", "red"))
            raise typer.Exit(2)
    try:
        run_clock(clock)  # a malformed --clock or XXGK_CLOCK is a usage error, before anything runs
    except ValueError as exc:
        err_console.print(safe(f"{'--clock' if clock is not None else ENV}: {exc}", "red"))
        raise typer.Exit(2) from None
    prefect_env.configure(cfg.warehouse.data_dir)
    from flows.nightly import run_nightly, server_note

    if note := server_note():
        console.print(note, markup=False)
    try:
        result = run_nightly(config, full=full, portals=portal or None, progress=True, clock=clock)
    except Exception as exc:  # noqa: BLE001 - a crash (not a portal's failure) is told in one line
        err_console.print(safe(f"the nightly run crashed: {type(exc).__name__}: {exc}", "bold red"))
        raise typer.Exit(1) from None
    raise typer.Exit(result.exit_code)


@app.command()
def totals(
    config: ConfigOption,
    system: Annotated[str, typer.Option(help="The unit whose system (it and its descendants) is counted.")],
    year: Annotated[int, typer.Option(help="The year: held at its end, new during it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON: system, year, levels (held, official, new, full text), categories.")] = False,
) -> None:
    """Print a system's consolidated totals for one year from the published warehouse.

    Example: [bold]xxgk totals --config xxgk.toml --system ly-aic --year 2012 --json[/bold]
    """
    cfg = _load(config)
    try:
        cfg.unit(system)
    except KeyError as exc:
        err_console.print(safe(exc.args[0], "red"))
        raise typer.Exit(2) from None
    if not cfg.warehouse.path.exists():
        err_console.print(safe(f"no published warehouse at {cfg.warehouse.path}: run `xxgk sync --config {config}` first", "red"))
        raise typer.Exit(1)
    from warehouse.build import totals as warehouse_totals

    try:
        figures = warehouse_totals(cfg.warehouse.path, system, year)
    except KeyError as exc:  # configured since the last build
        err_console.print(safe(f"{exc.args[0]} in {cfg.warehouse.path}: run `xxgk sync --config {config}`", "red"))
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
        return
    print_totals(figures, console)


def print_totals(figures: dict, out: Console) -> None:
    """The levels table, then the category tables of every level that has new documents."""
    out.print(levels_table(figures))
    for level in figures.get("categories", {}):
        if level == "all":
            continue
        out.print(safe(f"\n{level} level: new documents of {figures.get('year')} by category", "bold"))
        for table in category_tables(figures, level):
            out.print(table)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def sim(ctx: typer.Context) -> None:
    """Serve the simulated Longyan 2012 portal world on loopback (all options go to the simulator).

    Example: [bold]xxgk sim --port 0 --write-config world.toml[/bold]   ([bold]xxgk sim --help[/bold] for its options)
    """
    from sim.cli import main as sim_main

    raise typer.Exit(sim_main(list(ctx.args)) or 0)


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
    cfg = _load(config)
    try:
        portal = cfg.portal(portal_id)
    except KeyError as exc:
        err_console.print(safe(exc.args[0], "red"))
        raise typer.Exit(2) from None
    from flows.probe import print_probe, probe_portal

    probe = probe_portal(portal, cfg.harvest)
    print_probe(probe, console, max_rows=rows)
    raise typer.Exit(0 if probe.ok else 1)


@portal_app.command("probe")
def portal_probe(
    url: Annotated[str, typer.Argument(metavar="URL", help="The portal's entry page.")],
    write_config: Annotated[Path | None, typer.Option("--write-config", help="Append the proposed entry to this config (refused unless it validates).")] = None,
    portal_id: Annotated[str | None, typer.Option("--id", help="The entry's id (default: host-platform).")] = None,
    name: Annotated[str | None, typer.Option(help="The entry's name (default: the page's title).")] = None,
    level: Annotated[str, typer.Option(help="The entry's level: province, city or county.")] = "city",
    rows: Annotated[int, typer.Option(help="How many listing rows to print.")] = 10,
) -> None:
    """Recognise a portal's family from its entry page, propose its [[portal]] entry, and test it.

    Example: [bold]xxgk portal probe http://www.gd.gov.cn/gkmlpt/index --write-config xxgk.toml[/bold]
    """
    from flows.config import Harvest
    from flows.probe_url import append_entry, print_proposal, probe_url

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


@withdrawals_app.callback()
def withdrawals(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="The xxgk.toml to use.", show_default=False)] = None,
) -> None:
    """List the quarantined listings waiting for a release or a decision, and why: listed
    before, would withdraw, share, missing since, confirmations so far, decision, titles.

    A full listing that would withdraw over 10% of a portal's sightings withdraws nothing until
    `quarantine_release_listings` listings in a row confirm it or you approve it.

    Example: [bold]xxgk withdrawals --config xxgk.toml[/bold]   then   [bold]xxgk withdrawals --config xxgk.toml approve ly-gov 20130107T020000Z --reason "repealed, see notice 3"[/bold]
    """
    ctx.obj = config
    if ctx.invoked_subcommand is not None:
        return
    cfg = _published(config)
    from flows.withdrawals import pending_quarantines, quarantine_table

    rows = pending_quarantines(cfg.warehouse.path, cfg.warehouse.data_dir)
    console.print(quarantine_table(rows, cfg.harvest.quarantine_release_listings, config))


def _published(config: Path | None) -> Config:
    """The config of a command that reads the published warehouse; exit 2 or 1 when missing."""
    if config is None:
        err_console.print(safe("give the config: xxgk withdrawals --config xxgk.toml ...", "red"))
        raise typer.Exit(2)
    cfg = _load(config)
    if not cfg.warehouse.path.exists():
        err_console.print(safe(f"no published warehouse at {cfg.warehouse.path}: run `xxgk sync --config {config}` first", "red"))
        raise typer.Exit(1)
    return cfg


PortalArg = Annotated[str, typer.Argument(metavar="PORTAL", help="The portal's id.")]
RunArg = Annotated[str, typer.Argument(metavar="RUN_ID", help="The quarantined run, as `xxgk withdrawals` lists it.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why: kept with the decision, who and when.", show_default=False)]
ByOption = Annotated[str | None, typer.Option("--by", help="Who decides (default: your login name).")]


@withdrawals_app.command("approve")
def approve(ctx: typer.Context, portal_id: PortalArg, run_id: RunArg, reason: ReasonOption, by: ByOption = None) -> None:
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
    cfg = _published(config)
    from flows.withdrawals import WithdrawalsError, record
    from warehouse.landing import LandingError

    try:
        made = record(cfg.warehouse.path, cfg.warehouse.data_dir, portal_id, run_id, decision, reason, by)
    except (WithdrawalsError, LandingError) as exc:
        err_console.print(safe(str(exc), "red"))
        raise typer.Exit(2) from None
    console.print(safe(f"{decision}: {portal_id} run {run_id} by {made.decided_by or '?'} ({made.reason}); "
                       f"it takes effect at the next build (xxgk sync --config {config})"))


register_report_commands(app)


@app.command()
def serve(
    config: ConfigOption,
    cron: Annotated[str, typer.Option(help="When to run, as a cron expression.")] = "0 2 * * *",
    timezone: Annotated[str, typer.Option(help="The cron's time zone (IANA name).")] = "Asia/Shanghai",
) -> None:
    """Serve the nightly flow as a Prefect deployment that runs on a cron schedule.

    Schedules need a running Prefect server (the temporary one never runs them): start one
    with `prefect server start`, then `export PREFECT_API_URL=http://127.0.0.1:4200/api`.

    Example: [bold]xxgk serve --config xxgk.toml --cron "0 2 * * *" --timezone Asia/Shanghai[/bold]
    """
    prefect_env.configure(_load(config).warehouse.data_dir)
    from flows.deploy import NoServer, build_deployment, require_server, serve_deployment

    try:
        deployment = build_deployment(config, cron=cron, timezone=timezone)
        require_server()
    except (NoServer, ValueError) as exc:
        err_console.print(str(exc), style="red", markup=False, highlight=False)  # our own words, line breaks kept
        raise typer.Exit(2) from None
    serve_deployment(deployment)


if __name__ == "__main__":
    app()
