"""The Prefect flow `xxgk-batch`: one batch of portals harvested by whichever worker takes it.

The orchestrator (flows/distributed/flow.py) starts one flow run per batch on the work pool.
Every flow run is an attempt with its own folder in the exchange (on storage every worker
mounts at the same path): `exchange/<run_id>/<batch>/<flow run id>/`. Into it go
- `heartbeat.json`, rewritten every `heartbeat_seconds` from the start: the orchestrator
  takes an attempt whose heartbeat stops changing for its timeout as dead, since Prefect
  leaves the run of a worker killed outright in Running for ever;
- `lease.json`, the Prefect concurrency lease that holds the batch's hosts, so the
  orchestrator can hand a dead attempt's hosts to the next one at once;
- `landing/<run_id>/…`, the portals' landing files, written by `flows.night.steps.harvest_portal`;
- `outcomes.json`, written last: the attempt finished.
Only the orchestrator moves landing files into the data dir, and only those of the attempt
it accepted, so a dead attempt's files are never loaded.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from flows import prefect_env

prefect_env.configure()  # no-op for what the caller already set; keeps bare imports offline

from prefect import flow  # noqa: E402 - Prefect reads its settings on import
from prefect.client.orchestration import get_client  # noqa: E402
from prefect.client.schemas.objects import ConcurrencyLeaseHolder  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402

from connectors.detail_debt import DebtPolicy  # noqa: E402
from connectors.http import HttpClient  # noqa: E402
from connectors.parse_pool import Parser  # noqa: E402
from flows.config.clock import Clock, run_clock  # noqa: E402
from flows.config.load import load_config  # noqa: E402
from flows.config.model import Config, Harvest, Portal  # noqa: E402
from flows.distributed.plan import PortalPlan, plan_path, read_plan, slot_name  # noqa: E402
from flows.night.steps import PortalOutcome, debt_policy, harvest_contained, make_client, make_parser_pool  # noqa: E402
from warehouse.landing import check_name, replace_into  # noqa: E402

logger = logging.getLogger(__name__)

HEARTBEAT, LEASE, OUTCOMES = "heartbeat.json", "lease.json", "outcomes.json"
LEASE_GONE = 410  # Prefect's answer to renewing a lease that was released or has expired
STOPPED = 75  # exit status of an attempt that stopped itself after its lease was revoked


def exchange_dir(config: Config) -> Path:
    """The folder batches and the orchestrator exchange files through (under the data dir)."""
    return config.warehouse.data_dir / "exchange"


def attempt_dir(exchange: Path, run_id: str, batch_id: str, attempt_id: str) -> Path:
    """One attempt's own folder: nothing outside it is written by the attempt."""
    return Path(exchange) / check_name("run_id", run_id) / check_name("batch_id", batch_id) / attempt_id


def write_json(path: Path, document: Any) -> None:
    """A small JSON file written whole (temporary file, flushed, renamed)."""
    text = json.dumps(document, ensure_ascii=False)
    replace_into(path, lambda temp: temp.write_text(text, encoding="utf-8"))


class Heartbeat:
    """A thread that rewrites `heartbeat.json` every `every` seconds, and renews the
    batch's host lease while it has one; the beat number changes with every write.

    When the lease is gone (the orchestrator declared this attempt dead and released it),
    the process exits at once: another attempt now holds its hosts.
    """

    def __init__(self, path: Path, every: float, lease_seconds: float) -> None:
        self.path, self.every, self.lease_seconds = path, every, lease_seconds
        self.lease_id: UUID | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xxgk-heartbeat", daemon=True)
        self._beats = 0

    def beat(self) -> None:
        """Write one heartbeat: who is alive (host, pid, process group) and the beat number."""
        self._beats += 1
        pid = os.getpid()
        write_json(self.path, {"beat": self._beats, "host": socket.gethostname(), "pid": pid, "pgid": os.getpgid(pid)})

    def _run(self) -> None:
        renewed = time.monotonic()
        while not self._stop.wait(self.every):
            try:
                self.beat()
                if self.lease_id is not None and time.monotonic() - renewed >= self.lease_seconds / 4:
                    with get_client(sync_client=True) as client:
                        client.renew_concurrency_lease(self.lease_id, self.lease_seconds)
                    renewed = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next one
                if getattr(getattr(exc, "response", None), "status_code", None) == LEASE_GONE:
                    # The orchestrator took this attempt for dead and gave its hosts to
                    # another: asking them any longer would break the host's politeness.
                    logger.error("host lease revoked: this attempt was declared dead; stopping")
                    os._exit(STOPPED)
                logger.warning("heartbeat failed: %s", exc)

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def host_slots(names: list[str], lease_seconds: float, holder: UUID | None, record: Path) -> Iterator[UUID | None]:
    """Hold one slot of each host's global concurrency limit for the block; yield the lease id.

    Waits while another batch holds one of the hosts (HTTP 423, as Prefect's own
    `concurrency()` does). The lease id is written to `record` so the orchestrator can
    release a dead attempt's hosts; the lease also expires by itself `lease_seconds` after
    its last renewal (Heartbeat renews it).
    """
    if not names:
        yield None
        return
    owner = ConcurrencyLeaseHolder(type="flow_run", id=holder) if holder else None
    with get_client(sync_client=True) as client:
        while True:
            try:
                response = client.increment_concurrency_slots_with_lease(
                    names=names, slots=1, mode="concurrency", lease_duration=lease_seconds, holder=owner
                )
                break
            except Exception as exc:  # noqa: BLE001 - only 423 (held elsewhere) is waited out
                reply = getattr(exc, "response", None)
                if reply is None or reply.status_code != 423:
                    raise
                time.sleep(min(float(reply.headers.get("Retry-After", 1)), 5.0))
        lease_id = UUID(response.json()["lease_id"])
        write_json(record, {"lease_id": str(lease_id), "slots": names})
        try:
            yield lease_id
        finally:
            client.release_concurrency_slots_with_lease(lease_id)


@dataclass(frozen=True)
class Harvesting:
    """What every portal harvest of one attempt shares."""

    harvest: Harvest
    client: HttpClient
    parser: Parser | None
    debt: DebtPolicy
    landing_root: Path  # the attempt's folder: its landing files go under landing/<run_id>/
    run_id: str


def harvest_one(portal: Portal, plan: PortalPlan, shared: Harvesting) -> PortalOutcome:
    """One portal's harvest into the attempt's landing folder, tried again after a transient
    failure as the single-machine night does (`retries`, `retry_delay`)."""
    for attempt in range(1, shared.harvest.retries + 2):
        outcome = harvest_contained(
            portal,
            shared.client,
            data_dir=shared.landing_root,
            run_id=shared.run_id,
            mode=plan.mode,
            known=plan.known,
            parser=shared.parser,
            owed=plan.owed,
            debt=shared.debt,
            max_unreadable_share=shared.harvest.max_unreadable_share,
        )
        outcome.attempts = attempt
        if outcome.status != "failed" or not outcome.transient or attempt > shared.harvest.retries:
            return outcome
        time.sleep(shared.harvest.retry_delay)
    raise AssertionError("unreachable: the last attempt returns")


def harvest_worker_batch(
    config: Config,
    portals: list[Portal],
    plans: dict[str, PortalPlan],
    night: date,
    folder: Path,
    run_id: str,
    clock: Clock,
) -> list[PortalOutcome]:
    """Harvest the batch's portals on `harvest.concurrency` threads sharing one client, whose
    page archive is the data dir's (content-addressed, so shared safely between workers)."""
    client = make_client(config.harvest, config.warehouse.data_dir, clock)
    parser = make_parser_pool(config.harvest)
    shared = Harvesting(config.harvest, client, parser, debt_policy(config.harvest, night), folder, run_id)
    with client, parser or contextlib.nullcontext(), ThreadPoolExecutor(config.harvest.concurrency) as pool:
        futures = [pool.submit(harvest_one, portal, plans[portal.id], shared) for portal in portals]
        return [future.result() for future in futures]


@flow(name="xxgk-batch", log_prints=False, persist_result=False)
def batch(
    config_path: str,
    run_id: str,
    batch_id: str,
    portals: list[str],
    hosts: list[str],
    heartbeat_seconds: float = 5.0,
    lease_seconds: float = 120.0,
    clock: str | None = None,
) -> list[dict[str, Any]]:
    """Harvest one batch of the night `run_id` into this attempt's own folder; return the
    portals' outcomes (also written to `outcomes.json`, last, in the attempt's folder).

    Holds the global concurrency limit of every host in `hosts` for the whole batch, so no
    other batch, on any worker, asks those hosts meanwhile. `clock`: the instant the
    orchestrator read when it started this attempt (flows/config/clock.py), else the wall clock.
    """
    config = load_config(config_path)
    exchange = exchange_dir(config)
    plans, night = read_plan(plan_path(exchange, run_id, batch_id))
    run_uuid = UUID(flow_run.id) if flow_run.id else None
    folder = attempt_dir(exchange, run_id, batch_id, str(run_uuid or f"local-{os.getpid()}"))
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [config.portal(portal_id) for portal_id in portals]
    with Heartbeat(folder / HEARTBEAT, heartbeat_seconds, lease_seconds) as heart:
        names = [slot_name(host) for host in hosts]
        with host_slots(names, lease_seconds, run_uuid, folder / LEASE) as lease_id:
            heart.lease_id = lease_id
            outcomes = harvest_worker_batch(config, chosen, plans, night, folder, run_id, run_clock(clock))
    documents = [outcome.as_dict() for outcome in outcomes]
    write_json(folder / OUTCOMES, documents)
    return documents
