"""Documents that must not count for the Longyan system in 2012: Longyan documents of
2013, 依申请公开 entries, documents withdrawn during 2012, and documents of publishers
outside the system."""

from __future__ import annotations

import random
from datetime import date

from sim.catalog import CITY_UNITS, COUNTY_UNITS
from sim.gen.spec import Spec, random_classes, random_date
from sim.model import WORLD_END, WORLD_START
from sim.seed import APPLICATIONS_CITY

#: Longyan documents published in 2013 (city, county).
NEXT_YEAR = (45, 95)
#: 依申请公开 entries: the city bureau's (the report's) and the county bureaus'.
APPLICATIONS = (APPLICATIONS_CITY, 7)
#: Documents withdrawn during 2012 (city, county).
WITHDRAWN_IN_YEAR = (2, 3)
#: Documents per publisher outside the system: the province and Xiamen bureaus (province
#: platform only) and Longyan bodies outside every configured system (city government site).
OUTSIDE = (("fj-aic", 320), ("xm-aic", 410), ("ly-czj", 60), ("ly-jyj", 60), ("ly-gsl", 25))


def _next_year(rng: random.Random) -> list[Spec]:
    specs: list[Spec] = []
    for units, count in zip((CITY_UNITS, COUNTY_UNITS), NEXT_YEAR, strict=True):
        for _ in range(count):
            t, f, a = random_classes(rng)
            specs.append(
                Spec(
                    rng.choice(units),
                    random_date(rng, date(2013, 1, 1), WORLD_END),
                    rng.random() < 0.9,
                    topic=t,
                    function=f,
                    audience=a,
                )
            )
    # Written in 2012, published in 2013: it is new in 2013, not 2012.
    late = specs[0]
    late.unit_id, late.published, late.written = "ly-aic", date(2013, 1, 5), date(2012, 12, 28)
    return specs


def unheld_specs(rng: random.Random) -> list[Spec]:
    """Longyan documents that must not count for 2012: published in 2013, 依申请公开, and
    withdrawn during 2012."""
    specs = _next_year(rng)
    for units, count in zip((("ly-aic",), COUNTY_UNITS), APPLICATIONS, strict=True):
        for _ in range(count):
            t, f, a = random_classes(rng)
            specs.append(
                Spec(
                    rng.choice(units),
                    random_date(rng, date(2009, 1, 1), date(2012, 11, 30)),
                    False,
                    topic=t,
                    function=f,
                    audience=a,
                    disclosure="依申请公开",
                )
            )
    for units, count in zip((CITY_UNITS, COUNTY_UNITS), WITHDRAWN_IN_YEAR, strict=True):
        for _ in range(count):
            t, f, a = random_classes(rng)
            specs.append(
                Spec(
                    rng.choice(units),
                    random_date(rng, date(2010, 1, 1), date(2011, 12, 31)),
                    True,
                    topic=t,
                    function=f,
                    audience=a,
                    withdrawn_on=random_date(rng, date(2012, 4, 1), date(2012, 11, 30)),
                )
            )
    return specs


def other_specs(rng: random.Random) -> list[Spec]:
    """The province and Xiamen bureaus (province platform only) and Longyan bodies outside
    every configured system (city government site only)."""
    specs: list[Spec] = []
    for unit_id, count in OUTSIDE:
        for _ in range(count):
            t, f, a = random_classes(rng)
            specs.append(
                Spec(
                    unit_id,
                    random_date(rng, WORLD_START, WORLD_END),
                    rng.random() < 0.85,
                    topic=t,
                    function=f,
                    audience=a,
                )
            )
    return specs
