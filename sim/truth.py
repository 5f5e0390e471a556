"""The ground truth of the simulated world, taken from the generator (never from pages).

One row per document: its unit, level and canonical fields as the origin publishes them,
plus its sightings (every portal listing of it, with the spellings that portal shows).
`export(world, path)` writes it as JSON (`.json`) or Parquet (`.parquet`). What a pipeline
reports on a night from it is sim.figures.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

from sim.model import DEFAULT_AS_OF, Doc
from sim.shown import item_key, shown_fields
from sim.world import World

COLUMNS = (
    "doc_id",
    "unit_id",
    "level",
    "index_no",
    "title",
    "doc_no",
    "publisher",
    "published_date",
    "written_date",
    "topic",
    "function",
    "audience",
    "genre",
    "disclosure",
    "has_full_text",
    "withdrawn_on",
    "sightings",
    "trap",
)
SIGHTING_FIELDS = ("portal_id", "url", "item_key", "title", "index_no", "publisher", "published", "listed_date")


def document_row(doc: Doc, sightings: list[dict]) -> dict:
    """One document of the truth: what it is, and where it is listed (`sightings`)."""
    return {
        "doc_id": f"sim-{doc.g:07d}",
        "unit_id": doc.unit_id,
        "level": doc.level,
        "index_no": doc.index_no,
        "title": doc.title,
        "doc_no": doc.doc_no,
        "publisher": doc.publisher,
        "published_date": doc.published.isoformat(),
        "written_date": doc.written.isoformat(),
        "topic": doc.topic,
        "function": doc.function,
        "audience": doc.audience,
        "genre": doc.genre,
        "disclosure": doc.disclosure,
        "has_full_text": doc.has_full_text,
        "withdrawn_on": doc.withdrawn_on.isoformat() if doc.withdrawn_on else None,
        "sightings": sightings,
    }


def rows(
    world: World,
    origins: Mapping[str, str] | None = None,
    as_of: date | None = None,
    migrations: Mapping[str, date] | None = None,
) -> Iterator[dict]:
    """One dict per document. Sighting URLs are absolute when `origins` (portal id ->
    "http://host:port") is given, else paths on the portal's origin. A portal named in
    `migrations` (portal id -> day of its CMS migration) shows its new URLs when `as_of` is
    on or after that day, or is not given."""
    if hasattr(world, "truth_rows"):  # the Guangdong world keeps its own
        yield from world.truth_rows(origins)
        return
    dup = {(r.n, pid) for pid, rs in world.base_rows.items() for r in rs if r.duplicate}
    moved = {pid for pid, day in (migrations or {}).items() if as_of is None or as_of >= day}
    for doc in world.docs():
        sightings = []
        for pid in (p for p in doc.portals if world.lists(p, doc)):
            for duplicate in (False, True) if (doc.n, pid) in dup else (False,):
                shown = shown_fields(pid, doc, duplicate, pid in moved)
                origin = (origins or {}).get(pid, "")
                sightings.append(
                    {
                        "portal_id": pid,
                        "url": origin + shown["path"],
                        "item_key": item_key(shown["path"]),
                        **{k: v for k, v in shown.items() if k != "path"},
                    }
                )
        yield document_row(doc, sightings)


def export(
    world: World,
    path: str | Path,
    origins: Mapping[str, str] | None = None,
    as_of: date | None = None,
    migrations: Mapping[str, date] | None = None,
) -> Path:
    """Write the truth (`rows`) to `path`: Parquet when it ends in .parquet, else JSON. Rows
    are streamed in batches, so a scale-100 world does not have to fit in memory at once."""
    path = Path(path)
    data = rows(world, origins, as_of, migrations)
    if path.suffix == ".parquet":
        _export_parquet(data, path)
    else:
        with path.open("w", encoding="utf-8") as out:
            out.write("[")
            for i, row in enumerate(data):
                out.write(",\n" if i else "\n")
                out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n]\n")
    return path


def _parquet_schema():
    import pyarrow as pa

    text = pa.string()
    sighting = pa.struct([(name, text) for name in SIGHTING_FIELDS])
    types = {"has_full_text": pa.bool_(), "sightings": pa.list_(sighting)}
    return pa.schema([(name, types.get(name, text)) for name in COLUMNS])


def _export_parquet(data: Iterator[dict], path: Path, batch: int = 20_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    with pq.ParquetWriter(path, schema) as writer:
        chunk: list[dict] = []
        for row in data:
            chunk.append(row)
            if len(chunk) == batch:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                chunk = []
        writer.write_table(pa.Table.from_pylist(chunk, schema=schema))


def naive_listing_count(world: World, as_of: date = DEFAULT_AS_OF) -> int:
    """How many listing rows all portals together serve on day `as_of` (what a count of
    every listing, without dedup or the counting rules, would report)."""
    return sum(len(world.listing(p.id, as_of)) for p in world.portals)
