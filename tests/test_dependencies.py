"""What the product imports is declared in pyproject, and what it declares it imports.

A clone installs exactly `[project] dependencies`; a module imported but only present as
some other package's dependency works until that package drops it, and a declared package
nobody imports is weight every user installs.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("connectors", "warehouse", "flows", "sim", "reports")
OURS = set(PRODUCT)


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> tuple[set[str], set[str]]:
    """(runtime, development) requirement names: development is every extra (the tests',
    the browser tests' and the benchmarks')."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_requirement_name(spec) for spec in project["dependencies"]}
    # dev, and the extras of their own (browser for the browser tests, bench for the Scrapy
    # comparison) that .ci/run installs beside it
    extras = project["optional-dependencies"].values()
    dev = {_requirement_name(spec) for specs in extras for spec in specs}
    return runtime, dev


def _local_modules(folders: tuple[str, ...]) -> set[str]:
    """Modules that live in the folders themselves (test helpers, sibling bench scripts)."""
    return {path.stem for folder in folders for path in (ROOT / folder).iterdir()}


#: Modules of a library that import a package the library itself does not require (one of
#: its extras): importing them needs that package declared too. `lxml.cssselect` raises
#: ImportError without cssselect, which only a test dependency (Scrapy's) brought along.
NEEDS_OF_ITS_OWN = {"lxml.cssselect": "cssselect"}


def _top_level_imports(folders: tuple[str, ...]) -> dict[str, str]:
    """Every third-party top-level module imported under `folders`, with one file importing
    it, and the packages the modules of NEEDS_OF_ITS_OWN need."""
    found: dict[str, str] = {}
    local = OURS | _local_modules(folders)
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    for module, needed in NEEDS_OF_ITS_OWN.items():
                        if name == module or name.startswith(f"{module}."):
                            found.setdefault(needed, str(path.relative_to(ROOT)))
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in local:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _distribution(module: str) -> str:
    names = _distributions().get(module)
    assert names, f"{module} is imported but no installed distribution provides it"
    return names[0].lower().replace("_", "-")


def _declared_name(module: str) -> str:
    """The distribution of an installed module; for one not installed here (an extra this
    environment went without, as the README's test command leaves out `bench`), its own name,
    which the extras then have to spell."""
    names = _distributions().get(module)
    return names[0].lower().replace("_", "-") if names else module.lower().replace("_", "-")


def test_every_module_the_product_imports_is_a_declared_runtime_dependency() -> None:
    runtime, _ = _declared()
    missing = {
        module: where for module, where in _top_level_imports(PRODUCT).items() if _distribution(module) not in runtime
    }
    assert not missing, f"imported but not in [project] dependencies: {missing}"


def test_every_declared_runtime_dependency_is_imported_by_the_product() -> None:
    runtime, _ = _declared()
    imported = {_distribution(module) for module in _top_level_imports(PRODUCT)}
    assert runtime - imported == set(), f"declared but never imported: {runtime - imported}"


def test_what_tests_and_benchmarks_import_is_declared_for_development() -> None:
    runtime, dev = _declared()
    # pytest plugins and tools run as commands; the rest must be importable from a clone.
    missing = {
        module: where
        for module, where in _top_level_imports(("tests", "bench")).items()
        if _declared_name(module) not in runtime | dev
    }
    assert not missing, f"imported by tests/bench but not declared: {missing}"
