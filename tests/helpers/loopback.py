"""A real HTTP/1.1 server on loopback, for tests that need the wire."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = tuple[int, dict[str, str], bytes]


class LoopbackServer:
    """A real HTTP/1.1 server on 127.0.0.1 (or another loopback address), port 0, answering
    from per-path handlers.

    A handler gets the request handler and returns (status, headers, body), or None when
    it answered (or hung up) by itself. Every request is recorded in `hits` with the
    monotonic time it arrived, so tests can measure gaps between request starts. A test
    that must act only once the server has seen N requests, or answered them, waits for
    that event (`wait_for_requests`, `wait_for_answers`) instead of sleeping.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], Reply | None]] = {}
        self.hits: list[tuple[str, str, float, dict[str, str]]] = []
        self.peers: list[tuple[str, int]] = []  # the client address of each request
        self.in_flight = 0
        self.max_in_flight = 0
        self.answered = 0  # requests whose handler has returned (answer written, or hung up)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

            do_POST = do_GET

        self.host = host  # any 127.x.y.z address is loopback on Linux
        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return f"http://{self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        """The paths requested so far, in arrival order."""
        return [path for path, _, _, _ in self.hits]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body_in = handler.rfile.read(length) if length else b""
        with self._lock:
            self.hits.append(
                (handler.path, handler.command, time.monotonic(), {k.lower(): v for k, v in handler.headers.items()})
            )
            self.peers.append(handler.client_address)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._changed.notify_all()
        handler.request_body = body_in
        try:
            route = self.routes.get(handler.path) or self.routes.get(handler.path.split("?")[0])
            reply = route(handler) if route else (404, {}, b"not found")
            if reply is not None:
                status, headers, body = reply
                handler.send_response(status)
                for name, value in headers.items():
                    handler.send_header(name, value)
                if "Content-Length" not in headers:
                    handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)
        finally:
            with self._lock:
                self.in_flight -= 1
                self.answered += 1
                self._changed.notify_all()

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> bool:
        """Block until the server has seen `count` requests; False when `timeout` seconds
        passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.hits) >= count, timeout)

    def wait_for_answers(self, count: int, timeout: float = 30.0) -> bool:
        """Block until the handlers of `count` requests have returned (each answer written to
        the socket); False when `timeout` seconds passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self.answered >= count, timeout)

    def __enter__(self) -> LoopbackServer:
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
