"""The page archive's earlier layout, a file per body, read once to move it into packs.

Bodies were stored at `archive/ab/<sha256>.gz` (earlier still `archive/ab/cd/<sha256>.gz`),
each written to a temporary name (`ab/.<sha256>.<random>.tmp`, earlier in `archive/.tmp/`)
and renamed into place; a body's modification time was when it was last stored.
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

_FOLDER = re.compile(r"[0-9a-f]{2}")
_BODY = re.compile(r"([0-9a-f]{64})\.gz")
_TEMP = re.compile(r"\.[0-9a-f]{64}\.[0-9a-f]+\.tmp")


def earlier_bodies(root: Path) -> Iterator[tuple[bytes, bytes, float, Path]]:
    """Every whole body stored a file each under `root`: (digest, its gzip bytes, when it was
    last stored, its file). A damaged file (a power cut) is no body: `leftovers` lists it."""
    for path in _body_files(root):
        packed = path.read_bytes()
        digest = bytes.fromhex(path.name[:64])
        if _whole(packed, digest):
            yield digest, packed, path.stat().st_mtime, path


def leftovers(root: Path) -> list[Path]:
    """What killed writers of the earlier layout left (temporary files) and its damaged
    bodies: files that are no body, to delete."""
    found = []
    for folder in _folders(root):
        found += [Path(e.path) for e in os.scandir(folder) if e.name[0] == "." and _TEMP.fullmatch(e.name)]
    if (root / ".tmp").is_dir():
        found += sorted((root / ".tmp").iterdir())
    return found + [path for path in _body_files(root) if not _whole(path.read_bytes(), bytes.fromhex(path.name[:64]))]


def remove_files(root: Path, paths: list[Path]) -> None:
    """Delete `paths`, then every folder of the earlier layout left empty. A folder holding a
    name the archive never wrote stays, and that file in it."""
    for path in paths:
        path.unlink(missing_ok=True)
    for folder in [*(sub for top in _folders(root) for sub in _folders(top)), *_folders(root), root / ".tmp"]:
        with contextlib.suppress(OSError):  # not empty (or gone): left as it is
            folder.rmdir()


def _whole(packed: bytes, digest: bytes) -> bool:
    try:
        return hashlib.sha256(gzip.decompress(packed)).digest() == digest
    except (OSError, EOFError, zlib.error):
        return False


def _body_files(root: Path) -> list[Path]:
    """The body files of both earlier layouts, sorted."""
    found = []
    for folder in _folders(root):
        for sub in [folder, *_folders(folder)]:
            found += [Path(e.path) for e in os.scandir(sub) if _BODY.fullmatch(e.name) and e.is_file()]
    return sorted(found)


def _folders(folder: Path) -> list[Path]:
    """The two-hex-digit folders under `folder`."""
    if not folder.is_dir():
        return []
    return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir() and _FOLDER.fullmatch(e.name))
