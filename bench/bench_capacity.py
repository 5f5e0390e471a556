"""The capacity model (bench/capacity_model.py, docs/capacity.md) against measured nights.

    .venv/bin/python bench/bench_capacity.py [--portals 40] [--workers 8] [--delays 0.05 0.15]

The simulated province (sim/province) is served from a child process. First a calibration
night: every portal harvested in full at d = 0 by `workers` threads (the harvest of a night's
sync without Prefect: `flows.night.steps.harvest_portal`, one shared client, the parse
processes, landing), then loaded and built; it gives the unit costs (seconds a request holds
a worker, the machine's request rate, CPU per request and per row, bytes per archived page,
per landing row, per state sighting and per published document, build CPU per sighting)
and each portal's requests. Then one full night per delay on an empty data dir: the model
predicts its wall time and CPU from the calibration alone; printed are prediction,
measurement and the error. The model is good when the errors are small at delays where
politeness, not the machine, sets the pace.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from capacity_model import Costs, Tier, fit, night_seconds, portal_seconds, tier_requests, workers_needed  # noqa: E402


def serve(conn, portals: int, seed: int) -> None:
    """The child process: serve the province and write configs on request."""
    from sim.registry import build_world
    from sim.server import start

    world = build_world("province", portals=portals, seed=seed)
    with start(world) as sim:
        conn.send(world.documents_on())
        while (command := conn.recv()) is not None:
            path, harvest = command
            sim.write_config(path, **harvest)
            conn.send(None)


def cpu() -> float:
    """CPU seconds of this process and of its reaped children (the parse processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def size(path: Path) -> int:
    """Bytes of the files under `path` (or of the file)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def night(sim, folder: Path, delay: float, workers: int) -> dict:
    """One full night of every portal at `delay`, on an empty data dir: wall, CPU, requests."""
    from flows.config.load import load_config
    from flows.night.steps import harvest_portal, make_client, make_parser_pool

    config_path = folder / "xxgk.toml"
    sim.send((config_path, {"per_host_delay": delay, "concurrency": workers, "retries": 0}))
    sim.recv()
    config = load_config(config_path)
    data_dir = Path(config.warehouse.data_dir)
    spent = cpu()
    with make_client(config.harvest, data_dir) as client, make_parser_pool(config.harvest) as parser:
        wall = time.perf_counter()  # from the pool's start: a night pays it once, not per request

        def one(portal):  # noqa: ANN001, ANN202
            return harvest_portal(
                portal, client, data_dir=data_dir, run_id="20130101T020000Z", mode="full", parser=parser
            )

        with ThreadPoolExecutor(workers) as pool:
            outcomes = list(pool.map(one, config.portals))
        wall = time.perf_counter() - wall
    return {
        "wall": wall,
        "durations": [o.duration for o in outcomes],
        "cpu": cpu() - spent,
        "requests": [o.requests for o in outcomes],
        "rows": sum(o.rows for o in outcomes),
        "pages": sum(o.pages for o in outcomes),
        "bad": [o.portal_id for o in outcomes if o.status != "ok"],
        "config": config,
    }


def disk_and_build(measured: dict) -> dict:
    """Load and build the calibration night: disk per unit, build CPU per sighting."""
    from flows.night.publish import build_warehouse

    config = measured["config"]
    data_dir = Path(config.warehouse.data_dir)
    spent = cpu()
    outcome = build_warehouse(config)
    build_cpu = cpu() - spent
    documents = outcome.details.get("documents") or 1
    sightings = outcome.details.get("sightings") or 1
    requests = sum(measured["requests"])
    return {
        "archive_per_page": size(data_dir / "archive") / max(requests, 1),
        "landing_per_row": size(data_dir / "landing") / max(measured["rows"], 1),
        "state_per_sighting": size(config.warehouse.state_path) / sightings,
        "published_per_document": size(config.warehouse.path) / documents,
        "build_cpu_per_sighting": build_cpu / sightings,
        "ok": outcome.ok,
    }


#: China (docs/capacity.md): 100,000 catalog sources listing 50 million entries, sizes skewed.
CHINA = (Tier(1_000, 10_000), Tier(19_000, 1_000), Tier(80_000, 262))
NEW_PER_NIGHT = 13_700  # a tenth of the stock a year
MAX_WORKERS = 256  # `[harvest] concurrency` at most
LATENCY = 0.5  # seconds a portal takes to answer over the internet (not measured here)
#: Measured on this machine (bench_harvest.py, bench_portals.py, bench_build.py, the real
#: corpus; docs/capacity.md): CPU per request, CPU per portal, bytes per unit.
CPU_PER_REQUEST, CPU_PER_PORTAL = 0.0018, 0.0094
BYTES = {"listing": 4_600, "detail": 4_300, "landing_row": 362, "state": 257, "published": 152, "known": 220}


def china(delay: float, window: float, cores: int) -> None:
    """The model's answer for China at per-host delay `delay`, a night of `window` seconds."""
    costs = Costs(LATENCY + CPU_PER_REQUEST, CPU_PER_PORTAL, cores / CPU_PER_REQUEST, CPU_PER_REQUEST)
    entries = sum(t.sources * t.entries for t in CHINA)
    print(f"China: {sum(t.sources for t in CHINA):,} sources, {entries:,} entries, {NEW_PER_NIGHT:,} new a night; "
          f"d = {delay:g} s, latency {LATENCY:g} s, a night of {window / 3600:g} h, {cores} cores")  # fmt: skip
    for night in ("first", "full", "quiet"):
        requests = tier_requests(CHINA, night, NEW_PER_NIGHT)
        busy = sum(portal_seconds(r, delay, costs.service, costs.overhead) for r in requests)
        longest = portal_seconds(max(requests), delay, costs.service, costs.overhead)
        workers = workers_needed(requests, delay, window, costs) or (
            f"none suffice: {math.ceil(max(busy / (MAX_WORKERS * window), sum(requests) / costs.rate / window))} "
            f"nights at {MAX_WORKERS} workers"
        )
        cpu = sum(requests) * CPU_PER_REQUEST + len(requests) * CPU_PER_PORTAL
        print(f"  {night:5} night: {sum(requests):,.0f} requests, {busy / 3600:,.0f} worker-hours, longest portal "
              f"{longest / 3600:.1f} h, workers for the night {workers}, CPU {cpu / 3600:.1f} h")  # fmt: skip
    pages = sum(t.sources * (-(-t.entries // 20)) for t in CHINA)
    first_archive = pages * BYTES["listing"] + entries * BYTES["detail"]
    print(f"  disk: archive {first_archive / 1e9:,.0f} GB after the first harvest, {pages * BYTES['listing'] / 1e9:,.1f} GB "
          f"more a full night (every listing page changes as entries are added); landing {entries * BYTES['landing_row'] / 1e9:,.1f} GB "
          f"a full night; state {entries * BYTES['state'] / 1e9:,.1f} GB, published {entries * BYTES['published'] / 1e9:,.1f} GB")  # fmt: skip
    print(f"  memory: the night's known entries {entries * BYTES['known'] / 1e9:,.1f} GB in the harvest's process "
          f"(read once for every portal), the build's DuckDB its memory_limit")  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--portals", type=int, default=40)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--delays", type=float, nargs="+", default=[0.05, 0.15])
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--china", action="store_true", help="print the model's answer for China and stop")
    p.add_argument("--window", type=float, default=8.0, help="hours a night may take (--china)")
    p.add_argument("--cores", type=int, default=4, help="cores of the harvest machine (--china)")
    args = p.parse_args()
    if args.china:
        for delay in args.delays if args.delays != [0.05, 0.15] else [1.0]:
            china(delay, args.window * 3600, args.cores)
        return 0
    parent, child = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(target=serve, args=(child, args.portals, args.seed))
    server.start()
    parent.recv()
    with tempfile.TemporaryDirectory(prefix="xxgk-capacity-") as tmp:
        (Path(tmp) / "cal").mkdir()
        cal = night(parent, Path(tmp) / "cal", 0.0, args.workers)
        total = sum(cal["requests"])
        overhead, service = fit(cal["requests"], cal["durations"])
        costs = Costs(service, overhead, rate=total / cal["wall"], cpu_per_request=cal["cpu"] / total)
        disk = disk_and_build(cal)
        report_calibration(args, cal, costs, disk)
        errors = []
        for delay in args.delays:
            folder = Path(tmp) / f"d{delay}"
            folder.mkdir()
            got = night(parent, folder, delay, args.workers)
            predicted = night_seconds(cal["requests"], delay, args.workers, costs)
            wall_error = predicted / got["wall"] - 1
            cpu_error = costs.cpu_per_request * sum(got["requests"]) / got["cpu"] - 1
            errors.append(wall_error)
            print(
                f"delay {delay:g} s: wall predicted {predicted:6.1f} s, measured {got['wall']:6.1f} s, "
                f"error {wall_error:+.0%}; CPU predicted {costs.cpu_per_request * sum(got['requests']):5.1f} s, "
                f"measured {got['cpu']:5.1f} s, error {cpu_error:+.0%}"
                + (f"; not ok: {got['bad']}" if got["bad"] else "")
            )
    parent.send(None)
    server.join(timeout=10)
    print(f"model error on wall time: largest {max(abs(e) for e in errors):.0%} over {len(errors)} measured nights")
    return 0


def report_calibration(args: argparse.Namespace, cal: dict, costs: Costs, disk: dict) -> None:
    total = sum(cal["requests"])
    print(f"calibration: {args.portals} portals, {args.workers} workers, d = 0: {total:,} requests "
          f"({total / args.portals:.1f} a portal), {cal['pages']:,} listing pages, {cal['rows']:,} rows, "
          f"{cal['wall']:.1f} s, CPU {cal['cpu']:.1f} s" + (f"; not ok: {cal['bad']}" if cal["bad"] else ""))  # fmt: skip
    print(f"  a request holds a worker {costs.service * 1000:.1f} ms, a portal {costs.overhead * 1000:.1f} ms more; "
          f"the machine sustains {costs.rate:.0f} requests/s; "
          f"CPU {costs.cpu_per_request * 1000:.2f} ms a request, {cal['cpu'] / max(cal['rows'], 1) * 1000:.2f} ms a row")  # fmt: skip
    print(f"  disk: {disk['archive_per_page']:,.0f} B archived a request, {disk['landing_per_row']:,.0f} B of landing "
          f"a row, {disk['state_per_sighting']:,.0f} B of state a sighting, {disk['published_per_document']:,.0f} B "
          f"published a document; build CPU {disk['build_cpu_per_sighting'] * 1000:.2f} ms a sighting"
          + ("" if disk["ok"] else " (BUILD FAILED)"))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
