"""The page archive: every response body once, content-addressed by sha256, gzip-compressed.

A fixed parser can re-read history from here without touching a portal, and a 304 answer
is served from here. Files live at `{data_dir}/archive/ab/cd/<sha256>.gz`; a file is
written under `{data_dir}/archive/.tmp/` and renamed into place, so a file that exists is
whole (a power cut may damage one: it then reads as absent). A killed writer leaves only
its temporary file behind. A body stored again has its file's modification time renewed, so
that time says when the body was last fetched: `xxgk gc --keep-days` keeps every body
fetched within its days.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

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


class PageArchive:
    """Content-addressed, write-once store of response bodies under one directory."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.root = Path(data_dir) / "archive"

    def path(self, sha256: str) -> Path:
        """Where the body with this key lives (whether or not it is there)."""
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.gz"

    def put(self, body: bytes) -> str:
        """Store `body` unless it is already stored; return its sha256."""
        key = sha256_hex(body)
        target = self.path(key)
        try:
            os.utime(target)  # fetched again: recent for `xxgk gc`, at the cost of the stat it replaces
            return key
        except FileNotFoundError:
            pass
        fd, tmp = self._temp_file(key)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(gzipped(body))
            # Not flushed to the disk: a kill leaves the written bytes in the page cache, and
            # a power cut can only damage a body, which `get` then treats as absent (to be
            # fetched again); an fsync per page would cost more than the page.
            try:
                os.replace(tmp, target)
            except FileNotFoundError:  # its folder is new: made only then, not asked for every page
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def _temp_file(self, key: str) -> tuple[int, str]:
        """A new temporary file for `key`'s body (its folder made when missing)."""
        try:
            return tempfile.mkstemp(dir=self.temp_dir, prefix=f"{key}-", suffix=".gz")
        except FileNotFoundError:
            self.temp_dir.mkdir(parents=True, exist_ok=True)
            return tempfile.mkstemp(dir=self.temp_dir, prefix=f"{key}-", suffix=".gz")

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

    @property
    def temp_dir(self) -> Path:
        """Where bodies are written before their rename into place (same file system)."""
        return self.root / ".tmp"

    def remove_stale_temp(self) -> list[Path]:
        """Delete the temporary files of killed writers; return them.

        Only for a caller that knows no other process writes this archive (the nightly run's
        lock).
        """
        stale = sorted(self.temp_dir.glob("*")) if self.temp_dir.is_dir() else []
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def bodies(self) -> Iterator[tuple[str, int, float]]:
        """Every stored body: its sha256, its size on disk, when it was last stored (mtime)."""
        for first in _subfolders(self.root):
            for second in _subfolders(first):
                for entry in os.scandir(second):
                    key = entry.name.removesuffix(".gz")
                    if entry.is_file() and entry.name.endswith(".gz") and _SHA256.fullmatch(key):
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


def _subfolders(folder: Path) -> list[Path]:
    """The two-hex-digit folders of the archive's layout under `folder`."""
    if not folder.is_dir():
        return []
    return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir() and re.fullmatch(r"[0-9a-f]{2}", e.name))
