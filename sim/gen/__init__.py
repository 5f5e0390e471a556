"""World generation, by concern: the specs of every document (`held`: the picks that make
the report's figures; `unheld`: what must not count), their titles (`titles`), numbers
(`numbering`) and where they are listed (`placement`). `generate(seed)` runs them in order."""

from __future__ import annotations

import random
from datetime import date

from sim.annual.reports import report_docs
from sim.gen.held import city_specs, county_specs
from sim.gen.later import extend
from sim.gen.numbering import assign
from sim.gen.placement import listing_rows, with_guide_title, withdraw_after_year
from sim.gen.titles import plant_titles
from sim.gen.unheld import other_specs, unheld_specs
from sim.model import Doc, Row


def generate(seed: int, until: date | None = None) -> tuple[list[Doc], dict[str, list[Row]], dict[str, int]]:
    """The scale-1 documents of `seed`, each portal's rows (newest first) and its pinned
        document, if any. The random draws happen in this order; changing it changes the world.
        The units' annual reports (sim.annual) follow the generated documents, without a draw;
    with `until`, the documents after WORLD_END (sim.gen.later, a stream of their own)."""
    rng = random.Random(seed)
    specs = city_specs(rng) + county_specs(rng) + unheld_specs(rng) + other_specs(rng)
    plant_titles(rng, specs)
    docs = withdraw_after_year(rng, assign(rng, specs))
    docs = with_guide_title(docs)
    docs = docs + report_docs(len(docs))  # the units' 2012 annual reports (sim.annual), without a draw
    if until is not None:
        docs = extend(docs, seed, until)
    rows, pinned = listing_rows(docs)
    return docs, rows, pinned
