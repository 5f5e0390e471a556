"""Where pages are parsed: our process pool, a pebble process pool, or inline in the harvest
threads (`parse_processes = 0`), per family, on the simulated worlds' pages, in one run.

    python bench/bench_parse_pool.py [--processes 2] [--threads 1 4] [--rounds 5] [--parses 600]

The pages are those a crawl of the Longyan and Guangdong sims asks to parse (listing and
detail pages of trs, hanweb, ssp, gkmlpt, govcn), recorded once with the very arguments the
crawl passes, then replayed through each contender (`--parses` calls per replay, a family's
pages cycled): `--threads` harvest threads share one parser, as a night's portals do. The
contenders are `connectors.parse_pool.ParsePool`, `pebble_parse_pool.PebbleParsePool` (the
same promises on pebble's ProcessPool) and `InlineParser`; the pools are started and warmed
first (a night starts them once).

Per family and thread count, each figure is the least of `--rounds` interleaved rounds (load
from other processes on a shared machine hits every contender alike): wall milliseconds per
page, CPU milliseconds per page in this process (what the harvest threads' interpreter lock
carries) and in the pool's processes. Ratios against our pool, of wall time and of all CPU.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pebble_parse_pool import PebbleParsePool  # noqa: E402

from connectors.crawl import crawl  # noqa: E402
from connectors.http import HttpClient  # noqa: E402
from connectors.parse_pool import InlineParser, ParsePool  # noqa: E402
from flows.config.load import load_config  # noqa: E402
from flows.config.model import Portal  # noqa: E402
from flows.night.steps import target_of  # noqa: E402
from sim.registry import build_world  # noqa: E402
from sim.server import start  # noqa: E402

FAMILIES = ("trs", "hanweb", "ssp", "gkmlpt", "govcn")
CONTENDERS = ("pool", "pebble", "inline")
#: A parse call as the crawl makes it: (kind, function, its arguments).
Call = tuple[str, Callable[..., Any], tuple]
#: (wall, this process's CPU, the pool processes' CPU) seconds.
Cost = tuple[float, float, float]
_TICK = os.sysconf("SC_CLK_TCK")


class Recorder:
    """A parser that parses inline and keeps every call, under the family being crawled."""

    timeout = 600.0

    def __init__(self) -> None:
        self.family = ""
        self.calls: dict[str, list[Call]] = {}

    def parse(self, url: str, fn: Callable[..., Any], *args: Any) -> Any:
        kind = "listing" if fn.__name__ == "parse_listing" else "detail"
        self.calls.setdefault(self.family, []).append((kind, fn, args))
        return fn(*args)

    def enough(self, listings: int, details: int) -> bool:
        kinds = [kind for kind, _, _ in self.calls.get(self.family, [])]
        return kinds.count("listing") >= listings and kinds.count("detail") >= details


def record(listings: int, details: int) -> dict[str, list[Call]]:
    """Up to `listings` listing and `details` detail parses per family, crawled from the sims."""
    recorder = Recorder()
    with tempfile.TemporaryDirectory() as scratch:
        for world in ("longyan", "guangdong"):
            with start(build_world(world)) as sim:
                config_path = sim.write_config(Path(scratch) / f"{world}.toml")
                with HttpClient(Path(scratch) / world, per_host_delay=0) as client:
                    for portal in load_config(config_path).portals:
                        if portal.platform in FAMILIES:
                            recorder.family = portal.platform
                            crawl_until(recorder, portal, client, listings, details)
    return {family: first(calls, listings, details) for family, calls in recorder.calls.items()}


def crawl_until(recorder: Recorder, portal: Portal, client: HttpClient, listings: int, details: int) -> None:
    """Crawl one portal, every detail page read, until its family has enough of both kinds."""
    if recorder.enough(listings, details):
        return
    target = replace(target_of(portal), details="always")
    for _ in crawl(target, client, run_id="20260101T000000Z", parser=recorder):
        if recorder.enough(listings, details):
            return


def first(calls: list[Call], listings: int, details: int) -> list[Call]:
    """The first `listings` listing and `details` detail calls, in the order recorded."""
    quota = {"listing": listings, "detail": details}
    kept = []
    for call in calls:
        if quota[call[0]] > 0:
            quota[call[0]] -= 1
            kept.append(call)
    return kept


def cycle(calls: list[Call], n: int) -> list[Call]:
    """`n` calls: `calls` repeated in order (a family with few pages is timed as long)."""
    return [calls[i % len(calls)] for i in range(n)]


def worker_cpu() -> float:
    """CPU seconds of this process's live child processes (the pools' workers), from /proc:
    the workers are never reaped while they serve, so `os.times` cannot see them."""
    ticks = 0
    for child in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / _TICK


def replay(parser: Any, calls: list[Call], threads: int) -> Cost:
    """What parsing `calls` costs with `threads` threads sharing `parser`."""

    def work(share: list[Call]) -> None:
        for kind, fn, args in share:
            parser.parse(kind, fn, *args)

    runners = [threading.Thread(target=work, args=(calls[n::threads],)) for n in range(threads)]
    own, workers, wall = time.process_time(), worker_cpu(), time.perf_counter()
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    return time.perf_counter() - wall, time.process_time() - own, worker_cpu() - workers


def check_same(parsers: dict[str, Any], calls: dict[str, list[Call]]) -> None:
    """Every contender reads every recorded page as the crawl's own thread does."""
    pages = [call for family_calls in calls.values() for call in family_calls]
    for name, parser in parsers.items():
        differ = sum(parser.parse(kind, fn, *args) != fn(*args) for kind, fn, args in pages)
        if differ:
            raise SystemExit(f"{name} read {differ} of {len(pages)} pages differently")
    print(f"every contender reads the {len(pages)} recorded pages alike")


def measure(recorded: dict[str, list[Call]], parses: int, processes: int, threads: list[int], rounds: int) -> dict:
    """The least cost of the rounds, figure by figure, per (family, threads, contender), of
    `parses` calls per replay."""
    calls = {family: cycle(found, parses) for family, found in recorded.items()}
    best: dict[tuple[str, int, str], Cost] = {}
    with ParsePool(processes, timeout=60) as pool, PebbleParsePool(processes, timeout=60) as pebble:
        parsers = {"pool": pool, "pebble": pebble, "inline": InlineParser(60)}
        any_page = next(iter(calls.values()))[:1]
        for warming in (pool, pebble):  # every process started and its imports done
            replay(warming, any_page * processes * 4, processes)
        check_same(parsers, recorded)
        for _ in range(rounds):
            for family, family_calls in calls.items():
                for n in threads:
                    for name, parser in parsers.items():
                        cost = replay(parser, family_calls, n)
                        key = (family, n, name)
                        best[key] = tuple(map(min, zip(best.get(key, cost), cost, strict=True)))
    return best


def report(recorded: dict[str, list[Call]], parses: int, best: dict, threads: list[int]) -> None:
    """One line per family and thread count: each contender's ms per page, and the ratios."""
    heads = "  ".join(f"{name + ' wall/own/procs':>26}" for name in CONTENDERS)
    print(
        f"{'family':7} {'pages':>9} {'thr':>3}  {heads}   wall: pebble/pool inline/pool   cpu: pebble/pool inline/pool"
    )
    for family in FAMILIES:
        if family not in recorded:
            print(f"{family:7} no pages recorded")
            continue
        kinds = [kind for kind, _, _ in recorded[family]]
        pages = f"{kinds.count('listing')}L+{kinds.count('detail')}D"
        for n in threads:
            per = {name: [1000 * x / parses for x in best[(family, n, name)]] for name in CONTENDERS}
            cpu = {name: own + procs for name, (_, own, procs) in per.items()}
            cells = "  ".join(f"{wall:8.3f} {own:7.3f} {procs:7.3f} " for wall, own, procs in per.values())
            print(
                f"{family:7} {pages:>9} {n:3}  {cells}"
                f"   {per['pebble'][0] / per['pool'][0]:11.2f}x {per['inline'][0] / per['pool'][0]:10.2f}x"
                f"   {cpu['pebble'] / cpu['pool']:10.2f}x {cpu['inline'] / cpu['pool']:10.2f}x"
            )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--processes", type=int, default=2, help="processes of each pool")
    options.add_argument("--threads", type=int, nargs="+", default=[1, 4], help="harvest threads sharing a parser")
    options.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the least of each figure is kept")
    options.add_argument("--listings", type=int, default=20, help="listing pages recorded per family")
    options.add_argument("--details", type=int, default=200, help="detail pages recorded per family")
    options.add_argument("--parses", type=int, default=600, help="parses per replay (a family's pages cycled)")
    opts = options.parse_args()
    recorded = record(opts.listings, opts.details)
    best = measure(recorded, opts.parses, opts.processes, opts.threads, opts.rounds)
    report(recorded, opts.parses, best, opts.threads)


if __name__ == "__main__":
    main()
