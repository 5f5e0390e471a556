"""A province's nights on one machine: the nightly flow against a bare loop making the same
requests with the same politeness, at 1,000 and 5,000 portals.

    .venv/bin/python bench/bench_portals.py [--portals 1000 5000] [--delay 0.05] [--concurrency 32] [--smoke]

Each size runs in a process of its own (so its peak RSS is its own): the simulated province
(sim/province) is served from a child process, the flow runs a full night and then a quiet
night (the same day again: nothing new), and the sim records every request of each night.
At the end, the peak RSS of each size's process and the ratio of the largest's to the
smallest's (1 when memory is flat in the portals), and beside each the peak RSS of the Prefect
server the size started (a process of its own, as `xxgk sync` starts it).
Then a bare loop replays those very requests (keep-alive connections, the same per-host
delay with the same jitter, `concurrency` threads taking portals in turn). Printed per
night: wall, CPU of the flow's process, requests (the sim's count), the politeness floor
(the per-host delay alone: each portal's requests after its first, one delay apart,
scheduled on `concurrency` workers, longest first), the pipeline's overhead per portal
((wall − floor) / portals), the bare loop's wall and the ratio; the peak RSS of the size's
process and its RSS after each night.

`--smoke` runs 40 portals with a short delay and checks what must hold: every portal
harvested once per night, the pipeline's request count equal to the sim's, the documents
built equal to the documents the province lists (tests/test_bench_portals.py runs it).
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

JITTER = 0.25  # the http client's default: each gap is delay × (1 + U(0, jitter))


def serve(conn, portals: int, seed: int) -> None:
    """The child process: serve the province and answer the parent's commands."""
    from sim.registry import build_world
    from sim.server import start

    world = build_world("province", portals=portals, seed=seed)
    with start(world) as sim:
        conn.send((world.documents_on(), sim.origins))
        while True:
            command, *args = conn.recv()
            if command == "config":
                sim.write_config(args[0], **args[1])
                conn.send(None)
            elif command == "record":
                conn.send(sim.record(args[0]))
            elif command == "stop":
                conn.send(None)
                return


def floor_seconds(counts: dict[str, int], delay: float, workers: int) -> float:
    """What the per-host delay alone forces: portal chains of (requests − 1) delays, longest
    first onto the least loaded of `workers`."""
    loads = [0.0] * max(workers, 1)
    for chain in sorted(((n - 1) * delay for n in counts.values() if n > 1), reverse=True):
        heapq.heapreplace(loads, loads[0] + chain)
    return max(loads)


def bare_loop(log: list, origins: dict[str, str], delay: float, workers: int) -> float:
    """Seconds to replay `log` (portal, method, target, body): per portal in order, one
    keep-alive connection, `delay` × (1 + U(0, JITTER)) between starts; `workers` threads."""
    per: dict[str, list] = {}
    for portal_id, method, target, body in log:
        per.setdefault(portal_id, []).append((method, target, body))
    queue = sorted(per, key=lambda p: -len(per[p]))  # the longest first, as the floor assumes
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                portal_id = queue.pop(0)
            conn = http.client.HTTPConnection(origins[portal_id].removeprefix("http://"), timeout=30)
            next_start = 0.0
            for method, target, body in per[portal_id]:
                time.sleep(max(0.0, next_start - time.monotonic()))
                next_start = time.monotonic() + delay * (1 + random.uniform(0, JITTER))
                headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
                conn.request(method, target, body=body or None, headers=headers)
                conn.getresponse().read()
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def night(name: str, config: Path, sim, portals: int, delay: float, workers: int, origins: dict) -> dict:
    """One night of the flow, then the bare loop over the same requests."""
    from flows.night.flow import run_nightly

    sim.send(("record", True))
    sim.recv()
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_nightly(config)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sim.send(("record", False))
    log = sim.recv()
    counts: dict[str, int] = {}
    for portal_id, *_ in log:
        counts[portal_id] = counts.get(portal_id, 0) + 1
    rss_now = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    floor = floor_seconds(counts, delay, workers)
    bare = bare_loop(log, origins, delay, workers)
    return {
        "night": name,
        "portals": portals,
        "wall": wall,
        "cpu": cpu,
        "requests": len(log),
        "floor": floor,
        "overhead_ms": (wall - floor) / portals * 1000,
        "bare": bare,
        "ratio": wall / bare,
        "harvested": sorted(o.portal_id for o in result.outcomes),
        "ok": sum(o.status == "ok" and o.attempts == 1 for o in result.outcomes),
        "pipeline_requests": {o.portal_id: o.requests for o in result.outcomes},
        "sim_requests": counts,
        "documents": result.build.details.get("documents") if result.build else None,
        "build_ok": bool(result.build and result.build.ok),
        "rss_after_mb": rss_now,
    }


def warm_prefect() -> None:
    """Start Prefect's client before the clock runs: a flow of nothing."""
    from prefect import flow

    flow(name="xxgk-bench-warm-up")(lambda: None)()


def one_size(portals: int, delay: float, workers: int, seed: int) -> list[dict]:
    """Both nights at one size, in this process (a fresh one per size: see `main`)."""
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-portals-") as tmp:
        os.environ.setdefault("PREFECT_HOME", str(Path(tmp) / "prefect"))
        from flows import prefect_env
        from flows.prefect_server import temporary_server

        prefect_env.configure()
        parent, child = multiprocessing.get_context("fork").Pipe()
        server = multiprocessing.get_context("fork").Process(target=serve, args=(child, portals, seed), daemon=True)
        server.start()
        documents, origins = parent.recv()
        config = Path(tmp) / "xxgk.toml"
        harvest = {"per_host_delay": delay, "concurrency": workers, "retries": 0, "timeout": 30}
        parent.send(("config", config, harvest))
        parent.recv()
        with temporary_server(prefect_env.home()):  # as `xxgk sync` runs a night
            warm_prefect()
            nights = [night(n, config, parent, portals, delay, workers, origins) for n in ("full", "quiet")]
            server_mb = server_peak_mb()
        parent.send(("stop",))
        parent.recv()
        server.join(timeout=10)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for n in nights:
        n.update(rss_mb=rss, server_rss_mb=server_mb, truth_documents=documents)
    return nights


def server_peak_mb() -> float | None:
    """The peak RSS (VmHWM) of the Prefect server this process started for its nights (a
    process of its own, which the night's own peak does not count), or None when the nights
    used a server of the user's."""
    me = str(os.getpid())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
            command = (proc / "cmdline").read_bytes()
        except OSError:  # it ended meanwhile
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == me and b"prefect_server:create_app" in command:
            return int(fields["VmHWM"].split()[0]) / 1024
    return None


def smoke_problems(nights: list[dict]) -> list[str]:
    """What must hold of a run, as sentences naming what did not."""
    problems = []
    for n in nights:
        if n["harvested"] != sorted(set(n["harvested"])) or len(n["harvested"]) != n["portals"]:
            problems.append(f"{n['night']}: {len(n['harvested'])} outcomes for {n['portals']} portals")
        if n["ok"] != n["portals"]:
            problems.append(f"{n['night']}: {n['portals'] - n['ok']} portals not ok at the first attempt")
        if n["pipeline_requests"] != {p: n["sim_requests"].get(p, 0) for p in n["pipeline_requests"]}:
            problems.append(f"{n['night']}: the pipeline's request counts differ from the sim's log")
        if not n["build_ok"] or n["documents"] != n["truth_documents"]:
            problems.append(f"{n['night']}: {n['documents']} documents built, {n['truth_documents']} listed")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--portals", type=int, nargs="+", default=[1000, 5000])
    p.add_argument("--delay", type=float, default=0.05, help="per-host delay in seconds (default 0.05)")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--smoke", action="store_true", help="40 portals, delay 0.01, and check what must hold")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size in this process, JSON out
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(one_size(args.one, args.delay, args.concurrency, args.seed)))
        return 0
    sizes, delay = ([40], 0.01) if args.smoke else (args.portals, args.delay)
    nights: list[dict] = []
    print_head(delay, args.concurrency)
    for size in sizes:
        command = [sys.executable, __file__, "--one", str(size), "--delay", str(delay)]
        command += ["--concurrency", str(args.concurrency), "--seed", str(args.seed)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        nights += json.loads(done.stdout.strip().splitlines()[-1])
        print_rows(nights[-2:])  # as each size ends: a 5,000-portal size runs long
    print_memory(nights)
    problems = smoke_problems(nights)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


def print_memory(nights: list[dict]) -> None:
    """The peak RSS of each size (a full and a quiet night, each built) and, for the largest
    against the smallest, their ratio: 1 when the night's memory is flat in its portals."""
    peaks = {n["portals"]: n["rss_mb"] for n in nights}
    servers = {n["portals"]: n["server_rss_mb"] for n in nights}
    for portals, peak in peaks.items():
        server = f" (and Prefect's temporary server's: {servers[portals]:,.0f} MB)" if servers[portals] else ""
        print(f"peak RSS at {portals:,} portals: {peak:,.0f} MB{server}")
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        print(f"peak RSS ratio {large:,}/{small:,} portals: {peaks[large] / peaks[small]:.2f}")


def print_head(delay: float, workers: int) -> None:
    print(f"per-host delay {delay} s, concurrency {workers}; ms/portal: (wall - floor) / portals")
    print(
        f"{'portals':>7} {'night':>5} {'wall s':>8} {'cpu s':>7} {'requests':>8} {'floor s':>8} "
        f"{'ms/portal':>9} {'bare s':>7} {'ratio':>6} {'wall/floor':>10} {'peak MB':>7} {'after MB':>8}",
        flush=True,
    )


def print_rows(nights: list[dict]) -> None:
    for n in nights:
        over_floor = n["wall"] / n["floor"] if n["floor"] else float("inf")
        print(
            f"{n['portals']:>7} {n['night']:>5} {n['wall']:>8.1f} {n['cpu']:>7.1f} {n['requests']:>8} "
            f"{n['floor']:>8.1f} {n['overhead_ms']:>9.1f} {n['bare']:>7.1f} {n['ratio']:>6.2f} "
            f"{over_floor:>10.2f} {n['rss_mb']:>7.0f} {n['rss_after_mb']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
