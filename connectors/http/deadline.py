"""The time one exchange may take from request to last body byte (`HttpClient.total_timeout`).

Socket timeouts bound each read, not a whole response: a server that sends a byte every
few seconds would hold a worker forever. The deadline is enforced with public APIs where
they reach: urllib3's `Timeout(total=...)` bounds connecting and the wait for the first
byte, and the body is read in chunks with the deadline checked between them (so a body
ends at most one read timeout past it). Only response headers that trickle in need the
watchdog (see `connectors.http.watchdog`).
"""

from __future__ import annotations

import time

from urllib3.util import Timeout


class Deadline:
    """A point in monotonic time by which one exchange must be over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        """Whether the time is up."""
        return time.monotonic() >= self.end

    def timeout(self, connect: float, read: float) -> Timeout:
        """The socket timeouts of the exchange: `connect` and `read` (per read), neither
        outlasting the deadline."""
        return Timeout(connect=connect, read=read, total=self.seconds)
