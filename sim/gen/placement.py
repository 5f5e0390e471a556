"""Where each document is listed: its portals, the late withdrawals, the per-portal rows,
the pinned guide of the 红盾网 and the one document listed twice on the city platform."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from sim.catalog import LONGYAN_SYSTEM, PORTALS
from sim.gen.spec import Spec, random_date
from sim.model import Doc, Row, Unit
from sim.vocab import OTHER_GENRES

#: Held documents withdrawn in February and March 2013 (after DEFAULT_AS_OF).
WITHDRAWN_AFTER_YEAR = 7
#: The title of the city bureau's disclosure guide, pinned (置顶) on the 红盾网.
GUIDE_TITLE = "龙岩市工商行政管理局政府信息公开指南"


def portals_for(rng: random.Random, unit: Unit, spec: Spec) -> tuple[str, ...]:
    """Where a document is listed: every Longyan document on the province platform, the
    city platform and its own unit's site (依申请公开 entries only on the two platforms);
    a third of the city level also on the city government site."""
    if not unit.configured:
        return ("ly-gov",)
    if unit.id in ("fj-aic", "xm-aic"):
        return ("fj-aic-ssp",)
    portals = ["fj-aic-ssp", "ly-aic-xxgk"]
    if spec.disclosure == "主动公开":
        portals.append("ly-hongdun" if unit.level == "city" else f"{unit.id}-site")
        if unit.level == "city" and rng.random() < 0.33:
            portals.append("ly-gov")
    return tuple(portals)


def withdraw_after_year(rng: random.Random, docs: list[Doc]) -> list[Doc]:
    """A few held documents withdrawn in February and March 2013 (after DEFAULT_AS_OF)."""
    held = [
        d
        for d in docs
        if d.unit_id in LONGYAN_SYSTEM
        and d.disclosure == "主动公开"
        and d.withdrawn_on is None
        and d.published.year < 2012
        and d.ssp_shift == 0
    ]
    chosen = rng.sample(held, WITHDRAWN_AFTER_YEAR)
    days = sorted(random_date(rng, date(2013, 2, 5), date(2013, 3, 25)) for _ in chosen)
    changed = {d.n: replace(d, withdrawn_on=day) for d, day in zip(chosen, days, strict=True)}
    return [changed.get(d.n, d) for d in docs]


def listing_rows(docs: list[Doc]) -> tuple[dict[str, list[Row]], dict[str, int]]:
    """Per-portal listings (newest first), the pinned guide and one doubly listed item."""
    rows: dict[str, list[Row]] = {p.id: [] for p in PORTALS}
    for d in docs:
        for pid in d.portals:
            shown = d.published + timedelta(days=d.ssp_shift if pid == "fj-aic-ssp" else 0)
            rows[pid].append(Row(shown, d.n))
    # The city bureau's disclosure guide is pinned (置顶) at the top of the 红盾网 list.
    pinned = guide(docs)
    rows["ly-hongdun"] = [r for r in rows["ly-hongdun"] if r.n != pinned.n]
    # One 2012 county document is listed twice on the city platform (two columns).
    doc = twice(docs)
    rows["ly-aic-xxgk"].append(Row(doc.published, doc.n, duplicate=True))
    for pid in rows:
        rows[pid].sort(key=lambda r: (r.shown, r.n, r.duplicate), reverse=True)
    return rows, {"ly-hongdun": pinned.n}


def twice(docs: list[Doc]) -> Doc:
    """The 2012 county document the city platform lists twice."""
    return next(d for d in docs if d.unit_id == "ly-sh-aic" and d.published.year == 2012 and d.withdrawn_on is None)


def guide(docs: list[Doc]) -> Doc:
    """The oldest non-official, never withdrawn city-bureau document listed on the 红盾网."""
    return min(
        (
            d
            for d in docs
            if d.unit_id == "ly-aic"
            and "ly-hongdun" in d.portals
            and d.withdrawn_on is None
            and d.genre in OTHER_GENRES
            and d.doc_no is None
        ),
        key=lambda d: (d.published, d.n),
    )


def with_guide_title(docs: list[Doc]) -> list[Doc]:
    """The guide's title: changing it leaves every count as it was."""
    doc = guide(docs)
    docs[doc.n] = replace(doc, title=GUIDE_TITLE)
    return docs
