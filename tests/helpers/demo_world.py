"""The simulated Longyan 2012 world harvested once per test run, as `xxgk demo` does.

`build_demo_world(folder, sim)` imports the world's applications register, then runs `xxgk
sync` on the running simulator `sim` (the nightly flow on the run's Prefect test server: the
harvest, the build, the annual reports and the publish), keeps what the night printed
(`first_night`) and returns the config and the published file. About 35 s. The config names
its paths relative to its own folder, so a copy of the config, the register and the published
file (`copy_demo_world`) is a world of its own: the tests that only read it each get a copy,
and the harvest is paid once (tests/conftest.py: `demo_world`). A test that goes on from the
night (another night, another step) takes a copy of the whole folder
(`copy_whole_demo_world`), its landing, state and archive included.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import NamedTuple

from typer.testing import CliRunner

from flows.cli.app import app
from flows.cli.applications import import_register
from flows.config.load import load_config
from sim.server import SimServer

CONFIG, REGISTER, PUBLISHED = "xxgk.toml", "applications.csv", Path("data") / "xxgk.duckdb"
NIGHT = "first-night.json"  # what the first night's `xxgk sync` printed, and its exit code


class Night(NamedTuple):
    """What one `xxgk sync` printed and its exit code."""

    exit_code: int
    output: str


def build_demo_world(folder: Path, sim: SimServer) -> tuple[Path, Path]:
    """Harvest the demo world `sim` serves into `folder`; (config path, published warehouse path)."""
    config_path = sim.write_config(folder / CONFIG, data_dir=PUBLISHED.parent)
    config = load_config(config_path)
    imported = import_register(config, config_path.with_name(REGISTER))
    assert imported.kept == 4 and not imported.refused, imported
    night = CliRunner().invoke(app, ["sync", "--config", str(config_path)], terminal_width=200, catch_exceptions=False)
    assert night.exit_code == 0, night.output
    (folder / NIGHT).write_text(json.dumps(Night(night.exit_code, night.output)._asdict()), encoding="utf-8")
    assert config.warehouse.path == folder.resolve() / PUBLISHED  # relative to the config: copyable
    return config_path, config.warehouse.path


def first_night(built: Path) -> Night:
    """What the `xxgk sync` that harvested the world built in `built` printed."""
    return Night(**json.loads((built / NIGHT).read_text(encoding="utf-8")))


def copy_demo_world(built: Path, folder: Path) -> tuple[Path, Path]:
    """The config, the register and the published file of the world built in `built`, copied
    into `folder`; (config path, published warehouse path) of the copy."""
    (folder / PUBLISHED.parent).mkdir(parents=True, exist_ok=True)
    for name in (CONFIG, REGISTER, PUBLISHED):
        shutil.copyfile(built / name, folder / name)
    return folder / CONFIG, folder / PUBLISHED


def copy_whole_demo_world(built: Path, folder: Path) -> Path:
    """The whole folder of the world built in `built` (config, register, landing, state, archive
    and published file) copied to `folder`; the copy's config path."""
    shutil.copytree(built, folder)
    return folder / CONFIG
