"""HTTP/1.1 on an asyncio transport for the province server (sim/province/server.py): one
client connection to one portal, its requests parsed as they arrive (keep-alive, GET, HEAD
and POST with a body of at most 1 MB) and answered in turn by the portal's `answer`; a
request the server cannot read gets a 400 and the connection is closed."""

from __future__ import annotations

import asyncio
import socket
from http import HTTPStatus
from typing import Protocol

from sim.pages.wire import Response

MAX_HEAD = 64 * 1024
MAX_BODY = 1 << 20
IDLE_SECONDS = 30.0  # an idle keep-alive connection is closed after this


class Answering(Protocol):
    """What answers a portal's requests (sim.province.server.ProvincePortal)."""

    def answer(self, method: str, target: str, body: bytes) -> Response | None: ...


def _reason(status: int) -> str:
    """The status line's reason phrase (the standard one; "Error" for a code it lacks)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _wire(response: Response, keep_alive: bool) -> bytes:
    """The bytes of a response on the wire."""
    head = [
        f"HTTP/1.1 {response.status} {_reason(response.status)}",
        "Server: Apache",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        *(f"{name}: {value}" for name, value in response.headers),
    ]
    if not keep_alive:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body


class Connection(asyncio.Protocol):
    """One client connection to one portal: requests parsed as they arrive, answered in turn."""

    def __init__(self, portal: Answering, loop: asyncio.AbstractEventLoop):
        self.portal = portal
        self.loop = loop
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.idle: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else keep-alive waits ~40 ms
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.idle is not None:
            self.idle.cancel()

    def _arm(self) -> None:
        if self.idle is not None:
            self.idle.cancel()
        self.idle = self.loop.call_later(IDLE_SECONDS, self.transport.close)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._arm()
        while self.transport is not None and not self.transport.is_closing():
            request = self._take_request()
            if request is None:
                return
            self._respond(*request)

    def _take_request(self) -> tuple[str, str, bytes, bool] | None:
        """(method, target, body, keep-alive) of the next whole request in the buffer."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                self._refuse()
            return None
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = dict(line.lower().split(":", 1) for line in lines[1:] if ":" in line)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            length = -1
        if len(parts) != 3 or parts[0] not in ("GET", "POST", "HEAD") or not 0 <= length <= MAX_BODY:
            self._refuse()
            return None
        if len(self.buffer) < end + 4 + length:
            return None
        body, self.buffer = self.buffer[end + 4 : end + 4 + length], self.buffer[end + 4 + length :]
        keep = parts[2] == "HTTP/1.1" and headers.get("connection", "").strip() != "close"
        return parts[0], parts[1], body, keep

    def _respond(self, method: str, target: str, body: bytes, keep: bool) -> None:
        response = self.portal.answer("GET" if method == "HEAD" else method, target, body)
        if response is None:
            self.transport.abort()
            return
        self.transport.write(_wire(response, keep))
        if not keep:
            self.transport.close()

    def _refuse(self) -> None:
        self.transport.write(_wire(Response(400, b"bad request", "text/plain"), False))
        self.transport.close()
