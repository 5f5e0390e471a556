"""The warehouse benchmark still runs, on a smoke size, and builds the world it describes.

The synthetic world has exactly 40% distinct documents (each one's index_no, doc_no and
title carry its own number), so a build that merged or split documents would show here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_build.py"


def test_bench_build_smoke_builds_every_document_once_and_prints_both_ratios():
    output = subprocess.run(
        [sys.executable, str(BENCH), "--sightings", "20000"],
        check=True,
        capture_output=True,
        text=True,
        timeout=240,
    ).stdout
    assert "documents 8,000 of 20,000 sightings" in output
    ratios = re.findall(r"^floor (grouped read|copy) .*load\+build/floor ([0-9.]+) wall", output, re.M)
    assert [name for name, _ in ratios] == ["grouped read", "copy"]
    assert all(float(ratio) > 0 for _, ratio in ratios)


NIGHTS = BENCH.with_name("bench_nights.py")


def test_bench_nights_smoke_keeps_one_state_row_per_sighting_whatever_the_nights():
    # 10 nights: full on nights 1 and 8, incremental on the other 8, each adding 5 sightings
    output = subprocess.run(
        [
            sys.executable,
            str(NIGHTS),
            "--sightings",
            "3000",
            "--nights",
            "10",
            "--new",
            "5",
            "--measure",
            "8",
            "--repeat",
            "1",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=240,
    ).stdout
    rows = re.findall(
        r"^night (\d+): sightings ([\d,]+), published ([\d,]+), state rows ([\d,]+) "
        r"\(details ([\d,]+)\), landing rows loaded ([\d,]+)",
        output,
        re.M,
    )
    figures = [tuple(int(value.replace(",", "")) for value in row) for row in rows]
    # night 1 lists 3,000; nights 2-7 add 30 new (and re-list 3% of 3,000..3,025 = 90 each);
    # night 8 re-lists all 3,030; nights 9-10 add 10 more
    assert [(night, sightings, published, state) for night, sightings, published, state, *_ in figures] == [
        (1, 3000, 3000, 3000),
        (8, 3030, 3030, 3030),
        (10, 3040, 3040, 3040),
    ]
    assert figures[1][5] == 3000 + 6 * (5 + 90) + 3030  # landing rows: every row of every night
    assert re.search(
        r"build night 10/night 1 [0-9.]+ wall, [0-9.]+ CPU; load\+build night 10/night 1 [0-9.]+ wall, [0-9.]+ CPU",
        output,
    )
    # every night's landing compacted into a part of January (three files each), beside the
    # state and the published file; the table of the measured nights
    files = [int(n.replace(",", "")) for n in re.findall(r"; files ([\d,]+) \(", output)]
    assert files == [1 * 3 + 2, 8 * 3 + 2, 10 * 3 + 2]
    assert re.findall(r"^ +(\d+) (full|incremental) ", output, re.M) == [
        ("1", "full"),
        ("8", "full"),
        ("10", "incremental"),
    ]
    assert re.search(r"^longest compaction [0-9.]+ s; most files at any night 32 \(0\.5 per portal\)$", output, re.M)


DETAIL_BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_detail_failures.py"


def test_bench_detail_failures_smoke_opens_the_circuit_and_bounds_the_requests():
    output = subprocess.run(
        [sys.executable, str(DETAIL_BENCH), "--portals", "ly-zp-aic-site,ly-lc-aic-site", "--fail", "ly-zp-aic-site"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    assert re.search(r"^ratio failing/clean +[0-9.]+", output, re.M)
    clean = re.search(
        r"^clean +ly-zp-aic-site: ok, (\d+) listing pages, (\d+) rows, (\d+) requests, 0 owed", output, re.M
    )
    assert clean, output
    clean_pages, listed, clean_requests = map(int, clean.groups())
    assert clean_requests == clean_pages + listed  # clean: every listing page and every detail page
    failing = re.search(
        rf"^failing ly-zp-aic-site: ok, {clean_pages} listing pages, {listed} rows, (\d+) requests, {listed} owed",
        output,
        re.M,
    )
    assert failing, output
    # Every listing page, then five detail pages (each tried twice: one request apiece).
    assert int(failing.group(1)) == clean_pages + 5
    assert f"circuit open after 5 failures (5 failures in a row); {listed} left owed" in output


HARVEST_BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_harvest.py"


def test_bench_harvest_smoke_reads_every_listed_item_once_on_every_side():
    output = subprocess.run(
        [sys.executable, str(HARVEST_BENCH), "--smoke"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    # what the sim lists on the two smoke portals, from its world (not from a harvest)
    listed = int(re.search(r"^the sim lists ([\d,]+) items", output, re.M).group(1).replace(",", ""))
    assert listed > 0
    sides = {
        name: (int(items.replace(",", "")), int(pages.replace(",", "")), float(per_item))
        for name, items, pages, per_item in re.findall(
            r"^(ours|bare|scrapy) +items +([\d,]+) +pages +([\d,]+) +cpu +[0-9.]+ s +([0-9.]+) ms/item", output, re.M
        )
    }
    assert {"ours", "bare"} <= sides.keys(), output
    assert "not ok" not in output
    ours_items, ours_pages, _ = sides["ours"]
    assert ours_items == listed  # one row per listed item, each with its detail page read
    for name, (items, pages, per_item) in sides.items():
        assert (items, pages) == (listed, ours_pages), name  # the same pages, the same items read
        assert per_item > 0
    assert re.search(r"^ratio ours/bare: [0-9.]+$", output, re.M)


POOL_BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_parse_pool.py"


def test_bench_parse_pool_smoke_reads_every_family_alike_in_every_contender():
    output = subprocess.run(
        [
            sys.executable,
            str(POOL_BENCH),
            *("--rounds", "1", "--listings", "2", "--details", "3", "--parses", "10", "--threads", "2"),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    # two listing and three detail pages of each of the five families, each read alike
    assert "every contender reads the 25 recorded pages alike" in output, output
    lines = re.findall(r"^(\w+) +2L\+3D +2 +(.*)$", output, re.M)
    assert [family for family, _ in lines] == ["trs", "hanweb", "ssp", "gkmlpt", "govcn"], output
    for _, figures in lines:
        ratios = re.findall(r"([0-9.]+)x", figures)
        assert len(ratios) == 4 and all(float(ratio) > 0 for ratio in ratios), figures
