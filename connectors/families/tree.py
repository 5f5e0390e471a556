"""Pages as lxml trees, and the text of their elements as bs4 would print it.

Detail pages (one per item) and the listing pages of the readers that find rows themselves
(TRS, Hanweb records, the tables of the Hanweb search and jpaas) are parsed straight into an
lxml tree: the same libxml2 HTML parser bs4 drives for the readers told by CSS selectors, so
broken markup is mended the same way, at a twentieth of the cost of building bs4's tree. The hostile-input bounds of `base.soup` hold here too (docs/reliability.md):
lone surrogates are replaced, no network and no huge-tree mode, and a page nested as deep
as `MAX_DEPTH` or of more than `MAX_ELEMENTS` elements is refused with `LayoutChanged`.

The text helpers print what bs4's `get_text` prints: comments and processing instructions
never count, nor do the strings inside `script`, `style`, `template`, `rt` and `rp` (bs4
gives those strings a type of their own), except when reading such an element itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from lxml import etree

from connectors.errors import LayoutChanged
from connectors.families.base import MAX_DEPTH, MAX_ELEMENTS, without_surrogates

#: Elements whose strings bs4 gives a type of their own, left out of the text around them.
CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})

# libxml2 keeps no element deeper than MAX_DEPTH (it hangs the rest on the deepest one), so
# a page that reaches that depth is one whose nesting was cut: refused, as bs4's walk does.
_TOO_DEEP = etree.XPath("boolean(" + "/*" * MAX_DEPTH + ")")
_COUNT = etree.XPath("count(//*)")
_ANY_CONTAINER = etree.XPath("boolean(//script|//style|//template|//rt|//rp)")
_IN_CONTAINER = etree.XPath("//template//*|//rt//*|//rp//*")
_HTML_SPACE = re.compile(r"[ \t\r\n\f\xa0]+")


def parse_tree(text: str) -> etree._Element | None:
    """The `html` element of a page, or None for a page without any element.

    Raises `LayoutChanged` for a page nested `MAX_DEPTH` deep or of more than `MAX_ELEMENTS`
    elements, and for text the parser refuses outright.
    """
    text = without_surrogates(text)  # lxml cannot encode them
    if text[:1] == "\ufeff":
        text = text[1:]
    parser = etree.HTMLParser(huge_tree=False, no_network=True)
    try:
        # fed, not `fromstring`: text that declares an encoding is still text
        parser.feed(text)
        root = parser.close()
    except (etree.ParserError, etree.XMLSyntaxError) as error:
        raise LayoutChanged(f"the HTML parser refused the page: {error}") from None
    if root is None:
        return None
    _graft_after_early_end(root)
    if _TOO_DEEP(root):
        raise LayoutChanged(f"elements nested more than {MAX_DEPTH} deep: not a page a template renders; refused")
    if _COUNT(root) > MAX_ELEMENTS:
        raise LayoutChanged(f"more than {MAX_ELEMENTS} elements: not a page a template renders; refused")
    return root


def _graft_after_early_end(root: etree._Element) -> None:
    """Put back what follows an early `</html>` (a template's included header that ends in
    one, as www.gov.cn's does): libxml2 hangs it on a second `html` element beside the root,
    which a walk from the root never sees. Its elements go to the end of the page's body,
    where a browser shows them."""
    target = root.find("body")
    if target is None:
        target = root
    for sibling in list(root.itersiblings()):
        if is_element(sibling) and sibling.tag == "html":
            for child in list(sibling):
                target.append(child)


def _container_of(node: etree._Element) -> etree._Element:
    """The innermost template, rt or rp enclosing `node`."""
    return next(node.iterancestors("template", "rt", "rp"))


def is_element(node: object) -> bool:
    """True for an element, False for a comment or processing instruction."""
    return isinstance(getattr(node, "tag", None), str)


class Texts:
    """Text of the elements of one parsed page, as bs4's `get_text(" ")` joins it."""

    def __init__(self, root: etree._Element, tops: Collection[etree._Element] | None = None) -> None:
        """Texts of the whole page, or of the part of it under `tops` (a template outside
        them does not count as one: its elements are read as if it were not there)."""
        self._any = bool(_ANY_CONTAINER(root))
        self._inside: set = set()
        if self._any:
            for node in _IN_CONTAINER(root):
                if tops is None or any(up in tops for up in _container_of(node).iterancestors()):
                    self._inside.add(node)

    def muted(self, node: etree._Element) -> bool:
        """True when the strings `node` holds (its text, its children's tails) are not text."""
        return node.tag in CONTAINERS or node in self._inside

    def strings(self, node: etree._Element) -> list[str]:
        """The strings under `node` that count as its text, in document order."""
        if node.tag in CONTAINERS:
            return list(node.itertext())  # bs4 reads a script's own strings when asked for it
        if not self._any:
            return list(node.itertext())
        if node in self._inside:
            return []
        if next(node.iterdescendants(*CONTAINERS), None) is None:
            return list(node.itertext())
        return list(self._walk(node))

    def _walk(self, node: etree._Element) -> Iterator[str]:
        if node.text and not self.muted(node):
            yield node.text
        for child in node:
            if is_element(child):
                yield from self._walk(child)
            if child.tail and not self.muted(node):
                yield child.tail

    def text(self, node: etree._Element) -> str:
        """The text of an element as printed, HTML white space collapsed (`base.text_of`)."""
        return _HTML_SPACE.sub(" ", " ".join(self.strings(node))).strip()

    def short(self, node: etree._Element, max_nodes: int = 64) -> str | None:
        """`text(node)` for an element of fewer than `max_nodes` descendants (elements,
        strings and comments, counted as bs4 counts them), else None (`base.short_text`)."""
        count = 1 if node.text else 0
        for child in node.iterdescendants():
            count += 1 + (1 if child.tail else 0) + (1 if child.text and is_element(child) else 0)
            if count > max_nodes:
                return None
        return None if count > max_nodes else self.text(node)

    def own(self, node: etree._Element) -> str:
        """The strings straight inside `node` (not in its children), joined by spaces."""
        if self.muted(node):
            return ""
        parts = [node.text or ""]
        parts.extend(child.tail or "" for child in node)
        return " ".join(parts)
