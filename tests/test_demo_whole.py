"""`xxgk demo` as the README runs it: a process of its own, no Prefect server of the user's
(so it starts Prefect's temporary server itself), the simulated world harvested and counted.
The figures are the seed report's (Longyan City AIC, 2012): 2887 held, 725 new."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow  # a whole harvest of the simulated world and a new Prefect database: about 80 s of CPU
def test_the_demo_runs_end_to_end_on_its_own_temporary_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the template of Prefect's database, made here
    command = [sys.executable, "-m", "flows.cli.app", "demo", "--data-dir", str(tmp_path / "demo")]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    output = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Started Prefect's temporary server" in output
    assert "│ all │ 2887 │" in output and "│ 725 │" in output
    assert "Finished in" in output
    assert (tmp_path / "demo" / "data" / "prefect" / "temporary-server.log").exists()
