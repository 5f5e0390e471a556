"""The import rules of the architecture hold: connectors and the warehouse never know each other.

The rules are written once, as the import-linter contracts in `pyproject.toml`. import-linter
checks them over the import graph; this file also reads them and checks every source file with
`ast`, so a lazy import inside a function counts as much as a top-level one.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def forbidden_imports() -> dict[str, set[str]]:
    """Each package's forbidden imports, from the `forbidden` contracts of pyproject.toml."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
    forbidden: dict[str, set[str]] = {}
    for contract in contracts:
        if contract["type"] == "forbidden":
            for source in contract["source_modules"]:
                forbidden.setdefault(source, set()).update(contract["forbidden_modules"])
    return forbidden


FORBIDDEN = forbidden_imports()


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


def test_every_package_of_ours_has_its_contract() -> None:
    assert set(FORBIDDEN) == {"connectors", "warehouse", "sim", "reports"}
    assert {"duckdb", "prefect"} <= FORBIDDEN["connectors"] and "connectors" in FORBIDDEN["warehouse"]


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
