"""Bench a quiet night's landing per portal: a file set per portal (as the night landed before)
against one file set per batch of portals (as it lands now), in one run, with the ratio.

    python bench/bench_landing.py [--portals 1000] [--rows 20] [--concurrency 32] [--repeat 3] [--big 200000]

A quiet night reads one listing page per portal: `--rows` known rows and one request. Each
side lands the same rows of `--portals` portals into a data dir of its own, then loads them:

- per portal: `write_landing` per portal (rows held, then listings, fetch log and run file,
  each flushed, and the folder);
- per batch: the portals dealt into the batches of `--concurrency` workers
  (`flows.night.batches.batches_of`), each batch streamed into one `BatchLanding`.

Printed: per portal, the milliseconds of landing, of loading, and of both (best of
`--repeat`), the fsyncs made, the files written, and the ratios per portal / per batch.
Then the memory a portal of `--big` rows takes to land (Python's traced peak): its rows held
whole before landing, against streamed in row groups.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.config.model import Portal  # noqa: E402
from flows.night.batches import batches_of  # noqa: E402
from warehouse.fields import FIELDS  # noqa: E402
from warehouse.landing import write_landing  # noqa: E402
from warehouse.landing_stream import BatchLanding, PortalLanding  # noqa: E402
from warehouse.load import load  # noqa: E402

STARTED = datetime(2013, 1, 5, 2, tzinfo=UTC)
RUN_ID = "20130105T020000Z"


def rows_of(portal_id: str, n: int) -> Iterator[dict]:
    """A listing page's rows as the crawl yields them (`Listing` as a flat dict)."""
    seen = STARTED + timedelta(minutes=1)
    for i in range(n):
        row = {name: None for name in FIELDS} | {f"{name}_raw": None for name in FIELDS}
        row.update(
            portal_id=portal_id,
            item_key=f"t{i}",
            url=f"http://{portal_id}.example/t{i}.html",
            list_url=f"http://{portal_id}.example/index.html",
            page_no=i // 20,
            row_no=i % 20,
            seen_at=seen,
            listing_hash=f"h{i}",
            title=f"关于第{i}号事项的通知",
            title_raw=f"关于第{i}号事项的通知",
            published_date=(STARTED - timedelta(days=i)).date(),
            row_kind="listing",
        )
        yield row


def run_of(n_rows: int) -> dict:
    return {"mode": "incremental", "status": "ok", "started_at": STARTED, "finished_at": STARTED, "rows": n_rows}


def fetches_of(portal_id: str) -> list[dict]:
    entry = {"url": f"http://{portal_id}.example/index.html", "method": "GET", "status": 200, "bytes": 30_000}
    return [{**entry, "elapsed": 0.05, "attempts": 1, "sha256": "0" * 64, "encoding": "utf-8", "fetched_at": STARTED}]


def per_portal(data_dir: Path, portals: list[Portal], n_rows: int) -> None:
    """The night as it landed before: each portal's rows held, then its own files written."""
    for portal in portals:
        rows = list(rows_of(portal.id, n_rows))
        write_landing(data_dir, RUN_ID, portal.id, rows, run_of(n_rows), fetches_of(portal.id))


def per_batch(data_dir: Path, portals: list[Portal], n_rows: int, concurrency: int) -> None:
    """The night as it lands now: a batch's portals streamed into one batch file."""
    for batch in batches_of(portals, concurrency):
        landing = BatchLanding(data_dir, RUN_ID, batch.name)
        for portal in batch.portals:
            sink = landing.portal(portal.id)
            for row in rows_of(portal.id, n_rows):
                sink.add(row)
            sink.end_rows()
            sink.finish(run_of(n_rows), fetches_of(portal.id))
        landing.close()


class FsyncCount:
    """Counts `os.fsync` calls while installed."""

    def __init__(self) -> None:
        self.count, self._real = 0, os.fsync

    def __enter__(self) -> FsyncCount:
        def counted(fd: int) -> None:
            self.count += 1
            self._real(fd)

        os.fsync = counted
        return self

    def __exit__(self, *exc) -> None:
        os.fsync = self._real


def one_side(land, n_portals: int) -> dict:
    """Land then load in a fresh data dir: milliseconds per portal, fsyncs, files."""
    with tempfile.TemporaryDirectory(prefix="xxgk-landing-") as temp, FsyncCount() as fsyncs:
        data_dir = Path(temp)
        started = time.perf_counter()
        land(data_dir)
        landed = time.perf_counter()
        landing_fsyncs = fsyncs.count
        result = load(data_dir / "state.duckdb", data_dir)
        loaded = time.perf_counter()
        assert len(result.runs_loaded) == n_portals and not result.rejected, result
        files = sum(1 for path in (data_dir / "landing").rglob("*") if path.is_file())
    return {
        "land_ms": (landed - started) * 1000 / n_portals,
        "load_ms": (loaded - landed) * 1000 / n_portals,
        "fsyncs": landing_fsyncs,
        "files": files,
    }


def best(sides: list[dict]) -> dict:
    """The fastest of the repeats, figure by figure."""
    return {key: min(side[key] for side in sides) for key in sides[0]}


def peak_mb(land) -> float:
    """Python's traced peak while `land` runs, in MB."""
    with tempfile.TemporaryDirectory(prefix="xxgk-landing-") as temp:
        tracemalloc.start()
        land(Path(temp))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


def held_whole(data_dir: Path, n: int) -> None:
    write_landing(data_dir, RUN_ID, "big", list(rows_of("big", n)), run_of(n), fetches_of("big"))


def streamed(data_dir: Path, n: int) -> None:
    sink = PortalLanding(data_dir, RUN_ID, "big")
    for row in rows_of("big", n):
        sink.add(row)
    sink.end_rows()
    sink.finish(run_of(n), fetches_of("big"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=20, help="rows of a portal on a quiet night")
    parser.add_argument("--concurrency", type=int, default=32, help="the flow's workers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big", type=int, default=200_000, help="rows of the portal whose memory is measured")
    args = parser.parse_args()
    portals = [
        Portal(id=f"p{i:04d}", name=f"P{i}", level="county", platform="trs", url=f"http://p{i}.example/")
        for i in range(args.portals)
    ]
    n_batches = len(batches_of(portals, args.concurrency))
    print(f"{args.portals:,} portals of {args.rows} rows and one request; {n_batches} batches", flush=True)
    before, after = [], []
    for _ in range(args.repeat):  # alternated, so both sides meet the same load on the machine
        before.append(one_side(lambda d: per_portal(d, portals, args.rows), args.portals))
        after.append(one_side(lambda d: per_batch(d, portals, args.rows, args.concurrency), args.portals))
    for name, side in (("per portal", best(before)), ("per batch", best(after))):
        print(
            f"{name:<10}  land {side['land_ms']:6.2f} ms/portal  load {side['load_ms']:6.2f} ms/portal  "
            f"both {side['land_ms'] + side['load_ms']:6.2f} ms/portal  fsyncs {side['fsyncs']:,}  "
            f"files {side['files']:,}",
            flush=True,
        )
    old, new = best(before), best(after)
    print(
        f"ratio per portal/per batch: land {old['land_ms'] / new['land_ms']:.1f}, "
        f"load {old['load_ms'] / new['load_ms']:.1f}, "
        f"both {(old['land_ms'] + old['load_ms']) / (new['land_ms'] + new['load_ms']):.1f}"
    )
    whole, stream = peak_mb(lambda d: held_whole(d, args.big)), peak_mb(lambda d: streamed(d, args.big))
    print(f"one portal of {args.big:,} rows: peak {whole:.1f} MB held whole, {stream:.1f} MB streamed")


if __name__ == "__main__":
    main()
