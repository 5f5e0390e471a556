"""Listing and detail pages parsed per second on one core, against the floor of plain lxml.

Rates are pages per CPU second of this process (one core). For every page set, the same
decoded pages go through the family parser and through
`lxml.html.fromstring` (a parse and nothing else, the fastest this machine can turn these
bytes into a tree); the ratio is what the parser costs over that floor. Timings alone mean
little on shared machines; the ratio, measured in the same run, is the figure to compare.

    .venv/bin/python bench/bench_parse.py [--seconds 2] [--no-sim] [--baseline DIR [--rounds 5]]

`--baseline DIR` compares this checkout's parsers with another checkout's (an older commit,
say) on the same pages in one run: each side is measured in a child process of its own code,
the two alternating `--rounds` times; each measurement is the parser's rate over the lxml
floor measured in the same child, and the ratio printed is the median of ours over the median
of the baseline's (above 1: ours parses faster).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup

from connectors.families import FAMILIES
from connectors.records import Request

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"
FIXTURES = ROOT / "tests" / "fixtures"

# (family, kind, url or request, text)
Page = tuple[str, str, Request, str]


def recorded_pages() -> list[Page]:
    """The real Handan pages and the recorded fixtures of each family."""

    def read(path: Path, encoding: str = "utf-8") -> str:
        return path.read_bytes().decode(encoding)

    return [*real_pages(read), *fixture_pages(read)]


def real_pages(read: Callable[[Path], str]) -> list[Page]:
    """The real saved Handan pages beside the checkout; none (said on stderr) when absent."""
    names = ("handan_trs_xxgk_list_saved.html", "handan_trs_xxgk_detail_saved.html")
    missing = [name for name in names if not (REAL / name).is_file()]
    if missing:
        print(
            f"real saved pages absent ({', '.join(missing)} not in {REAL}; the corpus "
            "folder sits beside the checkout): benching the recorded fixtures only",
            file=sys.stderr,
        )
        return []
    list_url = Request("http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index.html")
    detail_url = Request("http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html")
    return [
        ("trs", "listing", list_url, read(REAL / names[0])),
        ("trs", "detail", detail_url, read(REAL / names[1])),
    ]


def fixture_pages(read: Callable[[Path], str]) -> list[Page]:
    """The recorded fixtures of each family, in the repository."""
    return [
        (
            "trs",
            "listing",
            Request("http://www.longyan.gov.cn/gk/gsj/index_3.shtml"),
            read(FIXTURES / "trs" / "xxgk_table_list.html"),
        ),
        (
            "trs",
            "detail",
            Request("http://www.longyan.gov.cn/gk/gsj/201203/t20120305_2459445.htm"),
            read(FIXTURES / "trs" / "fujian_syh_box_detail.html"),
        ),
        (
            "hanweb",
            "listing",
            Request("http://www.dingxi.gov.cn/col/col12377/index.html"),
            read(FIXTURES / "hanweb" / "column_page.html"),
        ),
        (
            "hanweb",
            "detail",
            Request("http://www.taizhou.gov.cn/art/2018/2/28/art_46355_1634538.html"),
            read(FIXTURES / "hanweb" / "detail.html"),
        ),
    ]


def _fetch(request: Request) -> str:
    data = urllib.parse.urlencode(request.data).encode() if request.method == "POST" else None
    req = urllib.request.Request(request.url, data=data, headers=dict(request.headers), method=request.method)
    with urllib.request.urlopen(req, timeout=10) as response:
        body = response.read()
    head = body[:2048].lower()
    return body.decode("gb18030" if b"gbk" in head or b"gb2312" in head else "utf-8")


def sim_pages(details_per_portal: int = 10) -> list[Page]:
    """First listing page and some detail pages of every HTML portal of the simulated world."""
    from sim.catalog import PORTAL_BY_ID
    from sim.server import start

    pages: list[Page] = []
    with start() as world:
        for portal_id, url in world.portals.items():
            family = PORTAL_BY_ID[portal_id].platform
            if family == "ssp":
                continue  # JSON: no HTML floor to compare with
            module = FAMILIES[family]
            request = module.first_request(url, {})
            text = _fetch(request)
            pages.append((family, "listing", request, text))
            for row in module.parse_listing(text, request, {}).rows[:details_per_portal]:
                pages.append((family, "detail", Request(row.url), _fetch(Request(row.url))))
    return pages


def rate(pages: list[Page], parse: Callable[[Page], object], seconds: float) -> float:
    """Pages per CPU second of `parse` over `pages`, cycled for about `seconds` of CPU time.

    CPU time, not wall time: it is what "per core" means, and it does not count the time
    other processes on a shared machine hold the core.
    """
    done = 0
    start = time.process_time()
    while True:
        for page in pages:
            parse(page)
        done += len(pages)
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return done / elapsed


def best_rates(pages: list[Page], seconds: float, rounds: int = 8, bs4_too: bool = True) -> tuple[float, float, float]:
    """(parser, bs4 tree only, floor) pages per second: the best of short rounds taken in
    turns, so load from other processes on a shared machine hits all sides alike."""
    ours = tree = floor = 0.0
    for _ in range(rounds):
        ours = max(ours, rate(pages, parse_with_family, seconds / rounds))
        if bs4_too:
            tree = max(tree, rate(pages, parse_bs4_tree, seconds / rounds))
        floor = max(floor, rate(pages, parse_floor, seconds / rounds))
    return ours, tree, floor


def parse_with_family(page: Page) -> object:
    family, kind, request, text = page
    module = FAMILIES[family]
    if kind == "listing":
        return module.parse_listing(text, request, {})
    return module.parse_detail(text, request.url, {})


def parse_floor(page: Page) -> object:
    return lxml.html.fromstring(page[3].encode("utf-8"))


def parse_bs4_tree(page: Page) -> object:
    """The whole page as a bs4 tree (lxml builder), read no further: what bs4 itself costs."""
    return BeautifulSoup(page[3], "lxml")


def report(name: str, pages: list[Page], seconds: float) -> None:
    for kind in ("listing", "detail"):
        chosen = [p for p in pages if p[1] == kind]
        if not chosen:
            continue
        size = sum(len(p[3].encode("utf-8")) for p in chosen) / len(chosen) / 1024
        ours, tree, floor = best_rates(chosen, seconds)
        print(
            f"{name:9} {kind:8} {len(chosen):3} pages, {size:5.1f} KB avg: parser {ours:6.0f}/s"
            f"  lxml floor {floor:6.0f}/s  floor/parser {floor / ours:5.1f}x"
            f"  (whole bs4 tree alone {tree:5.0f}/s)"
        )


def measure(pages: list[Page], seconds: float) -> dict[str, float]:
    """`set kind` -> parser pages/s over lxml-floor pages/s, for each page set and kind."""
    found = {}
    for name in dict.fromkeys(p[0] for p in pages):
        for kind in ("listing", "detail"):
            chosen = [(f, k, r, t) for n, f, k, r, t in pages if n == name and k == kind]
            if chosen:
                ours, _, floor = best_rates(chosen, seconds, rounds=4, bs4_too=False)
                found[f"{name} {kind}"] = ours / floor
    return found


def _saved(pages: list[tuple[str, Page]], path: Path) -> None:
    rows = [[name, f, k, [r.url, r.method, list(r.data), list(r.headers)], t] for name, (f, k, r, t) in pages]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def _loaded(path: Path) -> list:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        (name, f, k, Request(url, method, tuple(map(tuple, data)), tuple(map(tuple, headers))), t)
        for name, f, k, (url, method, data, headers), t in rows
    ]


def compare(baseline: Path, rounds: int, seconds: float, pages: list[tuple[str, Page]]) -> None:
    """This checkout's parsers against `baseline`'s, alternating child processes."""
    codes = {"ours": ROOT, "before": baseline.resolve()}
    got: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "pages.json"
        _saved(pages, saved)
        for _ in range(rounds):
            for name, code in codes.items():
                env = {**os.environ, "PYTHONPATH": str(code)}
                command = [sys.executable, __file__, "--child", str(saved), "--seconds", str(seconds)]
                done = subprocess.run(command, capture_output=True, text=True, env=env, check=True, cwd=code)
                got[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"parser rate over the lxml floor, median of {rounds} alternating rounds; ours/before above 1: faster")
    for key in got["ours"][0]:
        ours = statistics.median(r[key] for r in got["ours"])
        before = statistics.median(r[key] for r in got["before"])
        print(f"{key:18} ours {ours:5.3f}  before {before:5.3f}  ratio ours/before {ours / before:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="time per measurement (split into rounds)")
    parser.add_argument("--no-sim", action="store_true", help="recorded pages only")
    parser.add_argument("--baseline", type=Path, help="another checkout whose parsers are measured too")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurements of each checkout")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(_loaded(args.child), args.seconds)))
        return
    sets = [("recorded", recorded_pages()), *([] if args.no_sim else [("sim", sim_pages())])]
    if args.baseline:
        compare(args.baseline, args.rounds, args.seconds, [(name, p) for name, pages in sets for p in pages])
        return
    for name, pages in sets:
        report(name, pages, args.seconds)


if __name__ == "__main__":
    main()
