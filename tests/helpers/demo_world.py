"""The simulated Longyan 2012 world harvested once per test session, without Prefect.

`demo_warehouse()` starts the simulator on loopback, harvests every portal in full with the
nightly flow's own steps (flows/night/steps.py: `harvest_portal`, then `build_warehouse`) after
importing the world's applications register (as `xxgk demo` does), stops
the simulator and returns the config and the published file. About 40 s, paid once per
session whichever test module asks first (cached; the folder is removed at exit).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from flows.cli.applications import import_register
from flows.config.load import load_config
from flows.night.housekeeping import new_run_id
from flows.night.steps import build_warehouse, harvest_portal, make_client
from sim.server import start


@functools.cache
def demo_warehouse() -> tuple[Path, Path]:
    """(config path, published warehouse path) of the harvested demo world."""
    folder = Path(tempfile.mkdtemp(prefix="xxgk-demo-world-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with start(port=0) as sim:
        config_path = sim.write_config(folder / "xxgk.toml")
        config = load_config(config_path)
        imported = import_register(config, config_path.with_name("applications.csv"))
        assert imported.kept == 4 and not imported.refused, imported
        client = make_client(config.harvest, config.warehouse.data_dir)
        run_id = new_run_id()
        for portal in config.portals:
            outcome = harvest_portal(portal, client, data_dir=config.warehouse.data_dir, run_id=run_id, mode="full")
            assert outcome.status == "ok", (portal.id, outcome.reason)
    built = build_warehouse(config)
    assert built.ok, built.reason
    return Path(config_path), config.warehouse.path
