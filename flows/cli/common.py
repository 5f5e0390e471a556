"""What every `xxgk` command shares: the consoles, the config option, loading a config or
exiting with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.config.load import ConfigError, load_config
from flows.config.model import Config
from flows.ui.render import make_console, safe

console = make_console()
err_console = make_console(stderr=True)  # soft-wrapped: messages hold paths, let the terminal wrap them

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The xxgk.toml to use.", show_default=False)]


def load_or_exit(config_path: Path) -> Config:
    """The validated config, or a red list of its problems and exit code 2.

    Nothing is written here: commands that run Prefect call `prefect_env.configure` themselves.
    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        err_console.print(safe(str(exc), "red"))
        raise typer.Exit(2) from None
    return config


def published_or_exit(config_path: Path) -> Config:
    """The config of a command that reads the published warehouse; exit 1 when none is published."""
    cfg = load_or_exit(config_path)
    if not cfg.warehouse.path.exists():
        err_console.print(
            safe(f"no published warehouse at {cfg.warehouse.path}: run `xxgk sync --config {config_path}` first", "red")
        )
        raise typer.Exit(1)
    return cfg
