"""The night's progress in Prefect: a progress artifact updated as batches finish.

A deployed night has no terminal to draw on; its operator watches the flow run in Prefect's
UI. The artifact `xxgk-harvest-progress` holds the finished share of the night's portals
(0 to 100) and, as its description, the same line the terminal view prints
(`flows.ui.progress.overall_line`: done, failed, in flight, pages, rows, elapsed, ETA). It
is created when the harvest starts and updated each time a batch task ends, from the
night's tally (flows/night/tally.py): at most a few updates per worker thread, each one
API call, so a night of thousands of portals does not flood Prefect.

Prefect's artifacts are a view: an API that refuses or is not there must not fail the
night, so every call here swallows its errors, and a failed creation makes the updates
no-ops.
"""

from __future__ import annotations

import contextlib
from uuid import UUID

from flows import prefect_env

prefect_env.configure()  # no-op for what the caller already set; keeps bare imports offline

from prefect.artifacts import create_progress_artifact, update_progress_artifact  # noqa: E402

from flows.night.tally import NightTally, TallySnapshot  # noqa: E402
from flows.ui.progress import overall_line  # noqa: E402

KEY = "xxgk-harvest-progress"


class ProgressArtifact:
    """The Prefect progress artifact of one night's harvest (module docstring)."""

    def __init__(self, tally: NightTally, run_id: str) -> None:
        self._tally = tally
        self._run_id = run_id
        self.artifact_id: UUID | None = None
        with contextlib.suppress(Exception):  # a view: its absence must not fail the night
            self.artifact_id = create_progress_artifact(0.0, key=KEY, description=self._description(tally.snapshot()))

    def _description(self, snap: TallySnapshot) -> str:
        return f"Harvest of run {self._run_id}: {overall_line(snap)}"

    def update(self) -> None:
        """Report the tally as it is now."""
        if self.artifact_id is None:
            return
        snap = self._tally.snapshot()
        with contextlib.suppress(Exception):
            update_progress_artifact(self.artifact_id, snap.share * 100, description=self._description(snap))
