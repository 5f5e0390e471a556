"""The import rules of the architecture hold: connectors and the warehouse never know each other.

Checked from the source with `ast`, so a lazy import inside a function counts as much as a
top-level one; import-linter checks the same contracts from the installed packages.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "connectors": {"warehouse", "flows", "sim", "reports", "duckdb", "prefect"},
    "warehouse": {"connectors", "flows", "sim", "reports", "requests", "bs4", "prefect"},
    "sim": {"connectors", "warehouse", "flows", "reports"},
    "reports": {"connectors", "flows", "sim", "prefect"},
}


def imported_top_levels(path: Path) -> set[str]:
    """Every top-level module name a Python file imports, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_it_may(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in sorted(imported_top_levels(path) & FORBIDDEN[package])
    ]
    assert offences == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import duckdb\n    from prefect import flow\n")
    assert {"duckdb", "prefect"} <= imported_top_levels(bad)


def test_import_linter_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a dev dependency: install the project with [dev]"
    done = subprocess.run(
        [lint_imports, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
