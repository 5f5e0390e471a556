"""HTTP plumbing of the loopback server: a keep-alive handler that hands every request to
its portal, and the ways an answer goes out (a response, an endless oversize body, a TCP
reset)."""

from __future__ import annotations

import socket
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from sim.pages.wire import Response

MAX_BODY = 1 << 20


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that hands every request to its portal."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every keep-alive request waits ~40 ms
    server_version = "Apache"
    sys_version = ""
    timeout = 30  # idle keep-alive connections are closed after this

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.portal.serve(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.server.portal.serve(self, "POST")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: a benchmark serves thousands of requests."""


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128


def read_form(h: Handler) -> dict[str, str]:
    """The urlencoded form of a POST; a body too large or of unknown length is not read
    (and the connection is closed after the answer, so no stray bytes stay on it)."""
    try:
        length = int(h.headers.get("Content-Length") or 0)
    except ValueError:
        length = -1
    if not 0 <= length <= MAX_BODY:
        h.close_connection = True
        return {}
    raw = h.rfile.read(length)
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def send(h: Handler, response: Response) -> None:
    """Write a response (a client that went away closes the connection)."""
    try:
        h.send_response(response.status)
        h.send_header("Content-Type", response.content_type)
        h.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(response.body)
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def send_oversize(h: Handler, megabytes: float) -> None:
    """A response of `megabytes` MB (honest Content-Length), streamed until the client
    gives up."""
    size = int(megabytes * 1024 * 1024)
    block = b"<!-- " + b"x" * 65520 + b" -->\n"
    try:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        sent = 0
        while sent < size:
            chunk = block[: size - sent]
            h.wfile.write(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
        pass
    h.close_connection = True


def reset(h: Handler) -> None:
    """Drop the connection with a TCP reset, no response."""
    try:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
    except OSError:
        pass
    h.close_connection = True
