"""What a listing row holds, read from an lxml tree (`tree.py`): the elements under it by
name, its ancestors below a container, its bare text (outside its links, nested lists and
scripts: where a date printed without an element of its own is) and its class names.

The readers that find rows themselves (TRS tables and dated link lists, Hanweb records)
walk lxml trees with these; the readers told where rows are by CSS selectors keep bs4 and
its twins in `rowtext.py` (soupsieve reads the selectors operators write).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from lxml import etree

from connectors.families.tree import Texts, is_element

#: Elements whose text is not the row's own bare text: its links, lists nested in it, scripts
#: (and what bs4 never counts as text: templates and ruby annotations).
_NOT_BARE = frozenset({"a", "li", "tr", "script", "style", "template", "rt", "rp"})


def elements(node: etree._Element, names: Collection[str] | None = None) -> Iterator[etree._Element]:
    """The elements under `node` (not `node` itself) in document order, only those named in
    `names` if given; comments and processing instructions are never elements."""
    if names is None:
        return node.iterdescendants(etree.Element)
    return (child for child in node.iterdescendants(etree.Element) if child.tag in names)


def first_element(node: etree._Element, names: Collection[str], attr: str | None = None) -> etree._Element | None:
    """The first element under `node` named in `names` (having attribute `attr`, if given)."""
    for child in elements(node, names):
        if attr is None or child.get(attr) is not None:
            return child
    return None


def parents_below(node: etree._Element, stop: etree._Element) -> list[etree._Element]:
    """The ancestors of `node` below `stop`, nearest first."""
    found = []
    for parent in node.iterancestors():
        if parent is stop:
            break
        found.append(parent)
    return found


def inside(node: etree._Element, container: etree._Element) -> bool:
    """True when `container` encloses `node`."""
    return any(parent is container for parent in node.iterancestors())


def classes(node: etree._Element) -> list[str]:
    """The element's class names."""
    return (node.get("class") or "").split()


def bare_strings(row: etree._Element, texts: Texts) -> list[str]:
    """The row's text outside its links, the lists nested in it and scripts
    (`<li><a>…</a> [2012-03-05]</li>`); comments never count, their tails do."""
    if texts.muted(row):
        return []
    found = [row.text] if row.text else []
    _bare(row, found)
    return found


def _bare(node: etree._Element, found: list[str]) -> None:
    for child in node:
        if is_element(child) and child.tag not in _NOT_BARE:
            if child.text:
                found.append(child.text)
            _bare(child, found)
        if child.tail:  # the tail is the parent's text, which is bare here
            found.append(child.tail)
