"""The nightly run's steps without Prefect, in the order the flow runs them, as a process a
test can kill (`python tests/helpers/plain_sync.py xxgk.toml`).

Under the run lock: remove what killed runs left, harvest every portal of the config one
after the other (parsing in-thread), then load, build and publish. The exit code is 0 when
the build published, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flows.config.load import load_config
from flows.night.housekeeping import exclusive_run, remove_leftovers, unused_run_id
from flows.night.steps import (
    BuildOutcome,
    build_warehouse,
    choose_mode,
    harvest_portal,
    make_client,
)
from warehouse.load import known_items


def sync(config_path: str | Path) -> BuildOutcome:
    """One night of the config's portals; the build's outcome."""
    config = load_config(config_path)
    data_dir, state = config.warehouse.data_dir, config.warehouse.state_path
    with exclusive_run(data_dir):
        remove_leftovers(config)
        run_id = unused_run_id(data_dir)
        with make_client(config.harvest, data_dir) as client:
            for portal in config.portals:
                mode = choose_mode(state, portal.id, config.harvest.full_every_days)
                harvest_portal(
                    portal, client, data_dir=data_dir, run_id=run_id, mode=mode, known=known_items(state, portal.id)
                )
        return build_warehouse(config)


if __name__ == "__main__":
    sys.exit(0 if sync(sys.argv[1]).ok else 1)
