"""The exchange folder: what the orchestrator and the batches hand each other on shared storage,
and how a night's harvest is taken from it into the data dir.

    exchange/<run_id>/plan/<batch>.json          the orchestrator's plan of one batch
    exchange/<run_id>/<batch>/<n>-<flow run id>/ attempt n of the batch, written by it alone:
        progress.json                            its phase and the pages and rows read so far
        lease.json                               the host lease it holds
        landing/<run_id>/...                     its portals' landing runs
        outcomes/<portal>.json                   a portal's outcome, written once its run is final
    exchange/<run_id>/accepted                   the night's harvest was taken into the data dir

A portal is final in an attempt once its outcome file exists: it is written after the
portal's last landing run of that attempt, so its landing files never change after it.
Acceptance takes, for each portal, the final run of the batch's latest attempt that has
one, and copies it into `data_dir/landing/<run_id>/` (warehouse/landing.py `copy_landing`:
the run file removed first and copied last, so a copy cut short never pairs files of two
attempts). Nothing here talks to Prefect: a night whose orchestrator died can be taken in
by the next night, or by `xxgk sync --resume`, from the files alone.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from flows.config.model import Config
from flows.night.steps import PortalOutcome
from warehouse.landing import check_name, copy_landing, replace_into

logger = logging.getLogger(__name__)

PROGRESS, LEASE, OUTCOMES, ACCEPTED = "progress.json", "lease.json", "outcomes", "accepted"


def exchange_dir(config: Config) -> Path:
    """The folder batches and the orchestrator exchange files through (under the data dir)."""
    return config.warehouse.data_dir / "exchange"


def attempt_dir(exchange: Path, run_id: str, batch_id: str, number: int, attempt_id: str) -> Path:
    """Attempt `number` of a batch: its own folder, nothing outside it written by it."""
    night = Path(exchange) / check_name("run_id", run_id) / check_name("batch_id", batch_id)
    return night / check_name("attempt_id", f"{int(number)}-{attempt_id}")


def attempts_of(exchange: Path, run_id: str, batch_id: str) -> list[Path]:
    """A batch's attempt folders, first attempt first."""
    folder = Path(exchange) / check_name("run_id", run_id) / check_name("batch_id", batch_id)
    found = [path for path in folder.iterdir() if path.is_dir()] if folder.is_dir() else []
    numbered = [(int(path.name.split("-", 1)[0]), path) for path in found if path.name.split("-", 1)[0].isdigit()]
    return [path for _, path in sorted(numbered)]


def write_json(path: Path, document: Any) -> None:
    """A small JSON file written whole (temporary file, flushed, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False)
    replace_into(path, lambda temp: temp.write_text(text, encoding="utf-8"))


def read_json(path: Path) -> Any:
    """A JSON file written by `write_json`; None when it is not there (yet)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def outcome_path(folder: Path, portal_id: str) -> Path:
    """Where an attempt records a portal's outcome once its run is final."""
    return Path(folder) / OUTCOMES / f"{check_name('portal_id', portal_id)}.json"


def final_outcome(folder: Path, portal_id: str) -> PortalOutcome | None:
    """The portal's outcome in this attempt, if its run there is final."""
    document = read_json(outcome_path(folder, portal_id))
    return PortalOutcome(**document) if document is not None else None


def unfinished(folders: list[Path], portal_ids: list[str] | tuple[str, ...]) -> list[str]:
    """The portals no attempt has finished: what the next attempt harvests."""
    return [p for p in portal_ids if not any(outcome_path(folder, p).exists() for folder in folders)]


def accept_batch(
    folders: list[Path], data_dir: Path, run_id: str, portal_ids: list[str] | tuple[str, ...]
) -> dict[str, PortalOutcome]:
    """Copy each portal's final run from the latest attempt that has one into the data dir's
    landing folder; their outcomes by portal (a portal no attempt finished is absent)."""
    accepted: dict[str, PortalOutcome] = {}
    for portal_id in portal_ids:
        for folder in reversed(folders):
            outcome = final_outcome(folder, portal_id)
            if outcome is None:
                continue
            if copy_landing(folder, data_dir, run_id, portal_id):
                accepted[portal_id] = outcome
                break
    return accepted


def mark_accepted(exchange: Path, run_id: str) -> None:
    """Record that the night's harvest is in the data dir (the next night need not copy it)."""
    write_json(Path(exchange) / check_name("run_id", run_id) / ACCEPTED, {"run_id": run_id})


def planned_batches(exchange: Path, run_id: str) -> dict[str, list[str]]:
    """The batches of a night and their portals, as its plans name them."""
    plans = Path(exchange) / check_name("run_id", run_id) / "plan"
    found = sorted(plans.glob("*.json")) if plans.is_dir() else []
    return {path.stem: list((read_json(path) or {}).get("portals", {})) for path in found}


def accept_night(exchange: Path, data_dir: Path, run_id: str) -> list[PortalOutcome]:
    """Take a night's final runs into the data dir from its folder alone (its orchestrator
    died before it did); the outcomes of every planned portal, those never finished failed."""
    outcomes, taken = [], 0
    for batch_id, portal_ids in planned_batches(exchange, run_id).items():
        accepted = accept_batch(attempts_of(exchange, run_id, batch_id), data_dir, run_id, portal_ids)
        reason = f"batch {batch_id} never finished: its night {run_id} was interrupted"
        outcomes += [accepted.get(p) or PortalOutcome(p, "-", "failed", reason=reason) for p in portal_ids]
        taken += len(accepted)
    mark_accepted(exchange, run_id)
    logger.warning("night %s was never accepted: took in %d of its %d portals' runs", run_id, taken, len(outcomes))
    return outcomes


def take_leftovers(config: Config) -> dict[str, list[PortalOutcome]]:
    """Accept every earlier night in the exchange that was never accepted, then delete the
    exchange's folders; the accepted nights' outcomes by run id. Call only under the run
    lock: no other orchestrator is alive, so no other night is being accepted."""
    exchange, data_dir = exchange_dir(config), config.warehouse.data_dir
    taken: dict[str, list[PortalOutcome]] = {}
    nights = sorted(path for path in exchange.iterdir() if path.is_dir()) if exchange.is_dir() else []
    for night in nights:
        if not (night / ACCEPTED).exists() and (night / "plan").is_dir():
            taken[night.name] = accept_night(exchange, data_dir, night.name)
    for night in nights:
        shutil.rmtree(night, ignore_errors=True)
    return taken
