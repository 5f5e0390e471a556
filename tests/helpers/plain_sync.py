"""The nightly run's steps without Prefect, in the order the flow runs them, as a process a
test can kill (`python tests/helpers/plain_sync.py xxgk.toml`).

Under the run lock: remove what killed runs left, harvest every portal of the config one
after the other as one batch (parsing in-thread, landing into one batch file as the flow's
tasks do), then load, build, publish and compact. The run starts at `XXGK_CLOCK` when it is
set. The exit code is 0 when the build published, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flows.config.clock import run_clock
from flows.config.load import load_config
from flows.night.batches import Night, TaskBatch, harvest_task_batch
from flows.night.debt import as_owed, debt_policy
from flows.night.housekeeping import exclusive_run, night_of, remove_leftovers, unused_run_id
from flows.night.publish import BuildOutcome, build_warehouse
from flows.night.steps import make_client, mode_for
from warehouse.portal_state import portal_states


def sync(config_path: str | Path) -> BuildOutcome:
    """One night of the config's portals; the build's outcome."""
    config = load_config(config_path)
    data_dir, every = config.warehouse.data_dir, config.harvest.full_every_days
    clock = run_clock()
    with exclusive_run(data_dir):
        remove_leftovers(config)
        now = clock()
        run_id = unused_run_id(data_dir, now)
        states = portal_states(config.warehouse.state_path, [p.id for p in config.portals])
        with make_client(config.harvest, data_dir, clock) as client:
            night = Night(
                client=client,
                data_dir=data_dir,
                run_id=run_id,
                modes={pid: mode_for(s.last_full, every, now=now) for pid, s in states.items()},
                known={pid: s.known for pid, s in states.items()},
                owed={pid: as_owed(s.owed) for pid, s in states.items()},
                debt=debt_policy(config.harvest, night_of(run_id)),
            )
            harvest_task_batch(TaskBatch(list(config.portals)), night, attempt=1)
        return build_warehouse(config)


if __name__ == "__main__":
    sys.exit(0 if sync(sys.argv[1]).ok else 1)
