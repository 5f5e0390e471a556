"""The night's warehouse step: load every whole landing file into the state, build the
models, run the checks and publish the file atomically, as one outcome the run summary
reports (a refused build is an outcome, never an exception: yesterday's file stays)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from flows.config.model import Config
from flows.night.housekeeping import compact
from warehouse.build import BuildError, BuildResult, build
from warehouse.load import load, load_reported_readings
from warehouse.refresh import RefreshError, refresh

#: The state tables a night's reading of annual reports adds rows to (flows/reported/night.py).
REPORTED_TABLES = ("state.raw_reported_reads", "state.raw_reported_figures")


@dataclass
class BuildOutcome:
    """What the warehouse step did: loaded runs, whether the build and its checks passed."""

    ok: bool
    reason: str | None = None
    runs_loaded: int = 0
    rows_loaded: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def quarantines(self) -> list[dict[str, Any]]:
        """The pending quarantined listings the build left (warehouse.build.BuildResult)."""
        return list(self.details.get("quarantines") or [])

    @property
    def held_drops(self) -> list[dict[str, Any]]:
        """The held figures that fell tonight past `max_held_drop` (rpt_held_drops)."""
        return list(self.details.get("held_drops") or [])


def build_warehouse(config: Config) -> BuildOutcome:
    """Load every whole landing file, build the models, run the checks, publish atomically.

    A refused build (bad config, failed model or check) is an outcome, not an exception:
    yesterday's published file stays, and the run reports why.
    """
    state_path, data_dir = config.warehouse.state_path, config.warehouse.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)  # a config with no harvest yet builds empty tables
    loaded = load(state_path, data_dir, memory_limit=config.warehouse.memory_limit)
    outcome = BuildOutcome(ok=True, runs_loaded=len(loaded.runs_loaded), rows_loaded=loaded.rows_loaded)
    if loaded.rejected:
        outcome.details["rejected_runs"] = [f"{path}: {why}" for path, why in loaded.rejected]
    if loaded.interrupted:
        outcome.details["interrupted_runs"] = list(loaded.interrupted)
    try:
        result = build_with(config, state_path, config.warehouse.path)
    except BuildError as exc:
        outcome.ok, outcome.reason = False, f"build refused: {exc}"
        outcome.details.update(compact(config))
        return outcome
    outcome.details.update(_built(result, config))
    outcome.details.update(compact(config))
    return outcome


def build_with(config: Config, state_path: str | os.PathLike, published_path: str | os.PathLike) -> BuildResult:
    """Build `state_path` into `published_path` with the config's units, portals and settings
    (warehouse/build.py); raises `BuildError` as the build does."""
    return build(
        state_path,
        published_path,
        config.units_as_dicts(),
        config.portals_as_dicts(),
        memory_limit=config.warehouse.memory_limit,
        quarantine_release_listings=config.harvest.quarantine_release_listings,
        removed_portal_grace_days=config.harvest.removed_portal_grace_days,
        max_held_drop=config.harvest.max_held_drop,
    )


def refresh_reported(config: Config) -> BuildOutcome:
    """Load the annual reports the night read after its build, and make again only the
    models they feed in a copy of the published file (warehouse/refresh.py), instead of a
    second whole build; a whole build when those models need one. A refused refresh is an
    outcome, as a refused build is: the file the night's build published stays."""
    warehouse = config.warehouse
    rejected = load_reported_readings(warehouse.state_path, warehouse.data_dir, warehouse.memory_limit)
    try:
        result = refresh(warehouse.state_path, warehouse.path, REPORTED_TABLES, memory_limit=warehouse.memory_limit)
    except RefreshError:
        return build_warehouse(config)
    except BuildError as exc:
        return BuildOutcome(ok=False, reason=f"build refused: {exc}")
    outcome = BuildOutcome(ok=True, details=_built(result, config))
    if rejected:
        outcome.details["rejected_runs"] = [f"{path}: {why}" for path, why in rejected]
    return outcome


def _built(result: BuildResult, config: Config) -> dict[str, Any]:
    """What a published build says, as the outcome's details."""
    return dict(
        documents=result.n_documents,
        sightings=result.n_sightings,
        index_conflicts=result.n_index_conflicts,
        unmatched_publishers=result.n_unmatched_publishers,
        undated_documents=result.n_undated_documents,
        uncounted_documents=result.n_uncounted_documents,
        quarantined_runs=[f"{portal}/{run}" for portal, run in result.quarantined_runs],
        quarantines=result.pending_quarantines,
        quarantine_release_listings=config.harvest.quarantine_release_listings,
        held_drops=result.held_drops,
    )
