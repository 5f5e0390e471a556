"""HTTP/1.1 on an asyncio transport: one client connection to one portal, its requests read
as they arrive (keep-alive; GET, HEAD and POST with a body of at most 1 MB) and answered in
turn by the portal's `answer`. A request the server cannot read gets a 400 and the
connection is closed; an idle connection is closed after 30 s.

An answer is a `Response`, a `Later` (the `slow` fault: the answer comes after a wait, and
the connection's next requests wait with it, while every other connection goes on), an
`Oversize` (a body streamed block by block as fast as the client reads it) or None (drop
the connection with a TCP reset). Every answer goes out in the same shape: the status line
with the standard reason phrase, `Server`, `Date`, `Content-Type`, `Content-Length`, the
response's own headers, and `Connection: close` when the connection closes after it.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Protocol

from sim.pages.wire import Response

MAX_HEAD = 64 * 1024
MAX_BODY = 1 << 20
IDLE_SECONDS = 30.0  # an idle keep-alive connection is closed after this
SERVER = "Apache"
METHODS = ("GET", "POST", "HEAD")
#: The block an oversize body repeats: an HTML comment, so any prefix of it is harmless.
OVERSIZE_BLOCK = b"<!-- " + b"x" * 65520 + b" -->\n"


@dataclass(frozen=True)
class Later:
    """An answer given after `seconds`: `then()` makes it when the time has come."""

    seconds: float
    then: Callable[[], Answer]


@dataclass(frozen=True)
class Oversize:
    """A 200 of `size` bytes (an honest Content-Length), streamed until sent or the client
    gives up."""

    size: int


Answer = Response | Later | Oversize | None


class Answering(Protocol):
    """What answers one portal's requests (sim.portal_server.PortalServer)."""

    def answer(self, method: str, target: str, body: bytes, peer: tuple[str, int]) -> Answer: ...


def _reason(status: int) -> str:
    """The status line's reason phrase (the standard one; "Error" for a code it lacks)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def head(status: int, content_type: str, length: int, headers: list[tuple[str, str]], keep: bool) -> bytes:
    """The status line and headers of a response."""
    lines = [
        f"HTTP/1.1 {status} {_reason(status)}",
        f"Server: {SERVER}",
        f"Date: {formatdate(usegmt=True)}",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
        *(f"{name}: {value}" for name, value in headers),
    ]
    if not keep:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Connection(asyncio.Protocol):
    """One client connection to one portal: requests parsed as they arrive, answered in turn."""

    def __init__(self, portal: Answering, loop: asyncio.AbstractEventLoop, open_connections: set[Connection]):
        self.portal = portal
        self.loop = loop
        self.open = open_connections  # the server's, to drop every connection when it stops
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.peer: tuple[str, int] = ("", 0)
        self.idle: asyncio.TimerHandle | None = None
        self.waiting = False  # a `Later` answer is due: the next requests wait for it
        self.streaming = False  # an oversize body is going out: nothing else will
        self.unsent = 0  # bytes of that body still to write
        self.paused = False  # the transport's buffer is full: write more once it drains

    # -- the transport's events

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.peer = transport.get_extra_info("peername") or ("", 0)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else keep-alive waits ~40 ms
        self.open.add(self)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self.open.discard(self)
        self.streaming = False
        if self.idle is not None:
            self.idle.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._arm()
        self._answer_buffered()

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        self._stream()

    # -- reading requests

    def _arm(self) -> None:
        """(Re)start the idle clock: the connection closes after IDLE_SECONDS of silence."""
        if self.idle is not None:
            self.idle.cancel()
        self.idle = self.loop.call_later(IDLE_SECONDS, self.transport.close)

    def _answer_buffered(self) -> None:
        while not self.waiting and not self.streaming and not self.transport.is_closing():
            request = self._take_request()
            if request is None:
                return
            method, target, body, keep = request
            head_only = method == "HEAD"
            self._send(self.portal.answer("GET" if head_only else method, target, body, self.peer), keep, head_only)

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
        chunked = "transfer-encoding" in headers  # a body of unknown length is not read
        if len(parts) != 3 or parts[0] not in METHODS or not 0 <= length <= MAX_BODY or chunked:
            self._refuse()
            return None
        if len(self.buffer) < end + 4 + length:
            return None
        body, self.buffer = self.buffer[end + 4 : end + 4 + length], self.buffer[end + 4 + length :]
        keep = parts[2] == "HTTP/1.1" and headers.get("connection", "").strip() != "close"
        return parts[0], parts[1], body, keep

    # -- answering

    def _send(self, answer: Answer, keep: bool, head_only: bool) -> None:
        if answer is None:
            self._reset()
        elif isinstance(answer, Later):
            self.waiting = True
            self.loop.call_later(answer.seconds, self._send_later, answer, keep, head_only)
        elif isinstance(answer, Oversize):
            self.transport.write(head(200, "text/html; charset=utf-8", answer.size, [], False))
            self.streaming, self.unsent = True, 0 if head_only else answer.size
            self._stream()
        else:
            body = b"" if head_only else answer.body
            self.transport.write(
                head(answer.status, answer.content_type, len(answer.body), answer.headers, keep) + body
            )
            if not keep:
                self.transport.close()

    def _send_later(self, later: Later, keep: bool, head_only: bool) -> None:
        self.waiting = False
        if self.transport.is_closing():
            return
        self._send(later.then(), keep, head_only)
        self._answer_buffered()

    def _stream(self) -> None:
        """Write the oversize body while the client reads it; close once it is all sent."""
        while self.streaming and self.unsent and not self.paused and not self.transport.is_closing():
            block = OVERSIZE_BLOCK[: self.unsent]
            self.unsent -= len(block)
            self.transport.write(block)
            self._arm()
        if self.streaming and (not self.unsent or self.transport.is_closing()):
            self.streaming = False
            self.transport.close()

    def _reset(self) -> None:
        """Drop the connection with a TCP reset, no response."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def _refuse(self) -> None:
        self.transport.write(head(400, "text/plain", len(b"bad request"), [], False) + b"bad request")
        self.transport.close()
