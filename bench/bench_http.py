"""What the HTTP client's safety costs: bare requests.Session vs HttpClient on loopback.

Both fetch the same 20 KB GBK page from one local server, sequentially, with no politeness
delay; HttpClient also checks hosts, streams under caps, decodes, archives by sha256 and logs.
The two take turns in short rounds (so load from other processes hits both alike); printed
are the requests per second of each (the median round) and their ratio (timings alone mean
nothing on shared machines; the ratio does).

    .venv/bin/python bench/bench_http.py [--requests N] [--baseline DIR [--repeat 5]]

`--baseline DIR` also measures another checkout's HttpClient (an older commit, say): each
checkout runs in child processes of its own code, alternating `--repeat` times, and the
ratio printed is the median of ours (HttpClient / Session) over the median of the
baseline's: above 1, ours costs less per request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from connectors.http import HttpClient, allowed_hosts
from connectors.records import Request

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5
PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "</head><body>" + "<li><a href='/t.html'>龙岩市工商行政管理局关于通知</a></li>" * 400 + "</body></html>"
).encode("gbk")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


def _rate(fetch_one, n: int) -> float:
    """Requests per second of `fetch_one(i)` over n requests."""
    started = time.perf_counter()
    for i in range(n):
        fetch_one(i)
    return n / (time.perf_counter() - started)


def measure(n: int) -> dict[str, float]:
    """Median requests per second of a bare Session and of HttpClient, in alternating rounds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rates: dict[str, list[float]] = {"session": [], "client": []}
    with (
        requests.Session() as session,
        tempfile.TemporaryDirectory() as data_dir,
        HttpClient(data_dir, per_host_delay=0) as client,
    ):
        allowed = allowed_hosts(base)
        sides = {
            "session": lambda i: session.get(f"{base}/p{i % 50}").content,
            "client": lambda i: client.fetch(Request(f"{base}/p{i % 50}"), allowed),
        }
        for fetch_one in sides.values():
            _rate(fetch_one, 20)  # warm-up: connections, imports, the archive's folders
        for _ in range(ROUNDS):
            for name, fetch_one in sides.items():
                rates[name].append(_rate(fetch_one, max(n // ROUNDS, 1)))
    server.shutdown()
    return {name: statistics.median(values) for name, values in rates.items()}


def compare(baseline: Path, n: int, repeat: int) -> None:
    """This checkout's client against `baseline`'s, in alternating child processes."""
    codes = {"ours": ROOT, "before": baseline.resolve()}
    ratios: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(repeat):
        for name, code in codes.items():
            env = {**os.environ, "PYTHONPATH": str(code)}
            command = [sys.executable, __file__, "--requests", str(n), "--child"]
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=True, cwd=code)
            got = json.loads(done.stdout.strip().splitlines()[-1])
            ratios[name].append(got["client"] / got["session"])
    ours, before = statistics.median(ratios["ours"]), statistics.median(ratios["before"])
    print(f"HttpClient / Session, median of {repeat} alternating runs: ours {ours:.2f}, before {before:.2f}")
    print(f"ratio ours/before: {ours / before:.2f}   (above 1: ours makes more requests a second)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="sequential requests per side")
    parser.add_argument("--baseline", type=Path, help="another checkout whose HttpClient is measured too")
    parser.add_argument("--repeat", type=int, default=5, help="alternating runs of each checkout")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        compare(args.baseline, args.requests, args.repeat)
        return
    rates = measure(args.requests)
    if args.child:
        print(json.dumps(rates))
        return
    print(f"page {len(PAGE)} bytes, {args.requests} sequential requests a side, in {ROUNDS} alternating rounds")
    print(f"requests.Session: {rates['session']:8.0f} req/s")
    print(f"HttpClient:       {rates['client']:8.0f} req/s   (decode + archive + log + caps)")
    print(f"ratio HttpClient / Session: {rates['client'] / rates['session']:.2f}")


if __name__ == "__main__":
    main()
