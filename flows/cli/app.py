"""The `xxgk` command: run the demo, harvest, query totals, review quarantined withdrawals, test
a portal, serve the schedule, deploy it on a work pool, keep the data dir's retention (gc).

Prefect is imported only by the commands that run a flow, and only after `prefect_env`
has set its offline defaults (with PREFECT_HOME under the config's data dir).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows import prefect_env, prefect_server
from flows.cli.applications import register as register_applications_commands
from flows.cli.common import ConfigOption, console, err_console, load_or_exit
from flows.cli.gc import register as register_gc_command
from flows.cli.portal import portal_app
from flows.cli.report import register as register_report_commands
from flows.cli.reported import reported_app
from flows.cli.withdrawals import withdrawals_app
from flows.collector import paused_for_startup
from flows.config.clock import ENV, run_clock
from flows.ui.render import category_tables, levels_table, safe

app = typer.Typer(
    help="xxgk: harvest government information-disclosure catalogs (政府信息公开) into DuckDB, "
    "deduplicate them and count them per system and year.\n\n"
    "Example: [bold]xxgk demo[/bold]   then   [bold]xxgk sync --config xxgk.toml[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(portal_app, name="portal")
app.add_typer(withdrawals_app, name="withdrawals")
app.add_typer(reported_app, name="reported")


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the demo's config, warehouse and landing files go.")] = Path(
        "xxgk-demo"
    ),
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
        str | None,
        typer.Option(
            "--clock",
            metavar="ISO",
            help="Run as if it started at this instant (e.g. 2013-01-06T02:00:00+08:00), "
            "for tests and backfills; wins over XXGK_CLOCK. Default: now.",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Harvest nothing: take in what distributed nights harvested but never accepted "
            "(their orchestrator died), then load, build, check and publish.",
        ),
    ] = False,
) -> None:
    """Harvest the portals, then load, build, check and publish the warehouse (the nightly run).

    Incremental by default; a portal without a complete full listing in the last
    `full_every_days` is listed in full. Exits 1 when a portal or a check failed, 3 when a
    full listing is quarantined and waits for its release or a decision (`xxgk withdrawals`).

    Example: [bold]xxgk sync --config xxgk.toml[/bold]   or   [bold]xxgk sync -c xxgk.toml --full --portal ly-gov[/bold]
    """
    cfg = load_or_exit(config)
    if resume and (portal or full):
        err_console.print(safe("--resume harvests nothing: it takes no --portal or --full", "red"))
        raise typer.Exit(2)
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
    try:
        with contextlib.ExitStack() as run:
            with paused_for_startup():  # Prefect's imports and server: objects the run keeps
                prefect_env.configure(cfg.warehouse.data_dir)
                server_url = run.enter_context(prefect_server.temporary_server(prefect_env.home()))
                from flows.night.flow import run_nightly
            if server_url:
                console.print(f"Started Prefect's temporary server (set PREFECT_API_URL to use yours): {server_url}")
            if resume:
                from flows.distributed.flow import run_resume

                result = run_resume(config)
            else:
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
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the figures as JSON: system, year, levels (held, official, new, full text), categories.",
        ),
    ] = False,
) -> None:
    """Print a system's consolidated totals for one year from the published warehouse.

    Example: [bold]xxgk totals --config xxgk.toml --system ly-aic --year 2012 --json[/bold]
    """
    cfg = load_or_exit(config)
    try:
        cfg.unit(system)
    except KeyError as exc:
        err_console.print(safe(exc.args[0], "red"))
        raise typer.Exit(2) from None
    if not cfg.warehouse.path.exists():
        err_console.print(
            safe(f"no published warehouse at {cfg.warehouse.path}: run `xxgk sync --config {config}` first", "red")
        )
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


register_report_commands(app)
register_applications_commands(app)
register_gc_command(app)


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
    prefect_env.configure(load_or_exit(config).warehouse.data_dir, seed_database=False)  # needs a server of the user's
    from flows.distributed.deploy import NoServer, build_deployment, require_server, serve_deployment

    try:
        deployment = build_deployment(config, cron=cron, timezone=timezone)
        require_server()
    except (NoServer, ValueError) as exc:
        err_console.print(str(exc), style="red", markup=False, highlight=False)  # our own words, line breaks kept
        raise typer.Exit(2) from None
    serve_deployment(deployment)


@app.command()
def deploy(
    config: ConfigOption,
    pool: Annotated[str, typer.Option(help="The process work pool the batches run on (created if missing).")],
    batch_size: Annotated[
        int, typer.Option(min=1, help="Portals per batch (portals sharing a host stay together).")
    ] = 4,
    cron: Annotated[str, typer.Option(help="When the night runs, as a cron expression.")] = "0 2 * * *",
    timezone: Annotated[str, typer.Option(help="The cron's time zone (IANA name).")] = "Asia/Shanghai",
    orchestrator_pool: Annotated[
        str | None, typer.Option(help="Run the orchestrator (load, build, publish) on this pool instead.")
    ] = None,
    progress_timeout: Annotated[
        float,
        typer.Option(
            min=10, help="Seconds a running batch may read no page or row before it is taken as dead and rerun."
        ),
    ] = 900.0,
) -> None:
    """Register the night on a Prefect work pool, for workers on several machines.

    Creates the pool (type process) if missing and two deployments: the orchestrator
    `xxgk-distributed/xxgk-NAME`, on the cron schedule, and its `xxgk-batch/xxgk-NAME`.
    Then start workers (`prefect worker start --pool NAME`) on every machine that mounts
    the data dir at the same path (docs/distributed.md).

    Example: [bold]xxgk deploy --config /shared/xxgk.toml --pool xxgk --batch-size 4[/bold]
    """
    prefect_env.configure(load_or_exit(config).warehouse.data_dir, seed_database=False)  # needs a server of the user's
    from flows.distributed.deploy import (
        NoServer,
        apply_pool_deployments,
        build_pool_deployments,
        ensure_process_pool,
        require_server,
    )

    try:
        require_server()
        deployments = build_pool_deployments(
            config, pool, batch_size, cron, timezone, orchestrator_pool, progress_timeout
        )
        created = [name for name in {pool, orchestrator_pool or pool} if ensure_process_pool(name)]
        names = apply_pool_deployments(deployments)
    except (NoServer, ValueError) as exc:
        err_console.print(str(exc), style="red", markup=False, highlight=False)  # our own words, line breaks kept
        raise typer.Exit(2) from None
    for name in created:
        console.print(f"created work pool {name} (type process)", markup=False)
    console.print(f"deployed {names[0]} (cron {cron!r}, {timezone}) and {names[1]}", markup=False)
    console.print(f"start workers:  prefect worker start --pool {pool}", markup=False)
    console.print(f"run it now:     prefect deployment run '{names[0]}'", markup=False)


if __name__ == "__main__":
    app()
