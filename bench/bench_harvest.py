"""CPU per harvested item: our harvest of the sim world, next to a bare requests + lxml loop
and a Scrapy spider fetching and parsing the same pages, in one run.

    python bench/bench_harvest.py [--scale N] [--smoke] [--rounds N] [--baseline DIR] [--profile FILE]

The simulated Longyan world (scale N) is served in this process; each contender runs in a
child process of its own and reports the CPU seconds (user + system, its own and its reaped
children's: the parse processes) of its work, imports excluded:

- ours: the full harvest of every portal as a night's sync does it, without Prefect and
  without the build: `flows.night.steps.harvest_portal` on `harvest.concurrency` threads, one
  shared `HttpClient` (page archive, validators, fetch log) and the parse process pool,
  landing included (each portal's rows and run file written). Every request it makes is
  recorded (method, URL, form, headers, listing or detail) for the others.
- bare: the recorded requests, in order, on one `requests.Session` per origin; listing
  pages parsed by lxml (or json) for their links and dates, detail pages for their title and
  `label：value` metadata, crudely. One thread, nothing archived, nothing checked.
- scrapy (when installed): a spider asking for the same requests (8 at once, one per host,
  no delay, no robots.txt, as ours is configured), parsed with Scrapy's own selectors.

- sync (with `--sync`): a whole night as a user runs it, `xxgk sync --full` in a fresh
  interpreter on an empty data dir: Prefect's temporary server started, the harvest, the
  landing, the load, the build, the checks and the publish. Its CPU is counted all in:
  imports, Prefect's start and every child process.

An item is a harvested row (ours), a published sighting (sync) or a detail page read (bare,
Scrapy): on an empty data dir a full harvest reads one detail page per row. Prints CPU seconds and milliseconds per item
for each, and the ratios ours/bare and ours/Scrapy. `--smoke` serves two portals only.
`--baseline DIR` also runs the harvest of another checkout of the code (an older commit, say)
as `before`, and prints the ratio ours/before. `--rounds N` runs every contender N times, in
turn (so load from other processes hits them alike), prints each round's ratios and then the
medians.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

#: The code the contenders run: this checkout, or a baseline's (`--baseline`).
ROOT = Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

SMOKE_PORTALS = ("ly-zp-aic-site", "ly-sh-aic-site")  # a TRS table site and a Hanweb proxy site
_LABEL = re.compile(r"(索引号|发布机构|发布日期|生成日期|成文日期|文号|主题分类|标题|名称)\s*[:：]\s*([^\s:：]{1,60})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def cpu() -> float:
    """CPU seconds of this process and of its reaped children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# -- ours -------------------------------------------------------------------------------------


def run_ours(config_path: str, record: str, profile: str | None, processes: int | None) -> dict:
    """The harvest of every configured portal, as flows.night.flow runs it (without Prefect)."""
    from concurrent.futures import ThreadPoolExecutor

    from flows.config.load import load_config
    from flows.night.steps import harvest_portal, make_client, make_parser_pool

    config = load_config(config_path)
    if profile:
        processes = 0
    harvest = (
        config.harvest.model_copy(update={"parse_processes": processes}) if processes is not None else config.harvest
    )
    data_dir = Path(config.warehouse.data_dir)
    recorded: list[dict] = []
    profiles: list = []
    started, children = cpu(), os.times()
    with make_client(config.harvest, data_dir) as client, make_parser_pool(harvest) as parser:
        fetch = client.fetch

        def recording(request, allowed, *, log=None, attempts=None):  # noqa: ANN001, ANN202
            kind = "detail" if attempts else "list"
            recorded.append({"method": request.method, "url": request.url, "data": list(request.data), "kind": kind})
            recorded[-1]["headers"] = dict(request.headers)
            return fetch(request, allowed, log=log, attempts=attempts)

        client.fetch = recording

        def one(portal):  # noqa: ANN001, ANN202
            profiler = _profiler(profile, profiles)
            try:
                return harvest_portal(
                    portal, client, data_dir=data_dir, run_id="20260101T000000Z", mode="full", parser=parser
                )
            finally:
                if profiler is not None:
                    profiler.disable()

        with ThreadPoolExecutor(harvest.concurrency) as pool:
            outcomes = list(pool.map(one, config.portals))
    spent, after = cpu() - started, os.times()
    in_parsers = after.children_user + after.children_system - children.children_user - children.children_system
    if profiles:
        import pstats

        pstats.Stats(*profiles).dump_stats(profile)
    Path(record).write_text(json.dumps(recorded, ensure_ascii=False), encoding="utf-8")
    bad = [f"{o.portal_id}: {o.status} {o.reason}" for o in outcomes if o.status != "ok"]
    return {
        "cpu": spent,
        "cpu_parse_processes": in_parsers,
        "items": sum(o.rows for o in outcomes),
        "pages": len(recorded),
        "details": sum(r["kind"] == "detail" for r in recorded),
        "problems": bad,
    }


def _profiler(profile: str | None, profiles: list):  # noqa: ANN202
    """A started cProfile of this thread (kept in `profiles`) when profiling, else None."""
    if not profile:
        return None
    import cProfile

    profiler = cProfile.Profile(time.thread_time)  # CPU, not the wall time spent waiting
    profiles.append(profiler)
    profiler.enable()
    return profiler


# -- bare -------------------------------------------------------------------------------------


def crude_listing(content: bytes) -> int:
    """Links and dates of a listing page (HTML or a JSON API): how many links it holds."""
    import lxml.html

    if content.lstrip()[:1] in (b"{", b"["):
        data = json.loads(content, strict=False)  # portals put raw control characters in strings
        return len(re.findall(r'"(?:https?://|/)[^"]+"', json.dumps(data, ensure_ascii=False)))
    root = lxml.html.fromstring(content)
    links = [(a.get("href"), a.text_content().strip()) for a in root.iter("a") if a.get("href")]
    _DATE.findall(root.text_content())
    return len(links)


def crude_detail(content: bytes) -> dict[str, str]:
    """Title and `label：value` pairs of a detail page."""
    import lxml.html

    root = lxml.html.fromstring(content)
    fields: dict[str, str] = {}
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle":
            fields["title"] = meta.get("content") or ""
    for node in root.iter("td", "th", "p", "span", "li"):
        for label, value in _LABEL.findall(node.text_content()):
            fields.setdefault(label, value)
    return fields


def run_bare(record: str) -> dict:
    """The recorded requests on plain sessions, parsed crudely."""
    import requests

    requests_made = json.loads(Path(record).read_text(encoding="utf-8"))
    started = cpu()
    sessions: dict[str, requests.Session] = {}
    items = 0
    for r in requests_made:
        origin = r["url"].split("/", 3)[2]
        session = sessions.get(origin) or sessions.setdefault(origin, requests.Session())
        response = session.request(
            r["method"], r["url"], data=[tuple(pair) for pair in r["data"]] or None, headers=r["headers"], timeout=30
        )
        if r["kind"] == "list":
            crude_listing(response.content)
        elif crude_detail(response.content):
            items += 1
    for session in sessions.values():
        session.close()
    return {"cpu": cpu() - started, "items": items, "pages": len(requests_made)}


# -- Scrapy -----------------------------------------------------------------------------------


def run_scrapy(record: str, concurrency: int) -> dict:
    """The recorded requests by a Scrapy spider, parsed with its selectors."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    requests_made = json.loads(Path(record).read_text(encoding="utf-8"))
    counts = {"items": 0, "pages": 0}

    class Same(scrapy.Spider):
        name = "same"

        async def start(self):  # noqa: ANN202
            for r in requests_made:
                headers = dict(r["headers"])
                if r["data"]:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                yield scrapy.Request(
                    r["url"],
                    method=r["method"],
                    body=urlencode([tuple(pair) for pair in r["data"]]) if r["data"] else None,
                    headers=headers,
                    dont_filter=True,
                    cb_kwargs={"kind": r["kind"]},
                    meta={"download_slot": r["url"].split("/", 3)[2]},  # one at a time per portal, as ours
                    callback=self.parse_page,
                )

        def parse_page(self, response, kind):  # noqa: ANN001, ANN201
            counts["pages"] += 1
            if kind == "list":
                if response.body.lstrip()[:1] in (b"{", b"["):
                    json.loads(response.body, strict=False)
                else:
                    response.css("a::attr(href)").getall()
                    response.css("a::text").getall()
                return
            fields = {"title": response.css('meta[name="ArticleTitle"]::attr(content)').get()}
            for text in response.xpath("//td|//th|//p|//span|//li").xpath("string()").getall():
                for label, value in _LABEL.findall(text):
                    fields.setdefault(label, value)
            if any(fields.values()):
                counts["items"] += 1
                yield fields

    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "COOKIES_ENABLED": False,
        }
    )
    started = cpu()
    process.crawl(Same)
    process.start()
    return {"cpu": cpu() - started, **counts}


# -- the run ----------------------------------------------------------------------------------


def child(contender: str, *args: str, code: Path = ROOT) -> dict:
    """Run one contender in a fresh interpreter, on the checkout `code`; its JSON answer."""
    env = {**os.environ, "PYTHONPATH": str(code), "BENCH_CODE": str(code)}
    command = [sys.executable, __file__, "--contender", contender, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{contender} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help=f"serve only {', '.join(SMOKE_PORTALS)}")
    parser.add_argument("--profile", help="only profile our harvest (its threads' CPU, parsing in them), into FILE")
    parser.add_argument("--parse-processes", type=int, help="our parse processes (default: the config's)")
    parser.add_argument("--only-ours", action="store_true", help="run our harvest only (no comparison)")
    parser.add_argument("--baseline", type=Path, help="another checkout whose harvest runs too, as `before`")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of every contender in turn; ratios' medians")
    parser.add_argument(
        "--sync", action="store_true", help="also time a whole `xxgk sync --full` (Prefect, load, build)"
    )
    parser.add_argument("--contender", choices=("ours", "bare", "scrapy"), help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--record", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.contender == "ours":
        print(json.dumps(run_ours(opts.config, opts.record, opts.profile, opts.parse_processes)))
        return
    if opts.contender == "bare":
        print(json.dumps(run_bare(opts.record)))
        return
    if opts.contender == "scrapy":
        print(json.dumps(run_scrapy(opts.record, 8)))
        return
    from sim.registry import build_world
    from sim.server import start

    world = build_world(scale=opts.scale)
    with tempfile.TemporaryDirectory() as tmp, start(world) as server:
        exclude = [pid for pid in server.portals if pid not in SMOKE_PORTALS] if opts.smoke else []
        listed = sum(len(world.listing(pid, server.as_of)) for pid in server.portals if pid not in exclude)
        wall = time.perf_counter()
        rounds = []
        for n in range(1 if opts.profile or opts.only_ours else opts.rounds):
            results = round_of(opts, server, exclude, Path(tmp), n)
            if opts.profile or opts.only_ours:  # a profiled harvest is no measure of CPU: no comparison
                print(f"ours only{f', profile in {opts.profile}' if opts.profile else ''}: {results['ours']}")
                return
            rounds.append(results)
            if opts.rounds > 1:
                print(f"round {n + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios(results).items()), flush=True)
    report(opts, rounds, time.perf_counter() - wall, listed)


def round_of(opts: argparse.Namespace, server, exclude: list[str], tmp: Path, n: int) -> dict[str, dict]:  # noqa: ANN001
    """One round: our harvest (and the baseline's), each on an empty data dir, then the bare
    loop and Scrapy replaying the requests ours made."""
    codes = {"ours": ROOT, **({"before": opts.baseline.resolve()} if opts.baseline else {})}
    results: dict[str, dict] = {}
    record = str(tmp / f"requests-{n}.json")
    for name, code in codes.items():
        config = tmp / f"xxgk-{name}-{n}.toml"
        config.write_text(server.config_text(tmp / f"data-{name}-{n}", exclude=exclude), encoding="utf-8")
        mine = record if name == "ours" else str(tmp / f"requests-{name}-{n}.json")
        results[name] = child("ours", "--config", str(config), "--record", mine, *_ours_options(opts), code=code)
    if opts.profile or opts.only_ours:
        return results
    results["bare"] = child("bare", "--record", record)
    if importlib.util.find_spec("scrapy") is not None:
        results["scrapy"] = child("scrapy", "--record", record)
    if opts.sync:
        results["sync"] = run_sync(server, exclude, tmp / f"sync-{n}")
    return results


def run_sync(server, exclude: list[str], folder: Path) -> dict:  # noqa: ANN001
    """`xxgk sync --full` of the served portals on an empty data dir, in a fresh interpreter:
    its CPU (its own and its children's, Prefect's server among them), the sightings it
    published as items, and the requests the sim served it as pages."""
    import duckdb

    folder.mkdir(parents=True)
    config = folder / "xxgk.toml"
    config.write_text(server.config_text(folder / "data", exclude=exclude), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = str(ROOT)
    served = server.requests()
    before = os.times()
    command = [sys.executable, "-m", "flows.cli.app", "sync", "--full", "--config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    after = os.times()
    if done.returncode != 0:
        raise SystemExit(f"sync failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    with duckdb.connect(str(folder / "data" / "xxgk.duckdb"), read_only=True) as con:
        items = con.execute("SELECT count(*) FROM fct_sightings").fetchone()[0]
    used = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"cpu": used, "items": items, "pages": server.requests() - served}


def _ours_options(opts: argparse.Namespace) -> list[str]:
    """The options of our harvest's child process."""
    options = ["--profile", str(Path(opts.profile).resolve())] if opts.profile else []
    if opts.parse_processes is not None:
        options += ["--parse-processes", str(opts.parse_processes)]
    return options


def per_item(result: dict) -> float:
    """CPU milliseconds per item of one contender's run."""
    return result["cpu"] / max(result["items"], 1) * 1000


def ratios(results: dict[str, dict]) -> dict[str, float]:
    """The CPU-per-item ratios of one round: ours (and before) over bare and Scrapy, ours over before."""
    found = {}
    for name in ("ours", "before", "sync"):
        for other in ("bare", "scrapy"):
            if name in results and other in results:
                found[f"{name}/{other}"] = per_item(results[name]) / per_item(results[other])
    if "before" in results:
        found["ours/before"] = per_item(results["ours"]) / per_item(results["before"])
    return found


def report(opts: argparse.Namespace, rounds: list[dict[str, dict]], wall: float, listed: int) -> None:
    """Print each contender's CPU per item (the median round's) and the ratios' medians."""
    last = rounds[-1]
    print(
        f"world scale {opts.scale}{' (smoke)' if opts.smoke else ''}: {last['ours']['pages']:,} requests, in {wall:.0f} s"
    )
    print(f"the sim lists {listed:,} items on the portals served")
    for results in rounds:
        for name in ("ours", "before"):
            for problem in results.get(name, {}).get("problems", []):
                print(f"  not ok ({name}): {problem}")
    for name, r in last.items():
        cpu = statistics.median(x[name]["cpu"] for x in rounds)
        each = statistics.median(per_item(x[name]) for x in rounds)
        print(f"{name:7s} items {r['items']:6,}  pages {r['pages']:6,}  cpu {cpu:7.2f} s  {each:6.2f} ms/item")
    for name in ("ours", "before"):
        if name in last:
            parsing = statistics.median(x[name]["cpu_parse_processes"] for x in rounds)
            print(f"{name}: {parsing:.2f} s of its CPU in the parse processes")
    if "scrapy" not in last:
        print("scrapy not installed: no ratio to Scrapy")
    median = f"median of {len(rounds)} rounds" if len(rounds) > 1 else "one round"
    for key in ratios(last):
        print(
            f"ratio {key}: {statistics.median(ratios(x)[key] for x in rounds):.2f}"
            + (f"  ({median})" if len(rounds) > 1 else "")
        )


if __name__ == "__main__":
    main()
