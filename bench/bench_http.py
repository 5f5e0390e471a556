"""What the HTTP client's safety costs: bare requests.Session vs HttpClient on loopback.

Both fetch the same 20 KB GBK page from one local server, sequentially, with no politeness
delay; HttpClient also checks hosts, streams under caps, decodes, archives by sha256 and logs.
Prints requests per second for each and their ratio (timings alone mean nothing on shared
machines; the ratio does).

    .venv/bin/python bench/bench_http.py [--requests N]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from connectors.http import HttpClient, allowed_hosts
from connectors.records import Request

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
    """Requests per second of `fetch_one(i)` over n requests (after a short warm-up)."""
    for i in range(20):
        fetch_one(i)
    started = time.perf_counter()
    for i in range(n):
        fetch_one(i)
    return n / (time.perf_counter() - started)


def main(n: int = 1000) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with requests.Session() as session:
        bare = _rate(lambda i: session.get(f"{base}/p{i % 50}").content, n)
    with tempfile.TemporaryDirectory() as data_dir, HttpClient(data_dir, per_host_delay=0) as client:
        allowed = allowed_hosts(base)
        ours = _rate(lambda i: client.fetch(Request(f"{base}/p{i % 50}"), allowed), n)
    server.shutdown()
    print(f"page {len(PAGE)} bytes, {n} sequential requests")
    print(f"requests.Session: {bare:8.0f} req/s")
    print(f"HttpClient:       {ours:8.0f} req/s   (decode + archive + log + caps)")
    print(f"ratio HttpClient / Session: {ours / bare:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="sequential requests per side")
    main(parser.parse_args().requests)
