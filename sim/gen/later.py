"""The world after its default end (`build_world(until=...)`): Longyan documents published
every day from WORLD_END + 1 to `until`, and a few held documents withdrawn in that span.

Drawn from a random stream of their own, seeded from the seed, after the default world is
generated: the documents before WORLD_END stay as they are (new ones are appended, with
the next numbers), except the few withdrawn later.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import date, timedelta

from sim.catalog import CITY_UNITS, COUNTY_UNITS, LONGYAN_SYSTEM, UNIT_BY_ID
from sim.gen.placement import guide, portals_for, twice
from sim.gen.spec import Spec, random_classes, random_date
from sim.gen.titles import genre_for, unique_title
from sim.model import WORLD_END, Doc

#: How many documents a day brings (drawn uniformly from these).
PER_DAY = (1, 1, 2, 2, 3, 4)
#: The share of them published by a city-level unit (the rest by the county bureaus).
CITY_SHARE = 0.35
#: One withdrawal per this many days of the span (at least one).
DAYS_PER_WITHDRAWAL = 45


def _counters(docs: list[Doc]) -> tuple[dict, dict]:
    """The last index-number serial per (org code, year) and 文号 per (prefix, year)."""
    serials: dict[tuple[str, int], int] = {}
    numbers: dict[tuple[str, int], int] = {}
    for d in docs:
        head, serial = d.index_no.rsplit("-", 1)
        org, year = head.split("/")
        key = (org, int(year))
        serials[key] = max(serials.get(key, 0), int(serial))
        if d.doc_no:
            m = re.fullmatch(r"(.+)〔(\d{4})〕(\d+)号", d.doc_no)
            if m:
                nkey = (m.group(1), int(m.group(2)))
                numbers[nkey] = max(numbers.get(nkey, 0), int(m.group(3)))
    return serials, numbers


def _specs(rng: random.Random, until: date) -> list[Spec]:
    specs = []
    day = WORLD_END + timedelta(days=1)
    while day <= until:
        for _ in range(rng.choice(PER_DAY)):
            units = CITY_UNITS if rng.random() < CITY_SHARE else COUNTY_UNITS
            t, f, a = random_classes(rng)
            spec = Spec(rng.choice(units), day, rng.random() < 0.85, topic=t, function=f, audience=a)
            spec.written = day - timedelta(days=rng.choice((0, 0, 1, 2, 3, 5)))
            specs.append(spec)
        day += timedelta(days=1)
    return specs


def _doc(rng: random.Random, n: int, s: Spec, counters: tuple[dict, dict], titles: set[tuple[str, str]]) -> Doc:
    serials, numbers = counters
    unit = UNIT_BY_ID[s.unit_id]
    genre = genre_for(rng, s)
    key = (unit.org_code, s.written.year)
    serials[key] = serials.get(key, 0) + 1
    doc_no = None
    if s.official and rng.random() < 0.85:
        nkey = (unit.doc_prefix, s.written.year)
        numbers[nkey] = numbers.get(nkey, 0) + rng.randint(1, 3)
        doc_no = f"{unit.doc_prefix}〔{s.written.year}〕{numbers[nkey]}号"
    title = unique_title(rng, unit, s, genre, titles)
    titles.add((unit.id, title))
    return Doc(
        g=n,
        n=n,
        unit_id=unit.id,
        publisher=unit.name,
        level=unit.level,
        published=s.published,
        written=s.written,
        index_no=f"{unit.org_code}/{s.written.year}-{serials[key]:05d}",
        title=title,
        doc_no=doc_no,
        topic=s.topic,
        function=s.function,
        audience=s.audience,
        genre=genre,
        disclosure=s.disclosure,
        content=rng.choices(("text", "attachment", "both"), (70, 10, 20))[0],
        withdrawn_on=None,
        portals=portals_for(rng, unit, s),
    )


def _withdraw(rng: random.Random, docs: list[Doc], until: date) -> list[Doc]:
    """A few documents held at the default end, withdrawn between it and `until`."""
    keep = {guide(docs).n, twice(docs).n}  # the pinned guide and the doubly listed item
    held = [
        d
        for d in docs
        if d.unit_id in LONGYAN_SYSTEM
        and d.disclosure == "主动公开"
        and d.withdrawn_on is None
        and d.published <= WORLD_END
        and d.n not in keep
        and d.content != "report"  # the annual reports (sim.annual) stay
    ]
    count = max(1, (until - WORLD_END).days // DAYS_PER_WITHDRAWAL)
    chosen = rng.sample(held, count)
    start = WORLD_END + timedelta(days=1)
    changed = {d.n: replace(d, withdrawn_on=random_date(rng, start, until)) for d in chosen}
    return [changed.get(d.n, d) for d in docs]


def extend(docs: list[Doc], seed: int, until: date) -> list[Doc]:
    """The documents of the default world followed by those published after WORLD_END up
    to `until`, with the later withdrawals."""
    rng = random.Random(f"sim-later:{seed}")
    counters = _counters([d for d in docs if d.content != "report"])  # their serials are apart (sim.annual)
    titles = {(d.unit_id or "", d.title) for d in docs}
    later = [_doc(rng, len(docs) + i, s, counters, titles) for i, s in enumerate(_specs(rng, until))]
    return _withdraw(rng, docs + later, until)
