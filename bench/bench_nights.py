"""Bench a year of nights: night N's load and build against night 1's, and the files the data
dir holds: the state and the landing files grow with sightings, not with nights.

    python bench/bench_nights.py --sightings 1000000 --nights 365

Lands N nights of one synthetic world (bench/synthetic.py) as the nightly flow lands them (a
batch file per task batch of portals, `--concurrency` workers), loads each night, and compacts
the landing files of the months that have ended after each load, as the nightly run does. The
nights are dated a day apart from 2013-01-05. Night 1 lists every sighting in full with its
detail page; every 7th night after it (8, 15, ...) is a full listing again, re-listing every
sighting (no detail pages: they are known); the nights between are incremental: `--changed`
(a share) of the sightings re-listed with a changed listing title and no detail page, and
`--new` new sightings (a count) with their detail page. At each night of `--measure`
(default: 1, 30, 180 and N) the build runs `--repeat` times and the fastest is kept, in wall
and CPU time. Printed per measured night (and as a table at the end): sightings, landing rows
loaded so far, rows of the state tables, the state file's size, that night's load and build
(wall and CPU), their sum's ratio to night 1's, the compaction's seconds, and the files
under the data dir (in all, and per portal). On a shared machine the CPU ratio is the one
to read: the wall ratio moves with the other work. A full night of N=365 lands every sighting again, as night 1 does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import N_PORTALS, STARTED, land_batches, synthetic_sightings, world  # noqa: E402

from warehouse.build import build  # noqa: E402
from warehouse.compact import compact_landing  # noqa: E402
from warehouse.db import connect  # noqa: E402
from warehouse.load import load  # noqa: E402

FULL_EVERY = 7


def is_full(night: int) -> bool:
    """Night 1 and every 7th night after it are full listings."""
    return (night - 1) % FULL_EVERY == 0


def night_rows(rows: pa.Table, night: int, detail: bool) -> tuple[pa.Table, str]:
    """`rows` as the landing rows of `night`: its run id, seen_at, positions, detail flag."""
    started = STARTED + timedelta(days=night - 1)
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    n = rows.num_rows
    seen = np.full(n, np.datetime64(started.replace(tzinfo=None) + timedelta(minutes=1), "us"))
    columns = {
        "run_id": pa.array(np.full(n, run_id, dtype=object), pa.string()),
        "seen_at": pa.array(seen, pa.timestamp("us", tz="UTC")),
        "page_no": pa.array(np.arange(n) // 20, pa.int32()),
        "row_no": pa.array(np.arange(n) % 20, pa.int32()),
        "detail_fetched": pa.array(np.full(n, detail)),
    }
    for name, values in columns.items():
        index = rows.schema.get_field_index(name)
        rows = rows.set_column(index, rows.schema.field(index), values)
    return rows, run_id


def changed(rows: pa.Table, night: int) -> pa.Table:
    """The rows with the title the listing shows that night."""
    title = pc.binary_join_element_wise(rows.column("title"), f"（第{night}夜修订）", "")
    index = rows.schema.get_field_index("title")
    return rows.set_column(index, rows.schema.field(index), title)


def land_night(data_dir: Path, world_rows: pa.Table, night: int, listed: int, args, rng) -> int:
    """Land one night's runs of every portal; return how many sightings are listed after it."""
    started = STARTED + timedelta(days=night - 1)
    if is_full(night):
        rows, run_id = night_rows(world_rows.slice(0, listed), night, detail=night == 1)
        land_batches(data_dir, rows, run_id, started, "full", args.concurrency)
        return listed
    picked = np.sort(rng.choice(listed, int(listed * args.changed), replace=False))
    relisted, run_id = night_rows(changed(world_rows.take(picked), night), night, detail=False)
    new, _ = night_rows(world_rows.slice(listed, args.new), night, detail=True)
    land_batches(data_dir, pa.concat_tables([new, relisted]), run_id, started, "incremental", args.concurrency)
    return listed + args.new


def state_figures(state: Path) -> dict:
    """Rows of the state tables and the file's size."""
    con = connect(state, read_only=True)
    try:
        sightings, details = con.execute(
            "SELECT (SELECT count(*) FROM raw_sightings), (SELECT count(*) FROM raw_sighting_details)"
        ).fetchone()
    finally:
        con.close()
    return {"state_rows": sightings, "detail_rows": details, "state_mb": state.stat().st_size / 2**20}


def timed_build(data_dir: Path, repeat: int) -> tuple[float, float, int]:
    """(wall, CPU) seconds of the fastest of `repeat` builds, and the sightings published."""
    units, portals = world(N_PORTALS)
    best = (float("inf"), float("inf"), 0)
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = build(data_dir / "state.duckdb", data_dir / "xxgk.duckdb", units, portals)
        seconds = (time.perf_counter() - started, time.process_time() - started_cpu)
        best = min(best, (*seconds, result.n_sightings))
    return best


def count_files(data_dir: Path) -> int:
    """Every file under the data dir (landing files, parts, state, published file)."""
    return sum(1 for path in data_dir.rglob("*") if path.is_file())


def run(data_dir: Path, args) -> list[dict]:
    """Land, load and compact every night; build and measure at the nights asked."""
    rng = np.random.default_rng(11)
    n_incremental = sum(not is_full(night) for night in range(1, args.nights + 1))
    world_rows = synthetic_sightings(args.sightings + args.new * n_incremental)
    measure = sorted({1, args.nights, *(n for n in args.measure if n <= args.nights)})
    listed, landed, most_files, figures = args.sightings, 0, 0, []
    compactions = []
    for night in range(1, args.nights + 1):
        listed = land_night(data_dir, world_rows, night, listed, args, rng)
        started, started_cpu = time.perf_counter(), time.process_time()
        landed += load(data_dir / "state.duckdb", data_dir).rows_loaded
        load_s, load_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu
        started = time.perf_counter()
        compact_landing(data_dir / "state.duckdb", data_dir)
        compactions.append(time.perf_counter() - started)
        files = count_files(data_dir)
        most_files = max(most_files, files)
        if night in measure:
            wall, cpu, published = timed_build(data_dir, args.repeat)
            figures.append(
                {
                    "night": night,
                    "mode": "full" if is_full(night) else "incremental",
                    "sightings": listed,
                    "landed": landed,
                    "published": published,
                    "load_s": load_s,
                    "load_cpu_s": load_cpu_s,
                    "build_s": wall,
                    "build_cpu_s": cpu,
                    "compact_s": compactions[-1],
                    "compact_max_s": max(compactions),
                    "files": count_files(data_dir),
                    "most_files": most_files,
                    **state_figures(data_dir / "state.duckdb"),
                }
            )
            report(figures[-1], figures[0])
    return figures


def report(row: dict, first: dict) -> None:
    """One measured night, as soon as it is measured."""
    both, first_both = row["load_s"] + row["build_s"], first["load_s"] + first["build_s"]
    cpu, first_cpu = row["load_cpu_s"] + row["build_cpu_s"], first["load_cpu_s"] + first["build_cpu_s"]
    print(
        f"night {row['night']}: sightings {row['sightings']:,}, published {row['published']:,}, "
        f"state rows {row['state_rows']:,} (details {row['detail_rows']:,}), "
        f"landing rows loaded {row['landed']:,}, state file {row['state_mb']:.1f} MB, "
        f"load {row['load_s']:.2f} s (CPU {row['load_cpu_s']:.2f} s), build {row['build_s']:.2f} s "
        f"(CPU {row['build_cpu_s']:.2f} s); build night {row['night']}/night 1 "
        f"{row['build_s'] / first['build_s']:.2f} wall, "
        f"{row['build_cpu_s'] / first['build_cpu_s']:.2f} CPU; "
        f"load+build night {row['night']}/night 1 {both / first_both:.2f} wall, {cpu / first_cpu:.2f} CPU; "
        f"compaction {row['compact_s']:.2f} s (longest so far {row['compact_max_s']:.2f} s); "
        f"files {row['files']:,} ({row['files'] / N_PORTALS:.1f} per portal; most so far {row['most_files']:,})",
        flush=True,
    )


def table(figures: list[dict]) -> None:
    """The measured nights side by side."""
    first = figures[0]["load_s"] + figures[0]["build_s"]
    first_cpu = figures[0]["load_cpu_s"] + figures[0]["build_cpu_s"]
    print(
        f"{'night':>5} {'mode':<11} {'sightings':>10} {'rows loaded':>12} {'load s':>7} {'build s':>8} "
        f"{'ratio':>6} {'CPU ratio':>9} {'compact s':>9} {'files':>6} {'/portal':>7} {'state MB':>8}"
    )
    for row in figures:
        both, cpu = row["load_s"] + row["build_s"], row["load_cpu_s"] + row["build_cpu_s"]
        print(
            f"{row['night']:>5} {row['mode']:<11} {row['sightings']:>10,} {row['landed']:>12,} "
            f"{row['load_s']:>7.2f} {row['build_s']:>8.2f} {both / first:>6.2f} {cpu / first_cpu:>9.2f} "
            f"{row['compact_s']:>9.2f} {row['files']:>6,} {row['files'] / N_PORTALS:>7.1f} {row['state_mb']:>8.1f}"
        )
    last = figures[-1]
    print(
        f"longest compaction {last['compact_max_s']:.2f} s; most files at any night {last['most_files']:,} "
        f"({last['most_files'] / N_PORTALS:.1f} per portal)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sightings", type=int, default=100_000, help="sightings of night 1")
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--measure", type=int, nargs="*", default=[30, 180], help="nights to build at")
    parser.add_argument("--changed", type=float, default=0.03, help="share re-listed per incremental night")
    parser.add_argument("--new", type=int, help="new sightings per incremental night (default 0.01%%)")
    parser.add_argument("--repeat", type=int, default=2, help="builds per measured night")
    parser.add_argument("--concurrency", type=int, default=8, help="the flow's workers (batches of portals)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    args.new = max(1, args.sightings // 10_000) if args.new is None else args.new
    print(
        f"{args.nights} nights of {args.sightings:,} sightings (+{args.new:,} per incremental "
        f"night, {args.changed:.0%} re-listed) on {N_PORTALS} portals, a full listing every "
        f"{FULL_EVERY} nights, landed in the batches of {args.concurrency} workers",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="xxgk-nights-") as temp:
        table(run(args.keep or Path(temp), args))


if __name__ == "__main__":
    main()
