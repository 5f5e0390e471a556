"""The page archive on a real folder: where a body lives, the earlier `ab/cd/` layout still
read, listed and removed, many threads storing at once, and what a killed writer leaves."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from connectors.archive import PageArchive, gzipped


def legacy_put(root: Path, body: bytes) -> tuple[str, Path]:
    """A body stored as the earlier layout stored it: `archive/ab/cd/<sha256>.gz`."""
    key = hashlib.sha256(body).hexdigest()
    path = root / "archive" / key[:2] / key[2:4] / f"{key}.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzipped(body))
    return key, path


def test_a_body_lives_in_the_folder_of_its_first_two_hex_digits(tmp_path):
    archive = PageArchive(tmp_path)
    body = "<html>政府信息公开</html>".encode()
    key = archive.put(body)
    assert key == hashlib.sha256(body).hexdigest()
    assert archive.path(key) == tmp_path / "archive" / key[:2] / f"{key}.gz"
    assert gzip.decompress(archive.path(key).read_bytes()) == body
    assert [p.relative_to(tmp_path / "archive") for p in (tmp_path / "archive").rglob("*")] == [
        Path(key[:2]),
        Path(key[:2]) / f"{key}.gz",
    ]  # no temporary file and no other folder left


def test_the_tidy_pass_moves_the_earlier_layouts_bodies_into_this_one(tmp_path):
    archive = PageArchive(tmp_path)
    bodies = [f"<html>{n}</html>".encode() for n in range(30)]
    moved = dict(legacy_put(tmp_path, body) for body in bodies[:20])
    for n, path in enumerate(moved.values()):
        os.utime(path, (1_000_000 + n, 1_000_000 + n))  # when each was last stored
    fresh = [archive.put(body) for body in bodies[15:]]  # 15..19 stored under both layouts
    temp = tmp_path / "archive" / ".tmp" / "left-by-a-kill.gz"  # the earlier layout's temporary folder
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(b"x")
    assert archive.tidy() == [temp]
    assert {key: archive.get(key) for key in moved} == {key: body for key, body in zip(moved, bodies, strict=False)}
    listed = {key: mtime for key, _, mtime in archive.bodies()}
    assert sorted(listed) == sorted({*moved, *fresh})  # each once, 30 in all
    assert len(listed) == 30
    assert [listed[key] for key in list(moved)[:15]] == [1_000_000 + n for n in range(15)]  # times kept
    assert all(listed[key] > 2_000_000 for key in fresh)  # stored since under this layout: that file kept
    leftover = sorted(p.relative_to(tmp_path / "archive") for p in (tmp_path / "archive").rglob("*") if p.is_dir())
    assert leftover == sorted({Path(key[:2]) for key in listed})  # no `ab/cd/` folder, no `.tmp/`
    assert archive.tidy() == []  # a second pass finds nothing to do


def test_a_name_the_archive_never_wrote_is_left_where_it_is(tmp_path):
    key, old = legacy_put(tmp_path, b"<html>old</html>")
    stranger = old.with_name("notes.txt")
    stranger.write_text("mine", encoding="utf-8")
    assert PageArchive(tmp_path).tidy() == []
    assert stranger.read_text(encoding="utf-8") == "mine" and PageArchive(tmp_path).get(key) == b"<html>old</html>"


@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=40))
def test_threads_storing_at_once_leave_every_body_whole_and_no_temporary_file(bodies):
    with tempfile.TemporaryDirectory() as folder:
        archive = PageArchive(folder)
        with ThreadPoolExecutor(8) as pool:
            keys = list(pool.map(archive.put, bodies + bodies[::-1]))
        assert keys == [hashlib.sha256(b).hexdigest() for b in bodies + bodies[::-1]]
        assert {key: archive.get(key) for key in keys} == {hashlib.sha256(b).hexdigest(): b for b in bodies}
        assert sorted(key for key, _, _ in archive.bodies()) == sorted(set(keys))
        assert archive.tidy() == []


def test_a_killed_writer_leaves_a_temporary_file_that_is_no_body_and_is_removed(tmp_path):
    archive = PageArchive(tmp_path)
    kept = archive.put(b"<html>kept</html>")
    cut = hashlib.sha256(b"<html>cut</html>").hexdigest()
    temp = tmp_path / "archive" / cut[:2] / f".{cut}.5eed.tmp"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(gzipped(b"<html>cut</html>")[:10])
    other = tmp_path / "archive" / cut[:2] / ".keep"  # not a name the archive writes: left alone
    other.write_bytes(b"")
    assert archive.get(cut) is None and cut not in archive
    assert [key for key, _, _ in archive.bodies()] == [kept]
    assert archive.tidy() == [temp]
    assert not temp.exists() and other.exists() and archive.get(kept) == b"<html>kept</html>"
    assert archive.put(b"<html>cut</html>") == cut and archive.get(cut) == b"<html>cut</html>"
