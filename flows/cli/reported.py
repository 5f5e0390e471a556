"""`xxgk reported extract`: read annual reports (files or URLs) into the TOML file `xxgk
reconcile --reported` reads, or into JSON (connectors/annual_report, docs/reports.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from flows.cli.common import console, err_console
from flows.ui.render import safe

reported_app = typer.Typer(help="Annual reports (政府信息公开工作年度报告): their figures, read.", no_args_is_help=True)


def _read(source: str) -> tuple[bytes, str, str | None]:
    """The bytes of a file, or of a URL fetched through the project's HTTP client."""
    if urlsplit(source).scheme in ("http", "https"):
        from connectors.http import HttpClient, allowed_hosts
        from connectors.records import Request

        client = HttpClient(None, per_host_delay=0.0, max_attempts=2)
        page = client.fetch(Request(source), allowed_hosts(source))
        return page.content, source, page.headers.get("content-type")
    return Path(source).read_bytes(), source, None


@reported_app.command()
def extract(
    sources: Annotated[list[str], typer.Argument(help="Report files or http(s) URLs.", show_default=False)],
    unit: Annotated[str | None, typer.Option("--unit", help="The system id to write (reconcile's `system`).")] = None,
    year: Annotated[int | None, typer.Option(help="The year to write, over the report's own.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per report, a line each.")] = False,
) -> None:
    """Read each report's figures, with where each was read; write the TOML `xxgk reconcile
    --reported` reads (one report) or, with --json, one object per report. A source that
    cannot be read is named with the reason, and the command exits 1.

    Example: [bold]xxgk reported extract 2012年度报告.pdf --unit ly-aic --out ly-2012.toml[/bold]
    """
    from connectors.annual_report import ReportError, as_dict
    from connectors.annual_report import extract as read_report
    from flows.reported.toml import to_toml

    if not as_json and len(sources) > 1:
        err_console.print("one report per TOML file: give one source, or --json")
        raise typer.Exit(2)
    texts, failed = [], 0
    for source in sources:
        try:
            body, name, content_type = _read(source)
            report = as_dict(read_report(body, name, content_type))
        except (ReportError, OSError) as error:
            err_console.print(safe(f"{source}: {getattr(error, 'reason', error)}", "red"))
            failed += 1
            continue
        except Exception as error:  # a fetch error of the HTTP client, with its reason
            err_console.print(safe(f"{source}: {type(error).__name__}: {error}", "red"))
            failed += 1
            continue
        if year:
            report["year"] = year
        texts.append(json.dumps(report, ensure_ascii=False) if as_json else to_toml(report, unit, year))
    text = "\n".join(texts) + ("\n" if as_json and texts else "")
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(safe(f"wrote {out}"))
    elif text:
        typer.echo(text, nl=False)
    raise typer.Exit(1 if failed else 0)
