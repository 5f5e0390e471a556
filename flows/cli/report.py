"""`xxgk report` and `xxgk reconcile`: the annual report's outputs and the check of a unit's
reported figures, both read from the published warehouse only (reports/, docs/reports.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import console, err_console, published_or_exit
from flows.ui.render import safe

SystemOption = Annotated[str, typer.Option(help="The unit whose system (it and its descendants) is reported.")]
YearOption = Annotated[int, typer.Option(help="The report's year: held at its end, new during it.")]


def report(
    config: Annotated[Path, typer.Option("--config", "-c", help="The xxgk.toml to use.", show_default=False)],
    system: SystemOption,
    year: YearOption,
    out: Annotated[Path, typer.Option(help="The folder the files go to.")] = Path("reports-out"),
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: html, xlsx, csv, md.")
    ] = "html,xlsx,csv,md",
) -> None:
    """Write a system's annual-report outputs for one year: the 主动公开 section (text and
    tables), the 2021 template's section 二 table, an offline HTML report with charts, xlsx,
    CSV and markdown.

    Example: [bold]xxgk report --config xxgk.toml --system ly-aic --year 2012 --out reports-out --format html,xlsx[/bold]
    """
    cfg = published_or_exit(config)
    from reports.write import write_report

    try:
        written = write_report(
            cfg.warehouse.path, system, year, out, tuple(f.strip() for f in formats.split(",") if f.strip())
        )
    except (KeyError, ValueError) as exc:
        err_console.print(safe(exc.args[0], "red"))
        raise typer.Exit(2) from None
    for fmt, paths in written.items():
        shown = paths[0] if len(paths) == 1 else f"{len(paths)} files in {paths[0].parent}"
        console.print(safe(f"{fmt}: {shown}"))


def reconcile(
    config: Annotated[Path, typer.Option("--config", "-c", help="The xxgk.toml to use.", show_default=False)],
    reported: Annotated[Path, typer.Option(help="The TOML file of the figures the unit reported.")],
    system: Annotated[str | None, typer.Option(help="Override the file's system.")] = None,
    year: Annotated[int | None, typer.Option(help="Override the file's year.")] = None,
    tolerance: Annotated[int, typer.Option(help="Largest difference (items) that still passes.")] = 0,
) -> None:
    """Compare the figures a unit reported with the warehouse's, figure by figure, and flag
    the report's own inconsistencies. Exits 1 when a difference exceeds the tolerance.

    Example: [bold]xxgk reconcile --config xxgk.toml --reported reports/examples/longyan_2012_reported.toml[/bold]
    """
    cfg = published_or_exit(config)
    from reports.reconcile import ReportedError, load_reported, reconcile_figures, render_lines

    try:
        claims = load_reported(reported, system=system, year=year)
        result = reconcile_figures(cfg.warehouse.path, claims, tolerance)
    except (ReportedError, KeyError) as exc:
        err_console.print(safe(exc.args[0], "red"))
        raise typer.Exit(2) from None
    for line in render_lines(result):
        console.print(safe(line))
    raise typer.Exit(0 if result.ok else 1)


def register(app: typer.Typer) -> None:
    """Add the commands to the `xxgk` app."""
    app.command()(report)
    app.command()(reconcile)
