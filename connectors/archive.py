"""The page archive: every response body once, content-addressed by sha256, gzip-compressed.

A fixed parser can re-read history from here without touching a portal, and a 304 answer
is served from here. Files live at `{data_dir}/archive/ab/cd/<sha256>.gz`; a file is
written to a temporary name and renamed, so a file that exists is whole.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(body: bytes) -> str:
    """The archive key of a body."""
    return hashlib.sha256(body).hexdigest()


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
        if target.exists():
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0 keeps the compressed file a pure function of the body.
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".gz")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(packed)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, sha256: str) -> bytes | None:
        """The stored body, or None when it is not in the archive."""
        try:
            packed = self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None
        return gzip.decompress(packed)

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).exists()
