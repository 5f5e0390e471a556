"""The page archive's CPU per new body: packs against the file per body they replaced, in one run.

    python bench/bench_archive.py [--bodies 10000] [--threads 8] [--rounds 5]

- ours: `connectors.archive.PageArchive.put`: each new body appended to the archive's pack
  and a record to its index; a body stored again adds a record.
- earlier: a file per body, `archive/ab/<sha256>.gz` (256 folders), written to a temporary
  name beside its target and renamed into place; a body stored again has its time renewed.

Each round stores `--bodies` distinct catalog-sized bodies (3-6 KB of HTML) into an empty
archive from `--threads` threads, as a night's harvest threads do, then stores them all
again (a quiet night: each is found and its time renewed). Contenders alternate within a
round, so load from other processes hits both alike. CPU is this process's user + system
time (for the earlier layout most of it the kernel's file creation); printed per body, and
the ratio ours/earlier of each round and its median.
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

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


class EarlierArchive:
    """The file-per-body layout's `put`, kept here only to be measured against."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "archive"

    def put(self, body: bytes) -> str:
        key = sha256_hex(body)
        target = self.root / key[:2] / f"{key}.gz"
        try:
            os.utime(target)
            return key
        except FileNotFoundError:
            pass
        temp = target.with_name(f".{key}.{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(temp, _CREATE, 0o644)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temp, _CREATE, 0o644)
        with open(fd, "wb") as out:
            out.write(gzipped(body))
        os.replace(temp, target)
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
