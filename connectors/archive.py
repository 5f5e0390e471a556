"""The page archive: every response body once, content-addressed by sha256, gzip-compressed.

A fixed parser can re-read history from here without touching a portal, and a 304 answer
is served from here. Files live at `{data_dir}/archive/ab/<sha256>.gz` (256 folders named
by the key's first two hex digits). A file is written under a temporary name in its own
folder (`.<sha256>.<random>.tmp`) and renamed into place, so a file that exists is whole
(a power cut may damage one: it then reads as absent), and writers never collide, on one
machine or many sharing the folder. A killed writer leaves only its temporary file behind.
A body stored again has its file's modification time renewed, so that time says when the
body was last fetched: `xxgk gc --keep-days` keeps every body fetched within its days.

Why this layout: a new body costs one `open`, one write and one rename within one folder.
A rename between folders takes the file system's rename lock, which the harvest threads then
queue on, and the earlier layout of 65,536 folders (`ab/cd/`, temporary files in `.tmp/`)
made almost every new body of a night a new folder too: a new body cost 443 µs of CPU there
against 347 µs here, most of what is left the kernel creating the file
(bench/bench_archive.py). The nightly pass that removes killed writers' files (`tidy`)
moves the bodies of that layout into this one as it goes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")
_FOLDER = re.compile(r"[0-9a-f]{2}")
#: the temporary name of a body being written: `.<sha256>.<random>.tmp`
_TEMP = re.compile(r"\.[0-9a-f]{64}\.[0-9a-f]+\.tmp")
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


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


class PageArchive:
    """Content-addressed, write-once store of response bodies under one directory."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.root = Path(data_dir) / "archive"

    def path(self, sha256: str) -> Path:
        """Where the body with this key is stored (whether or not it is there)."""
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.gz"

    def put(self, body: bytes) -> str:
        """Store `body` unless it is already stored; return its sha256."""
        key = sha256_hex(body)
        target = self.path(key)
        try:
            os.utime(target)  # fetched again: recent for `xxgk gc`, at the cost of the stat it replaces
            return key
        except FileNotFoundError:
            pass
        temp = target.with_name(f".{key}.{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(temp, _CREATE, 0o644)
        except FileNotFoundError:  # its folder is new: made only then, not asked for every page
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temp, _CREATE, 0o644)
        try:
            with open(fd, "wb") as out:
                out.write(gzipped(body))
            # Not flushed to the disk: a kill leaves the written bytes in the page cache, and
            # a power cut can only damage a body, which `get` then treats as absent (to be
            # fetched again); an fsync per page would cost more than the page.
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return key

    def get(self, sha256: str) -> bytes | None:
        """The stored body, or None when it is not in the archive (or its file is damaged,
        which is then removed so that the next `put` of the body stores it again)."""
        target = self.path(sha256)
        try:
            return gzip.decompress(target.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
            target.unlink(missing_ok=True)
            return None

    def tidy(self) -> list[Path]:
        """Delete the temporary files of killed writers, and return them; move the bodies of
        the earlier layout (`ab/cd/<sha256>.gz`) into their folder of this one.

        Only for a caller that knows no other process writes this archive (the nightly run's
        lock). One pass over every folder's names (a second or two for millions of bodies);
        a pass that is killed is finished by the next.
        """
        stale = []
        for folder in _subfolders(self.root):
            for entry in os.scandir(folder):
                if entry.name[0] == "." and _TEMP.fullmatch(entry.name):
                    stale.append(Path(entry.path))
                elif entry.is_dir() and _FOLDER.fullmatch(entry.name):
                    _move_bodies_up(Path(entry.path), folder)
        earlier_temp = self.root / ".tmp"
        if earlier_temp.is_dir():
            stale += sorted(earlier_temp.iterdir())
        for path in stale:
            path.unlink(missing_ok=True)
        if earlier_temp.is_dir():
            earlier_temp.rmdir()
        return stale

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def bodies(self) -> Iterator[tuple[str, int, float]]:
        """Every stored body: its sha256, its size on disk, when it was last stored (mtime)."""
        for folder in _subfolders(self.root):
            for entry in os.scandir(folder):
                key = entry.name.removesuffix(".gz")
                if entry.name.endswith(".gz") and _SHA256.fullmatch(key) and entry.is_file():
                    stat = entry.stat()
                    yield key, stat.st_size, stat.st_mtime

    def remove(self, sha256: str) -> int:
        """Delete a stored body; the bytes it took (0 when it was not there)."""
        target = self.path(sha256)
        try:
            size = target.stat().st_size
            target.unlink()
        except FileNotFoundError:
            return 0
        return size


def _move_bodies_up(legacy: Path, folder: Path) -> None:
    """Move the bodies of an earlier-layout folder (`ab/cd/`) into `ab/`; remove it once empty.

    The rename keeps the time the body was last stored. A body stored under this layout too
    was stored since (the same bytes: its name is their hash), so its older file is dropped.
    A name the archive never wrote is left where it is, and its folder with it."""
    for entry in os.scandir(legacy):
        if entry.name.endswith(".gz") and _SHA256.fullmatch(entry.name.removesuffix(".gz")):
            target = folder / entry.name
            if target.exists():
                os.unlink(entry.path)
            else:
                os.replace(entry.path, target)
    with contextlib.suppress(OSError):  # not empty: something not ours is in it
        legacy.rmdir()


def _subfolders(folder: Path) -> list[Path]:
    """The two-hex-digit folders of the archive's layout under `folder`."""
    if not folder.is_dir():
        return []
    return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir() and _FOLDER.fullmatch(e.name))
