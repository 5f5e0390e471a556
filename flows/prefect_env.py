"""Prefect's settings for xxgk: offline, quiet, its state kept with ours.

Prefect reads its settings from the environment when it is first imported, so `configure`
must run before anything imports `prefect`; the CLI calls it as soon as it knows the data
dir. Every value is a default: a setting the user made is never overridden. A new home's
database starts as a copy of one Prefect migrated once (`prefect_db`).
"""

from __future__ import annotations

import os
from pathlib import Path

from flows import prefect_db

QUIET_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def configure(data_dir: Path | None = None, *, seed_database: bool = True) -> dict[str, str]:
    """Set Prefect's offline and quiet defaults, and PREFECT_HOME under `data_dir` when given.

    When that home is ours and its database is new, the database is seeded with a migrated
    copy (unless `seed_database` is false: commands that need a server of the user's), which
    saves the temporary server several seconds of CPU migrating it. Returns the variables this call
    set (the ones the user had not set already).
    """
    wanted = dict(QUIET_DEFAULTS)
    if data_dir is not None:
        wanted["PREFECT_HOME"] = str(Path(data_dir).resolve() / "prefect")
    applied = {}
    for name, value in wanted.items():
        if name not in os.environ:
            os.environ[name] = value
            applied[name] = value
    if "PREFECT_HOME" in applied:
        # Prefect creates its home but not the folders above it; its server fails without them.
        Path(applied["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
        if seed_database:
            prefect_db.seed(Path(applied["PREFECT_HOME"]))
    return applied


def home() -> Path:
    """Prefect's home as Prefect reads it: PREFECT_HOME, else its default `~/.prefect`."""
    return Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
