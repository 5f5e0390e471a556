"""Every request the simulated portals answer: when it arrived, when it was answered, and
which process on this machine sent it.

A read-only wrapper around each portal's `answer` (the sim keeps counts, not times); a
request is answered when `answer` returns (a `slow` portal's answer is then only decided).
The sender is found from the connection: the client socket's port in /proc/net/tcp gives
its inode, and the process holding that inode among its file descriptors is the sender
(looked up once per client address). Politeness tests read from it whether one host was
ever asked by two processes at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sim.server import SimServer

#: (arrived, answered, sending pid or 0 when unknown), monotonic seconds.
Request = tuple[float, float, int]


def socket_owner(client_port: int, server_port: int) -> int:
    """The pid of the local process whose TCP socket goes from `client_port` to `server_port`."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
            if int(local, 16) == client_port and int(remote, 16) == server_port:
                inode = fields[9]
                break
        if inode:
            break
    if not inode:
        return 0
    target = f"socket:[{inode}]"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return int(pid)
        except OSError:
            continue
    return 0


@dataclass
class RequestLog:
    """(portal id, arrived, answered, sending pid, target) of every request, in arrival order."""

    entries: list[tuple[str, float, float, int, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _senders: dict[tuple[str, int], int] = field(default_factory=dict)

    def attach(self, sim: SimServer) -> RequestLog:
        for portal_id, portal in sim._portals.items():
            portal.answer = self._wrap(portal_id, portal.answer, portal.port)
        return self

    def _wrap(self, portal_id: str, answer, server_port: int):
        def logged(method: str, target: str, body: bytes, peer: tuple[str, int]):
            arrived = time.monotonic()
            sender = self._senders.get(peer, 0)  # one lookup per connection
            if not sender:
                sender = self._senders[peer] = socket_owner(peer[1], server_port)
            try:
                return answer(method, target, body, peer)
            finally:
                with self._lock:
                    self.entries.append((portal_id, arrived, time.monotonic(), sender, target))

        return logged

    def by_portal(self, since: float = 0.0, keep: Callable[[str, str], bool] | None = None) -> dict[str, list[Request]]:
        """Each portal's requests since `since` (monotonic), by arrival; only those
        `keep(portal_id, target)` keeps when given."""
        with self._lock:
            grouped: dict[str, list[Request]] = defaultdict(list)
            for portal_id, arrived, answered, pid, target in self.entries:
                if arrived >= since and (keep is None or keep(portal_id, target)):
                    grouped[portal_id].append((arrived, answered, pid))
        return {portal_id: sorted(rows) for portal_id, rows in grouped.items()}
