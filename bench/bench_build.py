"""Bench the warehouse load and build against two floors on the same landing files.

    python bench/bench_build.py --sightings 10000000

Makes synthetic landing files (one full run per portal; exactly 40% distinct documents
seen on one to several portals, some without index_no so that doc_no and title matching
and the components do real work), then in a child process loads and builds them and
reports sightings per second and the child's peak memory (its own high-water resident
size). In the same run it times two floors on the same files and prints load+build / floor
for each, in wall time and in CPU time (steadier on shared cores):

- the grouped read: one DuckDB read grouped by index_no (reads one column, writes nothing);
- the copy: every landing column read once and written once into a new DuckDB file, the
  least any build from these files does (its published fct_sightings alone holds a row per
  landing row).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse.db import connect  # noqa: E402
from warehouse.landing import LANDING_SCHEMA, write_landing_table  # noqa: E402

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
        units.append({"id": f"u{index:03d}", "name": f"第{index}工商行政管理局", "level": level,
                      "region": f"{350000 + index}", "parent": parent, "aliases": [f"第{index}工商局"]})
        portals.append({"id": f"p{index:03d}", "name": f"第{index}信息公开", "level": level,
                        "region": f"{350000 + index}", "platform": "trs",
                        "url": f"http://p{index}.example/", "unit": f"u{index:03d}", "details": "new"})
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
    portal = np.where(np.arange(n) < n_docs, doc_unit[doc], rng.integers(0, N_PORTALS, n))
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
        "title": title, "title_raw": title,
        "index_no": index_no, "index_no_raw": index_no,
        "doc_no": doc_no, "doc_no_raw": doc_no,
        "publisher_name": publisher, "publisher_name_raw": publisher,
        "published_date": pa.array(published, pa.date32()), "published_date_raw": null,
        "written_date": pa.nulls(n, pa.date32()), "written_date_raw": null,
        "topic": topic, "topic_raw": topic,
        "function": null, "function_raw": null,
        "audience": null, "audience_raw": null,
        "genre": pa.array(np.full(n, "通知", dtype=object), pa.string()), "genre_raw": null,
        "validity": null, "validity_raw": null,
        "disclosure": null, "disclosure_raw": null,
        "flags": null,
        "detail_fetched": pa.array(np.ones(n, dtype=bool)),
        "detail_sha256": null,
        "has_body": pa.array(rng.random(n) < 0.9),
        "n_attachments": pa.array(np.zeros(n, dtype=np.int32)),
        "row_kind": pa.array(np.full(n, "listing", dtype=object), pa.string()),
        "detail_attempted": pa.array(np.ones(n, dtype=bool)),
        "detail_error": null,
        "run_id": pa.array(np.full(n, RUN_ID, dtype=object), pa.string()),
    }
    return pa.table(columns, schema=LANDING_SCHEMA)


def land_all(data_dir: Path, table: pa.Table) -> None:
    """One landing file per portal, written through the warehouse's own writer."""
    portals = table.column("portal_id")
    for index in range(N_PORTALS):
        portal_id = f"p{index:03d}"
        part = table.filter(pc.equal(portals, portal_id))
        run = {"portal_id": portal_id, "run_id": RUN_ID, "mode": "full", "status": "ok",
               "started_at": STARTED, "finished_at": STARTED + timedelta(hours=1),
               "pages": part.num_rows // 20 + 1, "rows": part.num_rows,
               "advertised_total": part.num_rows, "complete": True}
        write_landing_table(data_dir, RUN_ID, portal_id, part, run)


def child(data_dir: Path) -> None:
    """Load and build (run in a child process so its peak memory can be read alone)."""
    from warehouse.build import build
    from warehouse.load import load

    units, portals = world(N_PORTALS)
    started = time.perf_counter()
    loaded = load(data_dir / "state.duckdb", data_dir)
    load_seconds = time.perf_counter() - started
    result = build(data_dir / "state.duckdb", data_dir / "xxgk.duckdb", units, portals)
    build_seconds = time.perf_counter() - started - load_seconds
    print(json.dumps({"load_s": load_seconds, "build_s": build_seconds, "rows": loaded.rows_loaded,
                      "documents": result.n_documents, "steps": result.seconds,
                      "peak_mb": peak_memory_mb()}))


def peak_memory_mb() -> float:
    """This process's own peak resident memory.

    /proc's VmHWM, where there is one: ru_maxrss keeps the resident size of the process that
    forked this one (Linux carries it across exec), and the bench's parent holds the whole
    synthetic table when it starts the child.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor_seconds(data_dir: Path, sql: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one DuckDB statement over every landing file, in a new file."""
    target = data_dir / "floor.duckdb"
    target.unlink(missing_ok=True)
    con = connect(target)
    started, started_cpu = time.perf_counter(), time.process_time()
    con.execute(sql, [str(data_dir / "landing" / "*" / "*.listings.parquet")]).fetchall()
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    con.close()
    target.unlink()
    return seconds, cpu


#: The floors: (name, statement over the landing files).
FLOORS = (
    ("grouped read (read + group by index_no)",
     "SELECT count(*) FROM (SELECT index_no, count(*) FROM read_parquet(?) GROUP BY index_no)"),
    ("copy (read every column, write it once)",
     "CREATE TABLE landing_copy AS SELECT * FROM read_parquet(?)"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sightings", type=int, default=200_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="build in this directory and keep it")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as temp:
        data_dir = args.keep or Path(temp)
        started = time.perf_counter()
        land_all(data_dir, synthetic_sightings(args.sightings))
        print(f"landed {args.sightings:,} sightings in {time.perf_counter() - started:.1f} s")
        # the child's stderr passes through, so a failed build says why
        output = subprocess.run([sys.executable, __file__, "--child", str(data_dir)],
                                check=True, stdout=subprocess.PIPE, text=True).stdout
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_cpu = usage.ru_utime + usage.ru_stime
        report = json.loads(output.splitlines()[-1])
        peak_mb = report["peak_mb"]
        floors = [(name, *floor_seconds(data_dir, sql)) for name, sql in FLOORS]
    total = report["load_s"] + report["build_s"]
    slowest = sorted(report["steps"].items(), key=lambda item: -item[1])[:6]
    print(f"documents {report['documents']:,} of {report['rows']:,} sightings")
    print(f"load {report['load_s']:.1f} s + build {report['build_s']:.1f} s = {total:.1f} s: "
          f"{args.sightings / total:,.0f} sightings/s, peak memory {peak_mb:,.0f} MB")
    print("slowest steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest))
    for name, floor, floor_cpu in floors:
        # CPU seconds are steadier than wall time when other work shares the cores
        print(f"floor {name}: {floor:.2f} s, CPU {floor_cpu:.2f} s; load+build/floor "
              f"{total / floor:.1f} wall, {child_cpu / max(floor_cpu, 1e-3):.1f} CPU")


if __name__ == "__main__":
    main()
