"""The page archive: every response body once, content-addressed by sha256, gzip-compressed,
appended to pack files.

A fixed parser can re-read history from here without touching a portal, and a 304 answer
is served from here. Bodies live in `{data_dir}/archive/packs/`: `<name>.pack` holds them
one after another, each a gzip member; `<name>.idx` beside it holds a fixed-size record per
body stored in the pack (its sha256, offset, length, and when it was stored) and one per
body fetched again that was already stored (length 0: the time it was last fetched, which
`xxgk gc --keep-days` reads). Each archive object writes a pack of its own, named by the
time, the process and a random part, and never reopens one: writers never collide, on one
machine or many sharing the folder.

Why packs: a file per body cost a file creation per new body, which is most of what storing
a body costs on a file system that allocates inodes slowly (bench/bench_archive.py), and
leaves millions of small files to list, back up and delete; appending costs two writes.
Web archives keep their records the same way (WARC: gzip members in large files).

What a kill or a power cut can do: a body is appended to its pack before its record to the
index, and neither is flushed to the disk (a kill leaves the written bytes in the page
cache; an fsync per page would cost more than the page). A torn last record is ignored; a
record whose bytes are missing or damaged reads as absent, since every read checks the
body's sha256, and the next `put` of that body stores it again.

An archive object reads every index once, on its first use, into a map from key to
location: a body stored by another writer after that is not seen by it (at worst stored
twice, or a 304 not asked for). `tidy` moves the bodies of the earlier layout (a file per
body) into a pack; `remove` rewrites the packs holding the bodies `xxgk gc` drops.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from connectors.archive_layout import earlier_bodies, leftovers, remove_files
from connectors.archive_pack import PACK_BYTES, PackWriter, read_index

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(body: bytes) -> str:
    """The archive key of a body."""
    return hashlib.sha256(body).hexdigest()


def gzipped(body: bytes) -> bytes:
    """`body` as a gzip member, a pure function of the body (no name, no time).

    Its window is no larger than the body needs: setting up zlib's full 32 KB window costs
    more than compressing a catalog page of a few KB, and a smaller one compresses it as
    well in about half the CPU.
    """
    window = max(9, min(15, len(body).bit_length()))
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + window)
    return packer.compress(body) + packer.flush()


def _where(number: int, offset: int, length: int) -> int:
    """A body's location as one int: its pack's number, its offset and its length (offsets and
    lengths stay below 2**32: a pack is closed at PACK_BYTES). One int a body instead of a
    tuple of three keeps the map of a night's archive about 90 bytes a body smaller."""
    return number << 64 | offset << 32 | length


def _unpack(where: int) -> tuple[int, int, int]:
    """The pack's number, the offset and the length of a location made by `_where`."""
    return where >> 64, where >> 32 & 0xFFFFFFFF, where & 0xFFFFFFFF


def _digest(sha256: str) -> bytes:
    """The raw digest of an archive key; a ValueError for anything else."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return bytes.fromhex(sha256)


class PageArchive:
    """Content-addressed, append-only store of response bodies under one directory.

    Safe for the threads of one process; `clock` (seconds since the epoch) dates each
    store, for `xxgk gc`."""

    def __init__(self, data_dir: str | os.PathLike[str], clock: Callable[[], float] = time.time) -> None:
        self.root = Path(data_dir) / "archive"
        self.packs = self.root / "packs"
        self._clock = clock
        self._lock = threading.Lock()
        self._index: dict[bytes, int] | None = None  # digest -> its location (`_where`)
        self._pack_paths: list[Path] = []
        self._writer: PackWriter | None = None

    def put(self, body: bytes) -> str:
        """Store `body` unless it is already stored (then note that it was fetched again);
        return its sha256."""
        digest = hashlib.sha256(body).digest()
        packed = None if digest in self._locations() else gzipped(body)
        with self._lock:
            writer = self._writer_with_room(len(packed or b""))
            if packed is None or digest in self._index:  # another thread may have stored it meanwhile
                writer.append(digest, None, self._clock())
            else:
                offset = writer.append(digest, packed, self._clock())
                self._index[digest] = _where(writer.number, offset, len(packed))
        return digest.hex()

    def get(self, sha256: str) -> bytes | None:
        """The stored body, or None when it is not in the archive (or its bytes are damaged:
        it is then forgotten, so that the next `put` of the body stores it again)."""
        digest = _digest(sha256)
        where = self._locations().get(digest)
        if where is None:
            return None
        number, offset, length = _unpack(where)
        try:
            with open(self._pack_paths[number], "rb", buffering=0) as pack:
                pack.seek(offset)
                body = gzip.decompress(pack.read(length))
        except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
            body = None
        if body is None or hashlib.sha256(body).digest() != digest:
            with self._lock:
                if self._index is not None and self._index.get(digest) == where:
                    del self._index[digest]
            return None
        return body

    def __contains__(self, sha256: str) -> bool:
        return _digest(sha256) in self._locations()

    def bodies(self) -> Iterator[tuple[str, int, float]]:
        """Every stored body: its sha256, its size in its pack, when it was last stored or
        fetched again. Read from the indexes as they are now."""
        _, found, last = self._scan()
        for digest, where in found.items():
            yield digest.hex(), _unpack(where)[2], last[digest]

    def remove(self, keys: Iterable[str]) -> int:
        """Delete the stored bodies `keys`; the bytes their packed bodies took. Only for a
        caller that knows no other process writes this archive (the run lock).

        The packs that hold one of them are rewritten into new packs without them (synced
        before the old packs are deleted: a kill leaves bodies stored twice, never none),
        keeping every other body's time."""
        doomed = {_digest(key) for key in keys}
        packs, found, last = self._scan()
        records = [list(read_index(pack.with_suffix(".idx"))) for pack in packs]
        rewritten = {n for n, pack in enumerate(records) if any(r[0] in doomed and r[2] for r in pack)}
        if not rewritten:
            return 0
        with self._lock:
            self._close_writer()
            with _Packing(self.packs) as packing:
                for number in sorted(rewritten):
                    with open(packs[number], "rb", buffering=0) as pack:
                        for digest, offset, length, _ in records[number]:
                            where = found.get(digest)
                            if digest in doomed or where is None:
                                continue
                            if where == _where(number, offset, length):  # the body's current copy
                                pack.seek(offset)
                                packing.append(digest, pack.read(length), last[digest])
                            elif not length and _unpack(where)[0] not in rewritten:  # fetched again, kept elsewhere
                                packing.append(digest, None, last[digest])
            for number in rewritten:
                packs[number].with_suffix(".idx").unlink(missing_ok=True)
                packs[number].unlink(missing_ok=True)
            self._index = None  # read again on the next use
        return sum(_unpack(found[d])[2] for d in doomed if d in found)

    def tidy(self) -> list[Path]:
        """Move the bodies of the earlier layout (a file per body: `ab/<sha256>.gz`, earlier
        `ab/cd/<sha256>.gz`) into packs, keeping when each was last stored, and delete what
        its killed writers left and its damaged bodies; return those. Only for a caller that
        knows no other process writes this archive (the nightly run's lock). A pass that is
        killed is finished by the next (a body moved twice is stored twice: harmless)."""
        stale = leftovers(self.root)
        moved = []
        with self._lock, _Packing(self.packs) as packing:
            for digest, packed, stored_at, path in earlier_bodies(self.root):
                packing.append(digest, packed, stored_at)
                moved.append(path)
            if moved:
                self._index = None  # read again on the next use
        remove_files(self.root, [*stale, *moved])
        return stale

    def close(self) -> None:
        """Close this archive's pack (its bytes are already written; nothing is lost without)."""
        with self._lock:
            self._close_writer()

    # -- the indexes ------------------------------------------------------------------

    def _locations(self) -> dict[bytes, int]:
        """Every stored body's location, read from the indexes on first use."""
        index = self._index
        if index is None:
            with self._lock:
                index = self._load()
        return index

    def _load(self) -> dict[bytes, int]:
        """The index of locations, read now unless it was. Call holding the lock."""
        if self._index is None:
            self._pack_paths, self._index, _ = self._scan()
            if self._writer is not None:
                self._writer.number = self._pack_paths.index(self._writer.path)
        return self._index

    def _scan(self) -> tuple[list[Path], dict[bytes, int], dict[bytes, float]]:
        """Read every index, oldest pack first: the packs (numbered by their place), each
        body's location (a later copy wins) and when it was last stored or fetched again."""
        packs = [idx.with_suffix(".pack") for idx in sorted(self.packs.glob("*.idx"))] if self.packs.is_dir() else []
        found: dict[bytes, int] = {}
        last: dict[bytes, float] = {}
        for number, pack in enumerate(packs):
            for digest, offset, length, stored_at in read_index(pack.with_suffix(".idx")):
                if length:
                    found[digest] = _where(number, offset, length)
                last[digest] = max(stored_at, last.get(digest, stored_at))
        return packs, found, last

    # -- the pack this archive writes -------------------------------------------------

    def _writer_with_room(self, size: int) -> PackWriter:
        """This archive's pack, a new one when it has none or this body would pass its size.
        Call holding the lock."""
        self._load()
        if self._writer is not None and (self._writer.closed or self._writer.size + size > PACK_BYTES):
            self._close_writer()
        if self._writer is None:
            self._writer = PackWriter(self.packs, number=len(self._pack_paths))
            self._pack_paths.append(self._writer.path)
        return self._writer

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class _Packing:
    """Bodies appended to as many new packs as they fill, each synced to the disk before the
    next begins and at the end: for moves, where the originals are deleted afterwards."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._writer: PackWriter | None = None

    def append(self, digest: bytes, packed: bytes | None, stored_at: float) -> None:
        if self._writer is not None and self._writer.size + len(packed or b"") > PACK_BYTES:
            self._finish()
        if self._writer is None:
            self._writer = PackWriter(self._folder)
        self._writer.append(digest, packed, stored_at)

    def _finish(self) -> None:
        if self._writer is not None:
            self._writer.sync()
            self._writer.close()
            self._writer = None

    def __enter__(self) -> _Packing:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self._finish()
        elif self._writer is not None:
            self._writer.close()
