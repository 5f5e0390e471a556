"""No package of ours imports itself in a circle.

The import graph of every package is built with grimp from the source: every import
statement counts, at module level, inside a function (an import moved into a function to
dodge a circle is still a circle) and under `if TYPE_CHECKING:` (a circle of types is a cut
along the wrong line). A circle is a strongly connected set of modules; the failure lists
each one with the loops that run through its modules and the import lines that make them.
"""

from __future__ import annotations

import functools
import textwrap
from collections import deque
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

PACKAGES = ("connectors", "warehouse", "flows", "sim", "reports")


def build(packages: Iterable[str]) -> grimp.ImportGraph:
    """The import graph of `packages`, with imports inside functions and type-only ones."""
    return grimp.build_graph(
        *packages, include_external_packages=False, exclude_type_checking_imports=False, cache_dir=None
    )


@functools.cache
def our_graph() -> grimp.ImportGraph:
    return build(PACKAGES)


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of two or more modules that import one another in a circle (Tarjan's
    strongly connected components, iteratively), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def loop_through(graph: grimp.ImportGraph, start: str, members: set[str]) -> list[str]:
    """The shortest loop of imports from `start` back to it within `members`."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for target in sorted(graph.find_modules_directly_imported_by(module) & members):
            if target == start:
                path = [module]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target not in came_from:
                came_from[target] = module
                queue.append(target)
    raise AssertionError(f"{start} is in no loop of {sorted(members)}")


def describe(graph: grimp.ImportGraph, circle: list[str]) -> str:
    """A circle: its modules, then a loop through each (one per module, repeats left out)
    with the import lines that close it."""
    members = set(circle)
    lines = [f"a circle of {len(circle)} modules: {', '.join(circle)}"]
    loops: list[list[str]] = []
    for module in circle:
        loop = loop_through(graph, module, members)
        if not any(set(zip(loop, loop[1:], strict=False)) == set(zip(o, o[1:], strict=False)) for o in loops):
            loops.append(loop)
    for loop in loops:
        lines.append("  " + " -> ".join(loop))
        for importer, imported in zip(loop, loop[1:], strict=False):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"    {importer}:{detail['line_number']}  {detail['line_contents']}")
    return "\n".join(lines)


def circles_of(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """The circles that run through `package`."""
    return [c for c in circles(graph) if any(m == package or m.startswith(package + ".") for m in c)]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_imports_itself_in_a_circle(package: str) -> None:
    graph = our_graph()
    found = circles_of(graph, package)
    assert not found, f"{package} imports itself in {len(found)} circle(s):\n" + "\n".join(
        describe(graph, c) for c in found
    )


def test_the_check_sees_circles_through_functions_and_type_checking(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from circled import b\n    return b\n")
    (package / "b.py").write_text(
        textwrap.dedent(
            """\
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from circled.a import f
            from circled import c
            """
        )
    )
    (package / "c.py").write_text("import circled.b\n")
    (package / "d.py").write_text("from circled import a\n")  # imports the circle, is not in it
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = build(["circled"])
    assert circles(graph) == [["circled.a", "circled.b", "circled.c"]]
    text = describe(graph, circles(graph)[0])
    assert "circled.a -> circled.b -> circled.a" in text and "circled.c -> circled.b -> circled.c" in text
    assert "circled.b:4  from circled.a import f" in text
