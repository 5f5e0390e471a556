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
        check=True, capture_output=True, text=True, timeout=240,
    ).stdout
    assert "documents 8,000 of 20,000 sightings" in output
    ratios = re.findall(r"^floor (grouped read|copy) .*load\+build/floor ([0-9.]+) wall", output, re.M)
    assert [name for name, _ in ratios] == ["grouped read", "copy"]
    assert all(float(ratio) > 0 for _, ratio in ratios)
