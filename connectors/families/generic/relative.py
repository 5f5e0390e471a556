"""CSS selectors that name an element by its place: an ancestor to anchor the rows at, and
an element inside a row (its link, its date) as seen from the row.

Forms go from the simplest (`span`) to the most particular (`:scope > td:nth-of-type(3) >
span`); the first that holds in every row wins, so a proposal reads as a person would write it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4.element import Tag

from connectors.families.rowtext import parents_below
from connectors.families.selected import select_one

#: Tag names, class names and ids written into a selector as they are (no escaping needed).
_NAME = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")


def valid_name(name: str) -> bool:
    """Whether a tag name, class or id can stand in a selector as it is: a broken page parses
    into elements named `h<tr` or `td:x`, which no selector can name."""
    return _NAME.fullmatch(name) is not None


def anchor_forms(node: Tag) -> list[str]:
    """Selectors of an ancestor to anchor rows at: by id, then by each class; `body` as the
    anchor of last resort; none for an element without either."""
    if node.name == "body":
        return ["body"]
    if not valid_name(node.name):
        return []
    ident = str(node.get("id") or "")
    forms = [f"{node.name}#{ident}"] if valid_name(ident) else []
    return forms + [f"{node.name}.{c}" for c in node.get("class") or () if valid_name(c)]


def relative_selectors(rows: list[Tag], allowed: list[list[Tag]], target: Tag) -> str | None:
    """The simplest selector that, from each row, selects first one of its `allowed`
    elements; the forms are taken from `target`'s place in the first row."""
    for css in dict.fromkeys(_candidates(rows[0], target)):
        if all(_picks(row, css, options) for row, options in zip(rows, allowed, strict=True)):
            return css
    return None


def _picks(row: Tag, css: str, options: list[Tag]) -> bool:
    found = select_one(row, css)
    return found is not None and any(found is option for option in options)


def _candidates(row: Tag, target: Tag) -> Iterator[str]:
    path = [*reversed(parents_below(target, row)), target]
    if not valid_name(target.name):
        return
    yield from _forms(target)
    if len(path) > 1 and valid_name(path[-2].name):
        for parent in _forms(path[-2]):
            yield f"{parent} > {target.name}"
    if all(valid_name(node.name) for node in path):
        yield ":scope > " + " > ".join(node.name for node in path)
        yield ":scope > " + " > ".join(_nth(node) for node in path)


def _forms(node: Tag) -> list[str]:
    """`span`, `span.date`, `a[title]`, `td:nth-of-type(3)`."""
    forms = [node.name, *(f"{node.name}.{c}" for c in node.get("class") or () if valid_name(c))]
    if node.name == "a" and node.get("title"):
        forms.append("a[title]")
    return [*forms, _nth(node)]


def _nth(node: Tag) -> str:
    place = 1 + sum(1 for s in node.find_previous_siblings(node.name))
    return f"{node.name}:nth-of-type({place})"
