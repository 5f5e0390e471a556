"""One pack file of the page archive and its index (connectors/archive.py says why packs).

`<name>.pack` is the bodies, each a gzip member, one after another; `<name>.idx` is a record
of `RECORD.size` bytes per body stored (its sha256 digest, offset and length in the pack,
and when it was stored, in seconds since the epoch) or fetched again (offset and length 0).
Names start with the time in nanoseconds, so sorting them sorts the packs by age.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path

#: a pack is closed and the next one begun once it holds this many bytes
PACK_BYTES = 1 << 30
RECORD = struct.Struct("<32sQId")
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)


def read_index(path: Path) -> Iterator[tuple[bytes, int, int, float]]:
    """The records of one index: (digest, offset, length, time). A torn last record (a
    writer killed while writing it) is left out; a missing index has none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    yield from RECORD.iter_unpack(data[: len(data) - len(data) % RECORD.size])


class PackWriter:
    """Appends bodies to a new pack and records them in its index. Not thread-safe: the
    archive holds its lock around every call."""

    def __init__(self, folder: Path, number: int = -1) -> None:
        self.path = folder / f"{time.time_ns():020d}-{os.getpid()}-{os.urandom(4).hex()}.pack"
        self.number = number  # the pack's place among the archive's packs
        self.size = 0
        try:
            self._pack = os.open(self.path, _CREATE, 0o644)
        except FileNotFoundError:  # the archive's first pack
            folder.mkdir(parents=True, exist_ok=True)
            self._pack = os.open(self.path, _CREATE, 0o644)
        self._index = os.open(self.path.with_suffix(".idx"), _CREATE, 0o644)
        self.closed = False

    def append(self, digest: bytes, packed: bytes | None, stored_at: float) -> int:
        """Append a packed body (or, for None, a record that a stored body was fetched again);
        the body's offset. A failed write (a full disk) closes the pack: its size would no
        longer say where the next body starts."""
        offset = self.size
        try:
            if packed:
                _write_all(self._pack, packed)
                self.size += len(packed)
            _write_all(self._index, RECORD.pack(digest, offset, len(packed or b""), stored_at))
        except BaseException:
            self.close()
            raise
        return offset

    def sync(self) -> None:
        """Flush the pack, its index and their folder to the disk."""
        os.fsync(self._pack)
        os.fsync(self._index)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._pack)
            os.close(self._index)


def _write_all(fd: int, data: bytes) -> None:
    """Write all of `data` (a regular file may take it in more than one write)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
