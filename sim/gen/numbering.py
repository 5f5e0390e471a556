"""Numbers for every spec (index number, 文号), in a stable order, making the documents."""

from __future__ import annotations

import random
from datetime import timedelta

from sim.catalog import UNIT_BY_ID
from sim.gen.placement import portals_for
from sim.gen.spec import Spec
from sim.gen.titles import genre_for, unique_title
from sim.model import Doc


def assign(rng: random.Random, specs: list[Spec]) -> list[Doc]:
    """Numbers, titles and portals for every spec, in a stable order."""
    specs.sort(key=lambda s: (s.published, s.unit_id))
    for s in specs:
        if s.written is None:
            s.written = s.published - timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 8, 12)))
    serials: dict[tuple[str, int], int] = {}
    doc_numbers: dict[tuple[str, int], int] = {}
    titles = {(s.unit_id, s.title) for s in specs if s.title}
    docs: list[Doc] = []
    for n, s in enumerate(sorted(specs, key=lambda s: (s.written, s.published, s.unit_id))):
        unit = UNIT_BY_ID[s.unit_id]
        genre = genre_for(rng, s)
        key = (unit.org_code, s.written.year)
        serials[key] = serials.get(key, 0) + 1
        index_no = f"{unit.org_code}/{s.written.year}-{serials[key]:05d}"
        doc_no = None
        if (s.official and (s.genre_missing or rng.random() < 0.85)) or s.doc_no_anyway:
            dkey = (unit.doc_prefix, s.written.year)
            doc_numbers[dkey] = doc_numbers.get(dkey, 0) + rng.randint(1, 3)
            doc_no = f"{unit.doc_prefix}〔{s.written.year}〕{doc_numbers[dkey]}号"
        title = s.title or unique_title(rng, unit, s, genre, titles)
        titles.add((unit.id, title))
        docs.append(
            Doc(
                g=n,
                n=n,
                unit_id=unit.id if unit.configured else None,
                publisher=unit.name,
                level=unit.level if unit.configured else None,
                published=s.published,
                written=s.written,
                index_no=index_no,
                title=title,
                doc_no=doc_no,
                topic=s.topic,
                function=s.function,
                audience=s.audience,
                genre=genre,
                disclosure=s.disclosure,
                content=rng.choices(("text", "attachment", "both"), (70, 10, 20))[0],
                withdrawn_on=s.withdrawn_on,
                portals=portals_for(rng, unit, s),
                ssp_shift=s.ssp_shift,
            )
        )
    return docs
