"""The client's hosts: each host key's politeness gate and session, made on first use and
dropped when no portal that may use the host is running any more.

A night over thousands of portals touches thousands of hosts; keeping every host's session
(its pools, connections and cookies) until the night ends made the client's memory grow with
the portals harvested, not with those in flight. So a crawl `hold`s its portal's allow-list
while it runs and `release`s it when done: a host that no held allow-list permits, and that
no request is using, has its session closed and dropped. Its gate goes too, but only once
it is idle (the delay after its last request and any pause the host asked for are over):
until then it waits aside and is taken back if the host is asked again, so dropping a host
never lets a request start sooner than politeness allows. Hosts used outside any held
allow-list (a one-off fetch) are kept until the client closes.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from connectors.http.hosts import permits
from connectors.http.politeness import HostGate
from connectors.http.session import HostSession


@dataclass
class Host:
    """One host key's gate and session, and the requests using them now."""

    gate: HostGate
    session: HostSession
    users: int = 0


class HostTable:
    """The hosts of one client (module docstring). Thread-safe."""

    def __init__(self, make_gate: Callable[[str], HostGate], make_session: Callable[[str], HostSession]) -> None:
        self._make_gate = make_gate
        self._make_session = make_session
        self._lock = threading.Lock()
        self._hosts: dict[str, Host] = {}
        self._resting: dict[str, HostGate] = {}  # gates of dropped hosts, until they are idle
        self._held: Counter[frozenset[str]] = Counter()

    def __len__(self) -> int:
        """Hosts with a session now."""
        return len(self._hosts)

    @contextmanager
    def using(self, key: str) -> Iterator[Host]:
        """The host `key` (made on first use) for one exchange; it is not dropped meanwhile."""
        with self._lock:
            host = self._hosts.get(key)
            if host is None:
                gate = self._resting.pop(key, None) or self._make_gate(key)
                host = self._hosts[key] = Host(gate, self._make_session(key))
            host.users += 1
        try:
            yield host
        finally:
            with self._lock:
                host.users -= 1

    def hold(self, allowed: frozenset[str]) -> None:
        """A portal that may use the hosts `allowed` permits is running."""
        with self._lock:
            self._held[allowed] += 1

    def release(self, allowed: frozenset[str]) -> None:
        """That portal is done: drop the hosts no running portal may use (module docstring)."""
        with self._lock:
            self._held[allowed] -= 1
            if self._held[allowed] <= 0:
                del self._held[allowed]
            dropped = [
                key
                for key, host in self._hosts.items()
                if host.users == 0 and permits(allowed, key) and not any(permits(a, key) for a in self._held)
            ]
            sessions = []
            for key in dropped:
                host = self._hosts.pop(key)
                sessions.append(host.session)
                self._resting[key] = host.gate
            self._resting = {key: gate for key, gate in self._resting.items() if not gate.idle()}
        for session in sessions:
            session.close()

    def close(self) -> None:
        """Close every host's session (the gates stay: politeness outlives connections)."""
        with self._lock:
            sessions = [host.session for host in self._hosts.values()]
            for key, host in self._hosts.items():
                self._resting[key] = host.gate
            self._hosts.clear()
        for session in sessions:
            session.close()
