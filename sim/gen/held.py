"""The picks that make the report's figures: the city and county documents held at the end
of 2012, with exactly the report's counts (sim.seed)."""

from __future__ import annotations

import random
from datetime import date

from sim.catalog import COUNTY_UNITS
from sim.gen.spec import Spec, pick_flags, random_classes, random_date, spread
from sim.model import WORLD_START
from sim.seed import (
    CITY_NEW_AUDIENCES,
    CITY_NEW_FUNCTIONS,
    CITY_NEW_PICKS,
    CITY_NEW_TOPICS,
    CITY_OLD_PICKS,
    COUNTY_NEW_PICKS,
    COUNTY_OLD_PICKS,
    COUNTY_WEIGHTS,
)
from sim.vocab import FUNCTION_DEPARTMENT


def city_unit_for(rng: random.Random, function: str | None) -> str:
    """The city department that publishes a document of this function."""
    if function in FUNCTION_DEPARTMENT:
        return FUNCTION_DEPARTMENT[function]
    return rng.choice(("ly-aic", "ly-aic", "ly-aic-bgs"))


def _column(rng: random.Random, counts: dict) -> list:
    """Every value as often as `counts` says, shuffled."""
    values = [v for v, c in counts.items() for _ in range(c)]
    rng.shuffle(values)
    return values


def _city_new(rng: random.Random) -> list[Spec]:
    """The 235 new in 2012, their classes drawn from columns holding the report's counts."""
    topics, functions, audiences = (
        _column(rng, CITY_NEW_TOPICS),
        _column(rng, CITY_NEW_FUNCTIONS),
        _column(rng, CITY_NEW_AUDIENCES),
    )
    flags = pick_flags(rng, CITY_NEW_PICKS)
    specs = []
    for t, f, a, (off, gm, dn) in zip(topics, functions, audiences, flags, strict=True):
        specs.append(
            Spec(city_unit_for(rng, f), random_date(rng, date(2012, 1, 1), date(2012, 12, 30)), off, gm, dn, t, f, a)
        )
    # Published on 2012-12-31 at its origin, a day later on the province platform.
    last = next(s for s in specs if s.unit_id == "ly-aic")
    last.published, last.ssp_shift = date(2012, 12, 31), 1
    return specs


def city_specs(rng: random.Random) -> list[Spec]:
    """City level (the bureau and its departments): 885 held at the end of 2012 (756
    official), 235 of them new in 2012 with the report's category counts."""
    specs = _city_new(rng)
    for off, gm, dn in pick_flags(rng, CITY_OLD_PICKS):
        t, f, a = random_classes(rng)
        specs.append(
            Spec(city_unit_for(rng, f), random_date(rng, WORLD_START, date(2011, 12, 31)), off, gm, dn, t, f, a)
        )
    return specs


def county_specs(rng: random.Random) -> list[Spec]:
    """County level: 2002 held at the end of 2012 (1977 official), 490 new in 2012."""
    specs: list[Spec] = []
    for picks, start, end in (
        (COUNTY_NEW_PICKS, date(2012, 1, 1), date(2012, 12, 31)),
        (COUNTY_OLD_PICKS, WORLD_START, date(2011, 12, 31)),
    ):
        flags = pick_flags(rng, picks)
        units = [
            u for u, c in zip(COUNTY_UNITS, spread(picks.count, list(COUNTY_WEIGHTS)), strict=True) for _ in range(c)
        ]
        for unit_id, (off, gm, dn) in zip(units, flags, strict=True):
            t, f, a = random_classes(rng)
            specs.append(Spec(unit_id, random_date(rng, start, end), off, gm, dn, t, f, a))
    return specs
