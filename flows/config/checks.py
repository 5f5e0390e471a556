"""What the config's validation says beyond the models of flows/config/model.py: each pydantic error
worded as `entry: field 'x': message` (array entries named by id), and the checks no single
entry can make (unique ids, parents and units that exist, no cycle of parents)."""

from __future__ import annotations

from typing import Any

from flows.config.model import Config, Unit


def describe_error(error: Any, raw: dict[str, Any]) -> str:
    """Turn one pydantic error into `entry: field 'x': message`, naming array entries by id."""
    loc = list(error["loc"])
    entry = "top level"
    if loc and loc[0] in ("unit", "portal") and len(loc) >= 2 and isinstance(loc[1], int):
        entry = _entry_name(loc[0], loc[1], raw)
        loc = loc[2:]
    elif loc and loc[0] in ("warehouse", "harvest"):
        entry = f"[{loc[0]}]"
        loc = loc[1:]
    field = ".".join(str(part) for part in loc) or "(the entry itself)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (misspelt?)"
    elif error["type"] == "missing":
        message = "is required"
    elif "input" in error and error["type"] not in ("model_type", "dict_type", "list_type"):
        message = f"{message} (got {error['input']!r})"
    return f"{entry}: field '{field}': {message}"


def _entry_name(kind: str, index: int, raw: dict[str, Any]) -> str:
    """`portal[3] id="ly-gov"`: the position for the eye, the id for search."""
    entries = raw.get(kind)
    entry_id = None
    if isinstance(entries, list) and index < len(entries) and isinstance(entries[index], dict):
        entry_id = entries[index].get("id")
    return f'{kind}[{index}] id="{entry_id}"' if isinstance(entry_id, str) else f"{kind}[{index}]"


def cross_checks(config: Config) -> list[str]:
    """What no single entry can check: unique ids, existing parents and units, no cycles."""
    problems: list[str] = []
    for kind, entries in (("unit", config.units), ("portal", config.portals)):
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            if entry.id in seen:
                problems.append(f"{kind}[{index}] id=\"{entry.id}\": field 'id': duplicate of {kind}[{seen[entry.id]}]")
            else:
                seen[entry.id] = index
    unit_ids = {unit.id for unit in config.units}
    for index, unit in enumerate(config.units):
        if unit.parent is not None and unit.parent not in unit_ids:
            problems.append(f'unit[{index}] id="{unit.id}": field \'parent\': no unit with id "{unit.parent}"')
    problems.extend(_cycles(config.units))
    for index, portal in enumerate(config.portals):
        if portal.unit is not None and portal.unit not in unit_ids:
            problems.append(f'portal[{index}] id="{portal.id}": field \'unit\': no unit with id "{portal.unit}"')
    return problems


def _cycles(units: list[Unit]) -> list[str]:
    """Report each unit whose chain of parents comes back to itself (a system must be a tree)."""
    parent_of = {unit.id: unit.parent for unit in units}
    problems = []
    for index, unit in enumerate(units):
        seen = {unit.id}
        current = unit.parent
        while current is not None and current in parent_of:
            if current == unit.id:
                chain = " -> ".join([unit.id, *_chain(parent_of, unit.id)])
                problems.append(f"unit[{index}] id=\"{unit.id}\": field 'parent': cycle {chain}")
                break
            if current in seen:  # a cycle further up; reported at its own members
                break
            seen.add(current)
            current = parent_of[current]
    return problems


def _chain(parent_of: dict[str, str | None], start: str) -> list[str]:
    """The parents of `start` up to and including `start` again."""
    chain, current = [], parent_of[start]
    while current is not None and current != start:
        chain.append(current)
        current = parent_of.get(current)
    return [*chain, start]
