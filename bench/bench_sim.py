"""How fast the simulated world serves pages, next to a trivial static server in the same run.

    .venv/bin/python bench/bench_sim.py [--scale 100] [--requests 4000] [--threads 4] [--portals N]

Keep-alive clients (http.client, one connection per thread and origin, in a child process
so that they do not share the servers' interpreter lock) fetch a mix of listing pages and
detail pages from every portal; then the same number of requests go to a
ThreadingHTTPServer that returns one fixed 6 KB page (keep-alive and no Nagle delay, as the
sim). Prints both rates and their ratio (the world's pages per second must stay above 1,000 so
that it is never what a harvest benchmark measures). With `--portals N` the world is the
province of N portals (sim/province: a loopback address per portal), its pages fetched
from 300 portals drawn at random. Either world is served by the one server of sim.server.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sim.registry import build_world
from sim.server import start

STATIC_BODY = ("<html><body>" + "静态页面" * 500 + "</body></html>").encode()


class _Static(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(STATIC_BODY)))
        self.end_headers()
        self.wfile.write(STATIC_BODY)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


def fetch_all(urls: list[str], threads: int) -> float:
    """Seconds to GET every URL with `threads` keep-alive clients (bodies read whole)."""
    shares = [urls[i::threads] for i in range(threads)]
    errors: list[str] = []

    def work(share: list[str]) -> None:
        conns: dict[str, http.client.HTTPConnection] = {}
        for url in share:
            parts = urlsplit(url)
            conn = conns.get(parts.netloc)
            if conn is None:
                conn = conns[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=10)
            conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {url}")
        for conn in conns.values():
            conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(share,)) for share in shares]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    return elapsed


def timed_in_child(urls: list[str], threads: int) -> float:
    """`fetch_all` in a forked child process, after a warm-up round."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        pool.apply(fetch_all, (urls[:200], threads))
        return pool.apply(fetch_all, (urls, threads))


def sample_urls(server, count: int, rng: random.Random, portals: int | None = None) -> list[str]:
    """About a quarter listing pages and three quarters detail pages, from every portal (or
    from `portals` of them drawn at random)."""
    listings, details = [], []
    entries = list(server.portals.items())
    for pid, entry in rng.sample(entries, min(portals, len(entries))) if portals else entries:
        if "apiSearch" in entry:  # an SSP search API
            pages = [f"{entry}&page={rng.randint(1, 50)}&datas=20" for _ in range(20)]
            listings += pages
            body = http_get(pages[0])
            details += re.findall(r'"docpuburl":"([^"]+)"', body)
            continue
        text = http_get(entry)
        m = re.search(r"countPage\s*=\s*(\d+)", text) or re.search(r"createPageHTML\((\d+),", text)
        if m and int(m.group(1)) > 1:
            ext = entry.rsplit(".", 1)[1]
            pages = [
                entry.replace(f"index.{ext}", f"index_{rng.randrange(1, int(m.group(1)))}.{ext}") for _ in range(20)
            ]
        else:
            pages = [entry] * 5
        listings += pages
        origin, base = server.origins[pid], entry.rsplit("/", 1)[0]
        for page in pages[:3]:
            for href in re.findall(r'href="(\./\d{6}/t[^"]+|/art/[^"]+)"', http_get(page)):
                details.append(base + href[1:] if href.startswith("./") else origin + href)
    details = details or listings
    urls = [rng.choice(listings) if rng.random() < 0.25 else rng.choice(details) for _ in range(count)]
    return urls


def http_get(url: str) -> str:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
    body = conn.getresponse().read()
    conn.close()
    return body.decode("utf-8", "replace")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--scale", type=int, default=100)
    args.add_argument("--requests", type=int, default=4000)
    args.add_argument("--threads", type=int, default=4)
    args.add_argument("--portals", type=int, help="serve the province of this many portals instead")
    opts = args.parse_args()
    built = time.perf_counter()
    world = build_world("province", portals=opts.portals) if opts.portals else build_world(scale=opts.scale)
    what = f"province of {opts.portals} portals" if opts.portals else f"world scale {opts.scale}"
    print(f"{what}: {world.base_count * world.scale:,} documents, built in {time.perf_counter() - built:.2f} s")
    static = ThreadingHTTPServer(("127.0.0.1", 0), _Static)
    static.daemon_threads = True
    threading.Thread(target=static.serve_forever, daemon=True).start()
    try:
        with start(world) as server:
            urls = sample_urls(server, opts.requests, random.Random(1), 300 if opts.portals else None)
            sim_s = timed_in_child(urls, opts.threads)
        static_url = f"http://127.0.0.1:{static.server_address[1]}/page.html"
        static_s = timed_in_child([static_url] * opts.requests, opts.threads)
    finally:
        static.shutdown()
    sim_rate, static_rate = opts.requests / sim_s, opts.requests / static_s
    print(f"sim:    {sim_rate:8,.0f} pages/s ({opts.requests} requests, {opts.threads} threads)")
    print(f"static: {static_rate:8,.0f} pages/s (one fixed {len(STATIC_BODY):,}-byte page)")
    print(f"ratio sim/static: {sim_rate / static_rate:.2f}")


if __name__ == "__main__":
    main()
