"""The province benchmark's smoke size: 40 portals of the simulated province (sim/province),
a full night and a quiet night through the real flow, checked against the sim's own log."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "bench_portals", Path(__file__).resolve().parents[1] / "bench" / "bench_portals.py"
)
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


@pytest.mark.usefixtures("prefect_harness")
def test_every_portal_is_harvested_once_and_every_request_is_the_sims() -> None:
    nights = bench.one_size(40, delay=0.01, workers=8, seed=7)
    assert [n["night"] for n in nights] == ["full", "quiet"]
    assert bench.smoke_problems(nights) == []
    full, quiet = nights
    assert full["requests"] == sum(full["sim_requests"].values()) > quiet["requests"] >= 40
    assert full["documents"] == full["truth_documents"] > 40


def test_the_servers_peak_is_read_from_the_child_serving_prefects_api_only() -> None:
    assert bench.server_peak_mb() is None  # the harness's server is not this process's child
    hold = "import sys, time; big = bytearray(64 * 2**20); big[::4096] = b'x' * (len(big) // 4096); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", hold, "flows.prefect_server:create_app"])
    try:
        deadline = time.monotonic() + 30
        while (peak := bench.server_peak_mb()) is None or peak < 64:
            assert time.monotonic() < deadline, f"the child's peak read {peak}"
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    assert bench.server_peak_mb() is None
