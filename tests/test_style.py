"""One style over the tree: ruff's lint rules (complexity included) and its formatter agree
with every file, and no product module outgrows one concern's worth of lines."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("connectors", "warehouse", "flows", "sim", "reports")
#: a module past this has more than one concern in it (the house rule is ~300 lines)
MAX_MODULE_LINES = 310


def _ruff(*args: str) -> subprocess.CompletedProcess:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff, "ruff is a dev dependency: install the project with [dev]"
    return subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_lint_passes() -> None:
    done = _ruff("check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    done = _ruff("format", "--no-cache", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_product_module_holds_more_than_one_concern_worth_of_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
