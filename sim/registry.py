"""The worlds `sim` serves, by name, and how each one is built and served.

Each world is built by its own module: `longyan` (sim.world: the Longyan 2012 world, any
seed and scale, `until` for a longer span, `small`), `messy` (sim.messy.world: the same
world with the traps of real portals), `guangdong` (sim.guangdong: gkmlpt, gov.cn and the
Hanweb search) and `province` (sim.province.world: N portals, an address each). Here each
name maps to that builder, the Site class serving each of its platform families
(sim.pages, sim.messy.sites), how its ground truth is written and whether its config comes
with the applications register, and where its portals listen (sim.listening: a port each
on one host, or a loopback address each on one port). The server and the command line find
a world's way of being served here, never by testing its class.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from sim import guangdong, truth
from sim import world as longyan
from sim.listening import Layout, address_each, port_each
from sim.messy import world as messy
from sim.messy.sites import MESSY_SITES
from sim.model import Portal, Unit
from sim.pages import GUANGDONG_SITES, SITES
from sim.province import world as province


class ServedWorld(Protocol):
    """What the server and the config writer read of every world."""

    name: str
    portals: Sequence[Portal]
    units: Sequence[Unit]
    default_as_of: date


#: (world, path, origins, as_of, migrations) -> the file written
TruthWriter = Callable[[Any, Path, Mapping[str, str], date, Mapping[str, date]], Path]


@dataclass(frozen=True)
class WorldKind:
    """How one world is built and served."""

    name: str
    build: Callable[..., ServedWorld]  # the world's own options, by keyword
    sites: Mapping[str, type]  # platform family -> the Site class serving its portals
    listen: Layout  # where its portals listen
    export_truth: TruthWriter
    applications: bool  # the config is written with the applications register beside it


def _province_truth(world: Any, path: Path, origins: Mapping, as_of: date, migrations: Mapping) -> Path:
    """The province's truth: figures per level, whatever the origins (it has no sightings)."""
    return province.export_truth(world, path, as_of)


def _province(portals: int, seed: int = 2012) -> ServedWorld:
    """The province of `portals` portals (its one size option has a name here)."""
    return province.build_province(portals, seed)


WORLDS: dict[str, WorldKind] = {
    kind.name: kind
    for kind in (
        WorldKind("longyan", longyan.build, SITES, port_each, truth.export, applications=True),
        WorldKind("messy", messy.build, MESSY_SITES, port_each, truth.export, applications=True),
        WorldKind("guangdong", guangdong.build, GUANGDONG_SITES, port_each, truth.export, applications=False),
        WorldKind("province", _province, SITES, address_each, _province_truth, applications=False),
    )
}


def build_world(name: str = "longyan", **options: object) -> ServedWorld:
    """The world `name` built with its own `options` (`seed`, `scale`, `until`, `small` for
    the Longyan worlds, `portals` and `seed` for the province). A name or an option the
    world does not know is a ValueError with the reason."""
    kind = WORLDS.get(name)
    if kind is None:
        raise ValueError(f"world must be one of {', '.join(WORLDS)}, got {name!r}")
    try:
        inspect.signature(kind.build).bind(**options)
    except TypeError as exc:
        raise ValueError(f"the {name} world: {exc}") from None
    return kind.build(**options)


def kind_of(world: ServedWorld) -> WorldKind:
    """How `world` is served (by the name it carries)."""
    return WORLDS[world.name]
