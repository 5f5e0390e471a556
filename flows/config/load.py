"""Load and validate `xxgk.toml` into the typed model (flows/config/model.py).

A bad config is refused as a whole, before any request: every problem is collected into one
`ConfigError` whose lines each name the file, the entry (`portal[3] id="ly-gov"`) and the
field, so an operator fixes them all in one pass.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flows.config.checks import cross_checks, describe_error
from flows.config.model import Config


class ConfigError(ValueError):
    """The config file cannot be used; the message lists every problem found, one per line."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = problems
        lines = "\n".join(f"  {path}: {problem}" for problem in problems)
        super().__init__(f"invalid config {path} ({len(problems)} problem(s)):\n{lines}")


def load_config(path: Path | str) -> Config:
    """Read, validate and resolve a config file; raise one `ConfigError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot be read: {exc}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None  # the message has line and column
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path | str = "xxgk.toml") -> Config:
    """Validate an already-parsed TOML document as if it were read from `path`."""
    path = Path(path)
    if "source" in raw:  # `source` is set by the loader, never by the file
        raise ConfigError(path, ["top level: field 'source': unknown key (misspelt?)"])
    try:
        config = Config.model_validate({**raw, "source": path})
    except ValidationError as exc:
        raise ConfigError(path, [describe_error(error, raw) for error in exc.errors()]) from None
    problems = cross_checks(config)
    if problems:
        raise ConfigError(path, problems)
    return _resolve_paths(config, path.resolve().parent)


def _resolve_paths(config: Config, base: Path) -> Config:
    """Make the warehouse paths absolute against the config file's folder, not the shell's."""
    warehouse = config.warehouse.model_copy(
        update={"path": _absolute(config.warehouse.path, base), "data_dir": _absolute(config.warehouse.data_dir, base)}
    )
    return config.model_copy(update={"warehouse": warehouse})


def _absolute(path: Path, base: Path) -> Path:
    """`path` expanded (~) and anchored at `base` when relative."""
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()
