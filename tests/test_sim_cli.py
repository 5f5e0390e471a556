"""`python -m sim` serves the world, writes a config that tells where each portal lives,
exports the truth and stops cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def run_sim(*args: str) -> tuple[subprocess.Popen, list[str]]:
    """Start `python -m sim` and read its output up to the serving line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("serving"):
            return proc, lines
    proc.wait(10)
    pytest.fail(f"sim exited early: {lines} {proc.stderr.read()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_writes_config_and_truth_and_stops_on_signal(tmp_path, sig):
    config, truth_path = tmp_path / "xxgk.toml", tmp_path / "truth.json"
    proc, lines = run_sim(
        "--port",
        "0",
        "--as-of",
        "2012-12-31",
        "--fault",
        "ly-gov:waf",
        "--write-config",
        str(config),
        "--data-dir",
        str(tmp_path / "d"),
        "--export-truth",
        str(truth_path),
    )
    try:
        written = tomllib.loads(config.read_text(encoding="utf-8"))
        assert written["warehouse"] == {"path": str(tmp_path / "d" / "xxgk.duckdb"), "data_dir": str(tmp_path / "d")}
        assert written["harvest"]["per_host_delay"] == 0
        portals = {p["id"]: p for p in written["portal"]}
        assert len(portals) == 11 and "unit" not in portals["ly-gov"]
        assert portals["ly-xl-aic-site"]["unit"] == "ly-xl-aic"
        assert sorted({p["platform"] for p in portals.values()}) == ["hanweb", "ssp", "trs"]
        units = {u["id"]: u for u in written["unit"]}
        assert units["ly-aic-qyzc"]["parent"] == "ly-aic"
        assert "龙岩市工商局企业注册科" in units["ly-aic-qyzc"]["aliases"]
        assert units["ly-yd-aic"]["name"] == "永定县工商行政管理局"
        for pid, portal in portals.items():
            assert any(line.split() == [pid, portal["url"]] for line in lines)
            r = requests.get(portal["url"], timeout=5)
            assert r.status_code == 200
            assert ("安全验证" in r.text) == (pid == "ly-gov")
        docs = json.loads(truth_path.read_text(encoding="utf-8"))
        url = docs[0]["sightings"][0]["url"]
        assert url.startswith("http://127.0.0.1:") and requests.get(url, timeout=5).ok
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_cli_refuses_a_bad_fault_with_a_reason():
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "--fault", "ly-gov:melt"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 2 and "unknown kind 'melt'" in proc.stderr
