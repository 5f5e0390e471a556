"""The xxgk.toml that points at the served world: its units and its portals' entry URLs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from sim.catalog import PORTALS, UNITS

#: The [harvest] table of a simulated world: no delay, a short timeout and short waits on loopback.
HARVEST = {
    "concurrency": 8,
    "per_host_delay": 0,
    "timeout": 5,
    "full_every_days": 7,
    "user_agent": "xxgk/0.1 (+simulated world)",
    "retry_delay": 1,
    "request_backoff": 0.05,
}
_WHY = {
    "retry_delay": "  # on loopback a portal made to fail is retried within seconds",
    "request_backoff": "  # and a failing request is asked again within a fraction of one",
}


def _toml(value: object) -> str:
    """A TOML value (JSON's string, number, boolean and list syntax is valid TOML for these
    values)."""
    return json.dumps(value, ensure_ascii=False)


def _harvest(overrides: Mapping[str, object]) -> list[str]:
    """The [harvest] lines, with `overrides` replacing or adding keys (a value overridden
    loses the comment that explained the default)."""
    lines = ["[harvest]"]
    for key, value in {**HARVEST, **overrides}.items():
        why = _WHY.get(key, "") if key not in overrides else ""
        lines.append(f"{key} = {_toml(value)}{why}")
    return lines


def config_text(
    portal_urls: dict[str, str],
    data_dir: str | Path = "data",
    warehouse_path: str | Path | None = None,
    exclude: Iterable[str] = (),
    world: object = None,
    harvest: Mapping[str, object] | None = None,
) -> str:
    """The xxgk.toml for portals served at `portal_urls` (portal id -> entry URL), leaving
    out the portals in `exclude` (a portal removed from the configuration); `harvest`
    overrides [harvest] keys (e.g. per_host_delay=0.05, concurrency=32)."""
    excluded = set(exclude)
    unknown = sorted(excluded - set(portal_urls))
    if unknown:
        raise ValueError(f"exclude: no portal {', '.join(unknown)}; portals: {', '.join(portal_urls)}")
    data_dir = str(data_dir)
    warehouse_path = str(warehouse_path or Path(data_dir) / "xxgk.duckdb")
    units, portals = getattr(world, "units", UNITS), getattr(world, "portals", PORTALS)
    hosts = getattr(world, "portal_hosts", lambda url: {})(portal_urls)
    lines = [
        "# " + getattr(world, "config_title", "The simulated Longyan 2012 world on loopback, written by `sim`."),
        "",
        "[warehouse]",
        f"path = {_toml(warehouse_path)}",
        f"data_dir = {_toml(data_dir)}",
        "",
        *_harvest(harvest or {}),
    ]
    for unit in units:
        if not unit.configured:
            continue
        lines += [
            "",
            "[[unit]]",
            f"id = {_toml(unit.id)}",
            f"name = {_toml(unit.name)}",
            f"level = {_toml(unit.level)}",
            f"region = {_toml(unit.region)}",
        ]
        if unit.parent:
            lines.append(f"parent = {_toml(unit.parent)}")
        lines.append(f"aliases = {_toml(list(unit.aliases))}")
    for portal in (p for p in portals if p.id not in excluded):
        lines += [
            "",
            "[[portal]]",
            f"id = {_toml(portal.id)}",
            f"name = {_toml(portal.name)}",
            f"level = {_toml(portal.level)}",
            f"region = {_toml(portal.region)}",
            f"platform = {_toml(portal.platform)}",
            f"url = {_toml(portal_urls[portal.id])}",
        ]
        unit = world.portal_unit(portal) if hasattr(world, "portal_unit") else portal.unit
        if unit:
            lines.append(f"unit = {_toml(unit)}")
        if hosts.get(portal.id):
            lines.append(f"hosts = {_toml(hosts[portal.id])}")
        details = world.portal_details(portal) if hasattr(world, "portal_details") else "new"
        lines.append(f"details = {_toml(details)}")
    return "\n".join(lines) + "\n"
