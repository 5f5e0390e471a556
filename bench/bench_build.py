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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import N_PORTALS, land_all, synthetic_sightings, world  # noqa: E402

from warehouse.db import connect  # noqa: E402


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
    print(
        json.dumps(
            {
                "load_s": load_seconds,
                "build_s": build_seconds,
                "rows": loaded.rows_loaded,
                "documents": result.n_documents,
                "steps": result.seconds,
                "peak_mb": peak_memory_mb(),
            }
        )
    )


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
    (
        "grouped read (read + group by index_no)",
        "SELECT count(*) FROM (SELECT index_no, count(*) FROM read_parquet(?) GROUP BY index_no)",
    ),
    ("copy (read every column, write it once)", "CREATE TABLE landing_copy AS SELECT * FROM read_parquet(?)"),
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
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(data_dir)], check=True, stdout=subprocess.PIPE, text=True
        ).stdout
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_cpu = usage.ru_utime + usage.ru_stime
        report = json.loads(output.splitlines()[-1])
        peak_mb = report["peak_mb"]
        floors = [(name, *floor_seconds(data_dir, sql)) for name, sql in FLOORS]
        disk = {name: _bytes(data_dir / name) for name in ("landing", "state.duckdb", "xxgk.duckdb")}
    total = report["load_s"] + report["build_s"]
    slowest = sorted(report["steps"].items(), key=lambda item: -item[1])[:6]
    print(f"documents {report['documents']:,} of {report['rows']:,} sightings")
    print(
        f"load {report['load_s']:.1f} s + build {report['build_s']:.1f} s = {total:.1f} s: "
        f"{args.sightings / total:,.0f} sightings/s, peak memory {peak_mb:,.0f} MB"
    )
    print("slowest steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest))
    print(
        f"disk per sighting: landing {disk['landing'] / args.sightings:.0f} B, state {disk['state.duckdb'] / args.sightings:.0f} B, "
        f"published {disk['xxgk.duckdb'] / args.sightings:.0f} B; build CPU {child_cpu / args.sightings * 1e6:.0f} µs a sighting"
    )
    for name, floor, floor_cpu in floors:
        # CPU seconds are steadier than wall time when other work shares the cores
        print(
            f"floor {name}: {floor:.2f} s, CPU {floor_cpu:.2f} s; load+build/floor "
            f"{total / floor:.1f} wall, {child_cpu / max(floor_cpu, 1e-3):.1f} CPU"
        )


def _bytes(path: Path) -> int:
    """Bytes of a file, or of the files under a folder."""
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


if __name__ == "__main__":
    main()
