"""The page archive on a real folder: bodies appended to packs and found again by any later
reader, a body fetched again dated then, many threads storing at once, damaged and torn
bytes, the bodies `xxgk gc` removes, and the earlier layout (a file per body) moved in."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import connectors.archive as archive_module
from connectors.archive import PageArchive, gzipped
from connectors.archive_pack import RECORD, read_index


def key_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def packs(root: Path) -> list[Path]:
    return sorted((root / "archive" / "packs").glob("*.pack"))


def records(root: Path) -> list[tuple[str, int, int, float]]:
    """Every index record of the archive under `root`, oldest pack first: (key, offset, length, time)."""
    return [(d.hex(), o, n, t) for pack in packs(root) for d, o, n, t in read_index(pack.with_suffix(".idx"))]


class Ticks:
    """A clock that says 1000, 2000, 3000, ... one tick per store."""

    def __init__(self) -> None:
        self.count = itertools.count(1)
        self.last = 0.0

    def __call__(self) -> float:
        self.last = 1000.0 * next(self.count)
        return self.last


def test_a_body_is_appended_to_the_pack_as_a_gzip_member_and_its_record_says_where(tmp_path):
    archive = PageArchive(tmp_path, clock=lambda: 1234.5)
    bodies = ["<html>政府信息公开</html>".encode(), b"<html>second</html>"]
    keys = [archive.put(body) for body in bodies]
    assert keys == [key_of(body) for body in bodies]
    [pack] = packs(tmp_path)
    sizes = [len(gzipped(body)) for body in bodies]
    assert records(tmp_path) == [(keys[0], 0, sizes[0], 1234.5), (keys[1], sizes[0], sizes[1], 1234.5)]
    assert gzip.decompress(pack.read_bytes()) == b"".join(bodies)  # one gzip member per body, in order
    assert sorted(p.name for p in pack.parent.iterdir()) == sorted([pack.name, pack.with_suffix(".idx").name])
    assert [archive.get(key) for key in keys] == bodies


def test_a_body_stored_again_adds_no_bytes_only_when_it_was_fetched(tmp_path):
    archive = PageArchive(tmp_path, clock=Ticks())
    page = b"<html>the first page of a listing</html>"
    key = archive.put(page)
    size = packs(tmp_path)[0].stat().st_size
    assert archive.put(page) == key
    later = PageArchive(tmp_path, clock=lambda: 9000.0)  # another night
    assert later.put(page) == key
    assert sum(p.stat().st_size for p in packs(tmp_path)) == size
    assert [(k, n, t) for k, _, n, t in records(tmp_path)] == [(key, size, 1000.0), (key, 0, 2000.0), (key, 0, 9000.0)]
    assert list(PageArchive(tmp_path).bodies()) == [(key, size, 9000.0)]


def test_each_archive_writes_a_pack_of_its_own_and_reads_every_earlier_one(tmp_path):
    first, second = PageArchive(tmp_path), PageArchive(tmp_path)
    assert "0" * 64 not in second  # its first use: it reads the indexes now
    a = first.put(b"<html>a</html>")
    b = second.put(b"<html>b</html>")
    assert len(packs(tmp_path)) == 2
    third = PageArchive(tmp_path)
    assert (third.get(a), third.get(b)) == (b"<html>a</html>", b"<html>b</html>")
    assert a not in second  # read once, on first use: a body stored since is not seen ...
    assert second.put(b"<html>a</html>") == a  # ... and is stored again, which is harmless
    assert sorted(key for key, _, _ in PageArchive(tmp_path).bodies()) == sorted([a, b])


def test_a_full_pack_is_closed_and_the_next_begun(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "PACK_BYTES", 100)
    archive = PageArchive(tmp_path)
    bodies = [f"<html>{n} {'内容' * n}</html>".encode() for n in range(1, 30)]
    keys = [archive.put(body) for body in bodies]
    assert len(packs(tmp_path)) > 5
    for pack in packs(tmp_path):  # within its size, unless one body alone passes it
        stored = [length for _, _, length, _ in read_index(pack.with_suffix(".idx")) if length]
        assert pack.stat().st_size == sum(stored) and (sum(stored) <= 100 or len(stored) == 1)
    fresh = PageArchive(tmp_path)
    assert [fresh.get(key) for key in keys] == bodies


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=40))
def test_threads_storing_at_once_store_every_body_once_and_whole(bodies):
    with tempfile.TemporaryDirectory() as folder:
        archive = PageArchive(folder)
        with ThreadPoolExecutor(8) as pool:
            keys = list(pool.map(archive.put, bodies + bodies[::-1]))
        assert keys == [key_of(b) for b in bodies + bodies[::-1]]
        stored = [key for key, _, length, _ in records(Path(folder)) if length]
        assert sorted(stored) == sorted(set(keys))  # each body once
        fresh = PageArchive(folder)
        assert {key: fresh.get(key) for key in keys} == {key_of(b): b for b in bodies}


def test_a_torn_last_record_is_left_out(tmp_path):
    archive = PageArchive(tmp_path)
    key = archive.put(b"<html>whole</html>")
    archive.close()
    idx = packs(tmp_path)[0].with_suffix(".idx")
    with idx.open("ab") as out:  # a writer killed in the middle of a record
        out.write(RECORD.pack(bytes(32), 99, 99, 0.0)[:20])
    assert [k for k, _, _ in PageArchive(tmp_path).bodies()] == [key]
    assert PageArchive(tmp_path).get(key) == b"<html>whole</html>"


def test_damaged_bytes_read_as_absent_and_the_body_is_stored_again(tmp_path):
    page = b"<html>a body a power cut damaged</html>" * 20
    archive = PageArchive(tmp_path)
    key = archive.put(page)
    archive.put(b"<html>its neighbour</html>")
    pack = packs(tmp_path)[0]
    data = bytearray(pack.read_bytes())
    data[30:40] = b"\0" * 10
    pack.write_bytes(bytes(data))
    reader = PageArchive(tmp_path)
    assert reader.get(key) is None and key not in reader  # forgotten once found damaged
    assert reader.get(key_of(b"<html>its neighbour</html>")) == b"<html>its neighbour</html>"
    assert reader.put(page) == key and reader.get(key) == page
    assert PageArchive(tmp_path).get(key) == page  # the later copy is the one read


def test_a_record_past_the_end_of_its_pack_reads_as_absent(tmp_path):
    archive = PageArchive(tmp_path)
    key = archive.put(b"<html>cut</html>")
    archive.close()
    pack = packs(tmp_path)[0]
    pack.write_bytes(pack.read_bytes()[:-5])  # the index reached the disk, not all of the body
    assert PageArchive(tmp_path).get(key) is None


def test_remove_rewrites_the_packs_that_hold_the_bodies_and_keeps_every_other_bodys_time(tmp_path):
    clock = Ticks()
    first = PageArchive(tmp_path, clock=clock)
    a, b, c = (first.put(f"<html>{name}</html>".encode()) for name in "abc")  # 1000, 2000, 3000
    first.close()
    second = PageArchive(tmp_path, clock=clock)
    d = second.put(b"<html>d</html>")  # 4000, a pack of its own
    second.put(b"<html>b</html>")  # b fetched again at 5000
    second.close()
    before = {key: (size, at) for key, size, at in PageArchive(tmp_path).bodies()}
    untouched = packs(tmp_path)[1]
    freed = PageArchive(tmp_path).remove([a, "0" * 64])  # a key never stored is nothing to remove
    assert freed == before[a][0]
    after = {key: (size, at) for key, size, at in PageArchive(tmp_path).bodies()}
    assert after == {key: value for key, value in before.items() if key != a}
    assert after[b][1] == 5000.0 and after[c][1] == 3000.0 and after[d][1] == 4000.0
    assert untouched in packs(tmp_path) and len(packs(tmp_path)) == 2  # the pack without `a` is not rewritten
    reader = PageArchive(tmp_path)
    assert reader.get(a) is None and [reader.get(k) for k in (b, c, d)] == [
        b"<html>b</html>",
        b"<html>c</html>",
        b"<html>d</html>",
    ]
    assert PageArchive(tmp_path).remove(["f" * 64]) == 0 and len(packs(tmp_path)) == 2


def test_a_fetch_recorded_in_a_rewritten_pack_of_a_body_kept_elsewhere_keeps_its_time(tmp_path):
    clock = Ticks()
    first = PageArchive(tmp_path, clock=clock)
    kept = first.put(b"<html>kept</html>")  # 1000
    first.close()
    second = PageArchive(tmp_path, clock=clock)
    gone = second.put(b"<html>gone</html>")  # 2000
    second.put(b"<html>kept</html>")  # 3000: recorded in the pack that is rewritten
    second.close()
    PageArchive(tmp_path).remove([gone])
    assert list(PageArchive(tmp_path).bodies()) == [(kept, len(gzipped(b"<html>kept</html>")), 3000.0)]


def earlier_put(root: Path, body: bytes, nested: bool, mtime: float) -> tuple[str, Path]:
    """A body stored as the earlier layout stored it: `archive/ab/<sha256>.gz` (or `ab/cd/`)."""
    key = key_of(body)
    folder = root / "archive" / key[:2] / (key[2:4] if nested else "")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.gz"
    path.write_bytes(gzipped(body))
    os.utime(path, (mtime, mtime))
    return key, path


def test_tidy_moves_the_earlier_layouts_bodies_into_a_pack_with_their_times(tmp_path):
    bodies = [f"<html>{n}</html>".encode() for n in range(12)]
    moved = {}  # key -> n: even bodies in `ab/cd/`, odd ones in `ab/`, each last stored at 1,000,000 + n
    for n, body in enumerate(bodies):
        key, _ = earlier_put(tmp_path, body, nested=n % 2 == 0, mtime=1_000_000 + n)
        moved[key] = n
    archive_dir = tmp_path / "archive"
    temps = [archive_dir / ".tmp" / "left-by-a-kill.gz"]
    cut = key_of(b"<html>cut</html>")
    temps.append(archive_dir / cut[:2] / f".{cut}.5eed.tmp")
    damaged = archive_dir / cut[:2] / f"{cut}.gz"  # a power cut's damage: no body
    for path in temps:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzipped(b"<html>cut</html>")[:10])
    damaged.write_bytes(b"\x1f\x8b\x08\x00 cut short")
    stranger = archive_dir / moved_folder(moved) / "notes.txt"
    stranger.write_text("mine", encoding="utf-8")
    archive = PageArchive(tmp_path)
    assert sorted(archive.tidy()) == sorted([*temps, damaged])
    assert {key: archive.get(key) for key in moved} == {key_of(body): body for body in bodies}
    assert {key: at for key, _, at in archive.bodies()} == {key: 1_000_000.0 + n for key, n in moved.items()}
    left = sorted(p.relative_to(archive_dir) for p in archive_dir.rglob("*") if "packs" not in p.parts)
    assert left == [stranger.parent.relative_to(archive_dir), stranger.relative_to(archive_dir)]
    assert archive.tidy() == [] and len(list(PageArchive(tmp_path).bodies())) == 12  # nothing left to move


def moved_folder(moved: dict[str, int]) -> str:
    """The earlier layout's top folder of the first body stored flat in it."""
    key = next(key for key, n in moved.items() if n % 2 == 1)
    return key[:2]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("put"), st.integers(0, 5)),
            st.tuples(st.just("remove"), st.sets(st.integers(0, 5), max_size=3)),
            st.tuples(st.just("reopen"), st.just(0)),
        ),
        max_size=25,
    )
)
def test_any_sequence_of_stores_removals_and_new_readers_agrees_with_a_plain_model(steps):
    pool = [f"<html>{n} {'页' * n * 40}</html>".encode() for n in range(6)]
    with tempfile.TemporaryDirectory() as folder:
        clock = Ticks()
        archive = PageArchive(folder, clock=clock)
        model: dict[str, float] = {}  # key -> when last stored or fetched again
        for step, arg in steps:
            if step == "put":
                archive.put(pool[arg])
                model[key_of(pool[arg])] = clock.last  # one tick per store
            elif step == "remove":
                archive.close()
                PageArchive(folder).remove([key_of(pool[n]) for n in arg])
                for n in arg:
                    model.pop(key_of(pool[n]), None)
                archive = PageArchive(folder, clock=clock)
            else:
                archive.close()
                archive = PageArchive(folder, clock=clock)
            fresh = PageArchive(folder)
            assert {key: at for key, _, at in fresh.bodies()} == model
            assert {key_of(b): fresh.get(key_of(b)) for b in pool} == {
                key_of(b): (b if key_of(b) in model else None) for b in pool
            }
