"""`xxgk applications import`: check a unit's applications register (依申请公开) row by row,
keep its good rows under the data dir and load them into the state database
(docs/applications.md).

A bad row is named with its line number and reason and left out; every good row is kept.
The good rows are written as one file per unit (`{data_dir}/applications/UNIT.csv`,
atomically), replacing that unit's earlier register, then `raw_applications` is reloaded
from those files. The published tables show them after the next build (`xxgk sync`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from flows.cli.common import ConfigOption, console, err_console, load_or_exit
from flows.config.model import Config
from flows.ui.render import safe

applications_app = typer.Typer(
    help="The applications register (依申请公开): the template's sections 三 and 四.\n\n"
    "Example: [bold]xxgk applications import --config xxgk.toml register.csv[/bold]",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@dataclass
class ImportResult:
    """What an import did: applications kept, files written, rows refused (line, reason)."""

    kept: int = 0
    units: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    loaded: bool = False  # raw_applications reloaded now (else at the next load)
    load_note: str = ""


def import_register(config: Config, register: Path) -> ImportResult:
    """Check the register, write its good rows per unit, reload `raw_applications`.

    Raises RegisterError (the header) or OSError/UnicodeDecodeError (the file) when the
    register cannot be read at all; nothing is written then.
    """
    from warehouse.application_store import load_applications, write_registers
    from warehouse.applications import read_register
    from warehouse.db import connect

    units = frozenset(unit.id for unit in config.units)
    good, refused = read_register(register.read_text(encoding="utf-8"), units=units)
    result = ImportResult(kept=len(good), units=sorted({a.unit_id for a in good}), refused=refused)
    if good:
        result.files = write_registers(config.warehouse.data_dir, good)
    state = config.warehouse.state_path
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        con = connect(state)
        try:
            load_applications(con, config.warehouse.data_dir)
        finally:
            con.close()
        result.loaded = True
    except duckdb.Error as exc:  # e.g. the nightly run holds the state database
        result.load_note = f"the state database is busy ({exc}); the next load reads the files"
    return result


def report_lines(result: ImportResult, register: Path) -> list[str]:
    """What the command prints: every refused row, then what was kept and where."""
    lines = [f"{register}:{line}: refused: {why}" for line, why in result.refused]
    lines.append(
        f"kept {result.kept} application(s) of {len(result.units)} unit(s) "
        f"({', '.join(result.units) or 'none'}); refused {len(result.refused)} row(s)"
    )
    lines += [f"written: {path}" for path in result.files]
    lines.append(
        "loaded into raw_applications; the published tables show them after the next build (xxgk sync)"
        if result.loaded
        else result.load_note
    )
    return lines


@applications_app.command("import")
def import_command(
    register: Annotated[Path, typer.Argument(help="The register: a UTF-8 CSV with a header (docs/applications.md).")],
    config: ConfigOption,
) -> None:
    """Import a unit's applications register: every bad row named with its line number and
    reason, every good row kept. Exits 1 when a row was refused, 2 when the file cannot be read.

    Example: [bold]xxgk applications import --config xxgk.toml register.csv[/bold]
    """
    from warehouse.applications import RegisterError

    cfg = load_or_exit(config)
    try:
        result = import_register(cfg, register)
    except (RegisterError, OSError, UnicodeDecodeError) as exc:
        err_console.print(safe(f"{register}: {exc}", "red"))
        raise typer.Exit(2) from None
    for line in report_lines(result, register):
        console.print(safe(line, "red" if ": refused: " in line else ""))
    raise typer.Exit(1 if result.refused else 0)


def register(app: typer.Typer) -> None:
    """Add `xxgk applications` to the app."""
    app.add_typer(applications_app, name="applications")
