"""A document before its numbers are assigned, and the random helpers every batch uses."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sim.seed import Picks
from sim.vocab import AUDIENCES, FUNCTIONS, TOPICS


@dataclass
class Spec:
    """A document before its numbers are assigned."""

    unit_id: str
    published: date
    official: bool
    genre_missing: bool = False
    doc_no_anyway: bool = False  # a non-official genre that still carries a 文号
    topic: str | None = None
    function: str | None = None
    audience: str | None = None
    disclosure: str = "主动公开"
    withdrawn_on: date | None = None
    title: str | None = None
    extra_portals: tuple[str, ...] = ()
    ssp_shift: int = 0
    written: date | None = None


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to weights (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def pick_flags(rng: random.Random, picks: Picks) -> list[tuple[bool, bool, bool]]:
    """(official, genre_missing, doc_no_anyway) for `picks.count` documents, shuffled.

    Official by genre, official by 文号 alone (genre missing), non-official with a genre,
    non-official without genre nor 文号, and non-official genres that still carry a 文号:
    every branch of the counting rule occurs."""
    flags = [(True, True, False)] * picks.genre_missing_official
    flags += [(True, False, False)] * (picks.official - picks.genre_missing_official)
    flags += [(False, True, False)] * picks.genre_missing_other
    flags += [(False, False, True)] * picks.other_with_doc_no
    flags += [(False, False, False)] * (picks.count - len(flags))
    rng.shuffle(flags)
    return flags


def random_classes(rng: random.Random) -> tuple[str | None, str | None, str | None]:
    """Topic, function and audience of a document outside the report's breakdown."""
    topic = None if rng.random() < 0.04 else rng.choice(TOPICS)
    function = None if rng.random() < 0.03 else rng.choice(FUNCTIONS)
    audience = None if rng.random() < 0.04 else rng.choice(AUDIENCES)
    return topic, function, audience
