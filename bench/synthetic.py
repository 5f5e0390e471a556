"""Synthetic landing files shared by the warehouse benchmarks (bench_build.py, bench_nights.py).

A world of `N_PORTALS` units and portals (one province, ten cities, counties below them), and
landing rows in `LANDING_SCHEMA` over exactly 40% distinct documents, seen on one to several
portals (never twice on one), some without index_no so that doc_no and title matching do real work; written
through the warehouse's own landing writers: a file set per portal (`land_all`), or one per
batch of portals as the nightly flow's tasks land them (`land_batches`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flows.config.model import Portal
from flows.night.batches import batches_of
from warehouse.landing import write_landing_table
from warehouse.landing_schema import LANDING_SCHEMA
from warehouse.landing_stream import BatchLanding

N_PORTALS = 60
RUN_ID = "20130105T020000Z"
STARTED = datetime(2013, 1, 5, 2, tzinfo=UTC)
TOPICS = np.array(["组织机构", "市场监管", "综合政务", "企业登记"], dtype=object)


def world(n_portals: int) -> tuple[list[dict], list[dict]]:
    """One province unit, cities under it, counties under the cities; one portal per unit."""
    units, portals = [], []
    for index in range(n_portals):
        level = "province" if index == 0 else "city" if index <= 10 else "county"
        parent = None if index == 0 else "u000" if index <= 10 else f"u{1 + index % 10:03d}"
        units.append(
            {
                "id": f"u{index:03d}",
                "name": f"第{index}工商行政管理局",
                "level": level,
                "region": f"{350000 + index}",
                "parent": parent,
                "aliases": [f"第{index}工商局"],
            }
        )
        portals.append(
            {
                "id": f"p{index:03d}",
                "name": f"第{index}信息公开",
                "level": level,
                "region": f"{350000 + index}",
                "platform": "trs",
                "url": f"http://p{index}.example/",
                "unit": f"u{index:03d}",
                "details": "new",
            }
        )
    return units, portals


def _text(*parts) -> pa.Array:
    """Join string and integer arrays element-wise into one string array."""
    values = [pc.cast(part, pa.string()) if isinstance(part, pa.Array) else part for part in parts]
    return pc.binary_join_element_wise(*values, "")


def synthetic_sightings(n: int, seed: int = 7) -> pa.Table:
    """n landing rows of one night, over about 0.4·n documents, in `LANDING_SCHEMA`."""
    rng = np.random.default_rng(seed)
    n_docs = max(1, int(n * 0.4))
    doc = np.concatenate([np.arange(n_docs), rng.integers(0, n_docs, n - n_docs)])
    doc_unit = rng.integers(0, N_PORTALS, n_docs)
    doc_day = rng.integers(0, 6 * 365, n_docs)
    doc_has_index = rng.random(n_docs) < 0.75
    doc_has_doc_no = rng.random(n_docs) < 0.4
    # a document's first sighting is on its unit's portal, each further one on another portal
    # (the k-th further one k portals along): one portal never lists one document twice, which
    # the title rule would rightly take for two documents
    further = doc[n_docs:]
    order = np.argsort(further, kind="stable")
    ranked = further[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    rank = np.empty(len(further), dtype=np.int64)
    rank[order] = np.arange(len(further)) - np.repeat(starts, np.diff(np.r_[starts, len(further)]))
    portal = np.concatenate([doc_unit, (doc_unit[further] + 1 + rank % (N_PORTALS - 1)) % N_PORTALS])
    unit = doc_unit[doc]
    shows_index = doc_has_index[doc] & (rng.random(n) < 0.9)
    shows_doc_no = doc_has_doc_no[doc] & (rng.random(n) < 0.9)
    names_publisher = (portal != unit) | (rng.random(n) < 0.5)
    day = doc_day[doc] + (rng.random(n) < 0.1)
    published = (np.datetime64("2008-01-01") + day.astype("timedelta64[D]")).astype("datetime64[D]")
    doc_text = pa.array(doc)
    unit_text = pa.array(unit)
    null = pa.nulls(n, pa.string())
    seen = pa.array(np.full(n, np.datetime64(STARTED.replace(tzinfo=None), "us")), pa.timestamp("us", tz="UTC"))
    item_key = _text("t", pa.array(np.arange(n)))
    index_no = pc.if_else(pa.array(shows_index), _text("FJ", unit_text, "-", doc_text), null)
    doc_no = pc.if_else(pa.array(shows_doc_no), _text("闽工商〔2012〕", doc_text, "号"), null)
    publisher = pc.if_else(pa.array(names_publisher), _text("第", unit_text, "工商局"), null)
    title = _text("关于第", doc_text, "号事项的通知")
    topic = pa.array(np.where(rng.random(n) < 0.3, None, TOPICS[rng.integers(0, len(TOPICS), n)]), pa.string())
    columns = {
        "portal_id": _text("p", pc.utf8_lpad(pc.cast(pa.array(portal), pa.string()), 3, "0")),
        "item_key": item_key,
        "url": _text("http://example/", item_key, ".html"),
        "list_url": pa.array(np.full(n, "http://example/index.html", dtype=object), pa.string()),
        "page_no": pa.array(np.arange(n) // 20 % 1000, pa.int32()),
        "row_no": pa.array(np.arange(n) % 20, pa.int32()),
        "seen_at": seen,
        "listing_hash": item_key,
        "title": title,
        "title_raw": title,
        "index_no": index_no,
        "index_no_raw": index_no,
        "doc_no": doc_no,
        "doc_no_raw": doc_no,
        "publisher_name": publisher,
        "publisher_name_raw": publisher,
        "published_date": pa.array(published, pa.date32()),
        "published_date_raw": null,
        "written_date": pa.nulls(n, pa.date32()),
        "written_date_raw": null,
        "topic": topic,
        "topic_raw": topic,
        "function": null,
        "function_raw": null,
        "audience": null,
        "audience_raw": null,
        "genre": pa.array(np.full(n, "通知", dtype=object), pa.string()),
        "genre_raw": null,
        "validity": null,
        "validity_raw": null,
        "disclosure": null,
        "disclosure_raw": null,
        "flags": null,
        "detail_fetched": pa.array(np.ones(n, dtype=bool)),
        "detail_sha256": null,
        "has_body": pa.array(rng.random(n) < 0.9),
        "n_attachments": pa.array(np.zeros(n, dtype=np.int32)),
        "row_kind": pa.array(np.full(n, "listing", dtype=object), pa.string()),
        "detail_attempted": pa.array(np.ones(n, dtype=bool)),
        "detail_error": null,
        "detail_gone": pa.array(np.zeros(n, dtype=bool)),
        "run_id": pa.array(np.full(n, RUN_ID, dtype=object), pa.string()),
    }
    return pa.table(columns, schema=LANDING_SCHEMA)


def _run(portal_id: str, run_id: str, started: datetime, mode: str, n_rows: int) -> dict:
    """A portal's run summary: ok, and complete when full."""
    return {
        "portal_id": portal_id,
        "run_id": run_id,
        "mode": mode,
        "status": "ok",
        "started_at": started,
        "finished_at": started + timedelta(hours=1),
        "pages": n_rows // 20 + 1,
        "rows": n_rows,
        "advertised_total": n_rows if mode == "full" else None,
        "complete": mode == "full",
    }


def land_all(
    data_dir: Path, table: pa.Table, run_id: str = RUN_ID, started: datetime = STARTED, mode: str = "full"
) -> None:
    """One landing file per portal (every portal, rows or not), written through the
    warehouse's own writer; a full run is complete."""
    portals = table.column("portal_id")
    for index in range(N_PORTALS):
        portal_id = f"p{index:03d}"
        part = table.filter(pc.equal(portals, portal_id))
        write_landing_table(data_dir, run_id, portal_id, part, _run(portal_id, run_id, started, mode, part.num_rows))


def land_batches(data_dir: Path, table: pa.Table, run_id: str, started: datetime, mode: str, concurrency: int) -> None:
    """The portals' runs landed as the nightly flow's tasks land them: dealt into the batches
    `flows.night.batches.batches_of` makes for `concurrency` workers, one batch file each."""
    portals = table.column("portal_id")
    configured = [Portal(**portal) for portal in world(N_PORTALS)[1]]
    for batch in batches_of(configured, concurrency):
        landing = BatchLanding(data_dir, run_id, batch.name)
        for portal in batch.portals:
            part = table.filter(pc.equal(portals, portal.id))
            sink = landing.portal(portal.id)
            sink.add_table(part)
            sink.finish(_run(portal.id, run_id, started, mode, part.num_rows), [])
        landing.close()
