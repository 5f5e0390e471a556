"""The simulated Longyan 2012 world harvested once per test run, without Prefect.

`build_demo_world(folder, sim)` harvests every portal of the running simulator `sim` in full
with the nightly flow's own steps (flows/night/steps.py `harvest_portal`, then
flows/night/publish.py `build_warehouse`) after importing the world's applications register
(as `xxgk demo` does) and returns the config and the published file. About 30 s. The config
names its paths relative to its own folder, so a copy of the config, the register and the
published file (`copy_demo_world`) is a world of its own: the tests that only read it each get
a copy, and the harvest is paid once (tests/conftest.py: `demo_world`). A test that goes on
from the harvest (another step of the night) takes a copy of the whole folder
(`copy_whole_demo_world`), its landing, state and archive included.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from flows.cli.applications import import_register
from flows.config.load import load_config
from flows.night.housekeeping import new_run_id
from flows.night.publish import build_warehouse
from flows.night.steps import harvest_portal, make_client
from sim.server import SimServer

CONFIG, REGISTER, PUBLISHED = "xxgk.toml", "applications.csv", Path("data") / "xxgk.duckdb"


def build_demo_world(folder: Path, sim: SimServer) -> tuple[Path, Path]:
    """Harvest the demo world `sim` serves into `folder`; (config path, published warehouse path)."""
    config_path = sim.write_config(folder / CONFIG, data_dir=PUBLISHED.parent)
    config = load_config(config_path)
    imported = import_register(config, config_path.with_name(REGISTER))
    assert imported.kept == 4 and not imported.refused, imported
    run_id = new_run_id()
    with make_client(config.harvest, config.warehouse.data_dir) as client:
        for portal in config.portals:
            outcome = harvest_portal(portal, client, data_dir=config.warehouse.data_dir, run_id=run_id, mode="full")
            assert outcome.status == "ok", (portal.id, outcome.reason)
    built = build_warehouse(config)
    assert built.ok, built.reason
    assert config.warehouse.path == folder.resolve() / PUBLISHED  # relative to the config: copyable
    return config_path, config.warehouse.path


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
