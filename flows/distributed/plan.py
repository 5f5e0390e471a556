"""The night's portals cut into batches for workers on several machines, and each batch's plan.

A batch is the unit a worker runs (flows/distributed/batch.py). Portals that share a host
(their entry URL's host or any of their `hosts`) always go into one batch, so one host is
only ever asked by one batch, and so by one process that spaces its requests
(`per_host_delay`); a Prefect global concurrency limit per host (`slot_name`) guards the
same rule across runs and retries. A group of portals sharing hosts is never split, even
when it is larger than the batch size.

The plan is what a batch needs from the state database, which lives with the orchestrator:
each portal's mode (full or incremental), the items it has shown before and the detail
pages it owes. The orchestrator writes it once per batch to the exchange folder on shared
storage; the batch reads it there, so no worker opens the state database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from connectors.detail_debt import OwedDetail
from connectors.http.hosts import allowed_hosts
from flows.config.model import Config, Portal
from flows.night.debt import as_owed
from flows.night.steps import mode_for
from warehouse.components import connected_components
from warehouse.landing import check_name, replace_into
from warehouse.portal_state import portal_states

#: Prefix of the Prefect global concurrency limits that hold one host for one batch.
SLOT_PREFIX = "xxgk-host-"


@dataclass(frozen=True)
class WorkerBatch:
    """Portals harvested together by one worker, and every host key they may touch."""

    id: str
    portal_ids: tuple[str, ...]
    hosts: tuple[str, ...]

    @property
    def slots(self) -> list[str]:
        """The names of the global concurrency limits the batch holds while it runs."""
        return [slot_name(host) for host in self.hosts]


def slot_name(host: str) -> str:
    """The global concurrency limit of one host key (`hostname:port`)."""
    return SLOT_PREFIX + host


def portal_hosts(portal: Portal) -> frozenset[str]:
    """Every host key the portal's requests may reach: the unit of politeness."""
    return allowed_hosts(portal.url, portal.hosts)


def host_groups(portals: list[Portal]) -> list[list[Portal]]:
    """The portals in groups that share no host with one another, in config order.

    Two portals are in one group when they share a host key, directly or through a chain
    of portals: the connected components of an edge from each portal to the first portal
    that named each of its hosts.
    """
    owner: dict[str, int] = {}
    first, then = [], []
    for i, portal in enumerate(portals):
        for host in portal_hosts(portal):
            first.append(owner.setdefault(host, i))
            then.append(i)
    labels = connected_components(len(portals), first, then)
    # a group is labelled by its first portal, so groups appear in config order
    groups: dict[int, list[Portal]] = {}
    for portal, label in zip(portals, labels.tolist(), strict=True):
        groups.setdefault(label, []).append(portal)
    return list(groups.values())


def make_batches(portals: list[Portal], size: int) -> list[WorkerBatch]:
    """Host groups packed into batches of about `size` portals (first fit, config order).

    A group is never split: one larger than `size` is a batch of its own.
    """
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    packed: list[list[Portal]] = []
    for group in host_groups(portals):
        target = next((batch for batch in packed if len(batch) + len(group) <= size), None)
        if target is None:
            packed.append(list(group))
        else:
            target.extend(group)
    width = len(str(len(packed)))
    return [
        WorkerBatch(
            id=f"b{n:0{width}d}",
            portal_ids=tuple(p.id for p in batch),
            hosts=tuple(sorted(set().union(*(portal_hosts(p) for p in batch)))),
        )
        for n, batch in enumerate(packed, start=1)
    ]


@dataclass
class PortalPlan:
    """What one portal's harvest needs from the state database."""

    mode: str
    known: dict[str, str]
    owed: dict[str, OwedDetail]


def night_plans(
    config: Config, batches: list[WorkerBatch], full: bool, now: datetime
) -> dict[str, dict[str, PortalPlan]]:
    """Each batch's plans, from one read of the state database for every portal of the
    night (warehouse/portal_state.py): its mode, the items it has shown, its owed pages."""
    states = portal_states(config.warehouse.state_path, [p for batch in batches for p in batch.portal_ids])
    every = config.harvest.full_every_days
    return {
        batch.id: {
            portal_id: PortalPlan(
                mode=mode_for(states[portal_id].last_full, every, force_full=full, now=now),
                known=states[portal_id].known,
                owed=as_owed(states[portal_id].owed),
            )
            for portal_id in batch.portal_ids
        }
        for batch in batches
    }


def plan_path(exchange: Path, run_id: str, batch_id: str) -> Path:
    """Where the orchestrator leaves a batch's plan."""
    return Path(exchange) / check_name("run_id", run_id) / "plan" / f"{check_name('batch_id', batch_id)}.json"


def write_plan(path: Path, plans: dict[str, PortalPlan], night: date) -> None:
    """Write a batch's plan whole (temporary file, flushed, renamed)."""
    document = {
        "night": night.isoformat(),
        "portals": {
            portal_id: {
                "mode": plan.mode,
                "known": plan.known,
                "owed": {key: _owed_json(owed) for key, owed in plan.owed.items()},
            }
            for portal_id, plan in plans.items()
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False)
    replace_into(path, lambda temp: temp.write_text(text, encoding="utf-8"))


def read_plan(path: Path) -> tuple[dict[str, PortalPlan], date]:
    """A batch's plan and the night it is for, as `write_plan` wrote them."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    plans = {
        portal_id: PortalPlan(
            mode=entry["mode"],
            known=dict(entry["known"]),
            owed={key: _owed_from_json(value) for key, value in entry["owed"].items()},
        )
        for portal_id, entry in document["portals"].items()
    }
    return plans, date.fromisoformat(document["night"])


#: The nights of an owed page, written as ISO dates.
_OWED_DATES = ("last_attempt", "owed_since", "gone_on")


def _owed_json(owed: OwedDetail) -> dict:
    data = owed._asdict()
    for name in _OWED_DATES:
        data[name] = data[name].isoformat() if data[name] else None
    return data


def _owed_from_json(data: dict) -> OwedDetail:
    nights = {name: date.fromisoformat(data[name]) if data.get(name) else None for name in _OWED_DATES}
    return OwedDetail(url=data["url"], attempts=int(data["attempts"]), listing_hash=data.get("listing_hash"), **nights)
