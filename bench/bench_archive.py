"""The page archive's CPU per new body: its layout against the earlier one, in one run.

    python bench/bench_archive.py [--bodies 10000] [--threads 8] [--rounds 5]

- ours: `connectors.archive.PageArchive.put`: `archive/ab/<sha256>.gz`, the temporary file
  written beside its target and renamed within the folder.
- earlier: the layout it replaced, `archive/ab/cd/<sha256>.gz` (65,536 folders), the
  temporary file made by `tempfile.mkstemp` in `archive/.tmp/` and renamed across folders.

Each round stores `--bodies` distinct catalog-sized bodies (3-6 KB of HTML) into an empty
archive from `--threads` threads, as a night's harvest threads do, then stores them all
again (a quiet night: each is found and its time renewed). Contenders alternate within a
round, so load from other processes hits both alike. CPU is this process's user + system
time (most of it the kernel's: open, rename, mkdir); printed per body, and the ratio
ours/earlier of each round and its median.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.archive import PageArchive, gzipped, sha256_hex  # noqa: E402


class EarlierArchive:
    """The earlier layout's `put`, kept here only to be measured against."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "archive"
        self.temp_dir = self.root / ".tmp"

    def put(self, body: bytes) -> str:
        key = sha256_hex(body)
        target = self.root / key[:2] / key[2:4] / f"{key}.gz"
        try:
            os.utime(target)
            return key
        except FileNotFoundError:
            pass
        try:
            fd, tmp = tempfile.mkstemp(dir=self.temp_dir, prefix=f"{key}-", suffix=".gz")
        except FileNotFoundError:
            self.temp_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.temp_dir, prefix=f"{key}-", suffix=".gz")
        with os.fdopen(fd, "wb") as out:
            out.write(gzipped(body))
        try:
            os.replace(tmp, target)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        return key


def bodies(n: int, seed: int) -> list[bytes]:
    """`n` distinct HTML bodies of 3-6 KB."""
    rng = random.Random(seed)
    words = ["政府信息公开", "工商行政管理局", "通知", "关于印发", "的意见", "索引号", "发布日期", "<td>", "</td>"]
    return [
        (f"<html><body><h1>{i}</h1>" + "".join(rng.choices(words, k=rng.randint(150, 300))) + "</body></html>").encode()
        for i in range(n)
    ]


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def store(archive, pages: list[bytes], threads: int) -> tuple[float, float]:  # noqa: ANN001
    """CPU seconds to store `pages` into an empty archive, then to store them again."""
    started = cpu()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(archive.put, pages))
    first = cpu() - started
    started = cpu()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(archive.put, pages))
    return first, cpu() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bodies", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args()
    contenders = {"ours": PageArchive, "earlier": EarlierArchive}
    spent: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as folder:
        for n in range(opts.rounds):
            pages = bodies(opts.bodies, seed=n)  # new bodies each round: every store is a first
            order = list(contenders) if n % 2 == 0 else list(contenders)[::-1]
            for name in order:
                spent[name].append(store(contenders[name](Path(folder) / f"{name}-{n}"), pages, opts.threads))
            ours, earlier = spent["ours"][-1][0], spent["earlier"][-1][0]
            print(f"round {n + 1}: new bodies ours/earlier {ours / earlier:.2f}")
    per_body = 1e6 / opts.bodies
    for name, rounds in spent.items():
        first = statistics.median(r[0] for r in rounds)
        again = statistics.median(r[1] for r in rounds)
        print(f"{name:8} new body {first * per_body:6.0f} µs CPU   stored again {again * per_body:5.0f} µs CPU")
    ratios = [o[0] / e[0] for o, e in zip(spent["ours"], spent["earlier"], strict=True)]
    print(f"ratio ours/earlier, new bodies: {statistics.median(ratios):.2f}  (median of {opts.rounds} rounds)")


if __name__ == "__main__":
    main()
