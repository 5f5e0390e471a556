"""What a reading of a detail page sees: the whole page, or a quick view of only the elements
metadata, bodies and attachments live in (`View`), and which elements mark a document's body.

Shared by the detail reader (detail.py) and the label reader (labels.py), which both walk a
view; kept apart from both so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from connectors.families.base import is_attachment
from connectors.families.tree import Texts, is_element

#: Elements whose class or id marks the document body, across the families (docs/platforms.md:
#: TRS, Fujian TRS, Hanweb, www.gov.cn, Guangdong's content pages, the procurement notices). Generic names such as `content` are left out: they
#: often wrap a whole page, metadata box included, and labels inside a body are not read.
BODY_CLASSES = frozenset(
    {
        "TRS_Editor",
        "TRS_UEDITOR",
        "trs_editor_view",
        "Custom_UnionStyle",
        "article_component",
        "pages_content",
        "article-content",
        "vF_detail_content",
    }
)
BODY_IDS = frozenset({"zoom", "Zoom", "trsContent", "detailCont", "detailContent", "UCAP-CONTENT"})

#: The elements metadata, bodies and attachments live in: the first, quick reading of a page
#: sees only these and what they enclose, as if the navigation around them (`ul/li/a` menus,
#: footers, the divs of the layout) and the text between them were not there.
_KEEP = frozenset(
    {"meta", "table", "p", "span", "b", "strong", "li", "dl", "dd", "dt", "h1", "h2", "h3", "font", "label", "em"}
)


def _kept(node: etree._Element) -> bool:
    """Whether the quick reading keeps `node` (and all it encloses)."""
    name = node.tag
    if name in _KEEP:
        return True
    if name == "a":
        return is_attachment(node.get("href", ""))
    return name == "div" and is_body_marker(node.get("class"), node.get("id"))


def is_body_marker(classes: str | None, ident: str | None) -> bool:
    """True for a body element's class attribute or id."""
    return bool(classes and BODY_CLASSES.intersection(classes.split())) or ident in BODY_IDS


class View(Texts):
    """The elements of a page a reading sees, in document order, with their text.

    A quick view sees only the outermost kept elements (`tops`) and what they enclose; two
    tops are siblings of each other with nothing between them, and have no parent.
    The whole view sees every element, `html` its one top.
    """

    def __init__(self, root: etree._Element, quick: bool) -> None:
        self.quick = quick
        if not quick:
            self.tops = [root]
            self.elements = list(root.iter(etree.Element))
        else:
            self.tops, self.elements = [], []
            stack = [root]
            while stack:
                node = stack.pop()
                if _kept(node):
                    self.tops.append(node)
                    self.elements.extend(node.iter(etree.Element))
                else:
                    stack.extend(node.iterchildren(etree.Element, reversed=True))
        self._top_index = {node: i for i, node in enumerate(self.tops)}
        super().__init__(root, self._top_index if quick else None)

    def parent(self, node: etree._Element) -> etree._Element | None:
        """`node`'s parent within the view (None for a top)."""
        return None if node in self._top_index else node.getparent()

    def siblings(self, node: etree._Element) -> Iterator[etree._Element | str]:
        """What follows `node` inside its parent: elements, and strings that are text."""
        if node in self._top_index:
            yield from self.tops[self._top_index[node] + 1 :]
            return
        muted = self.muted(node.getparent())
        if node.tail and not muted:
            yield node.tail
        for sibling in node.itersiblings():
            if is_element(sibling):
                yield sibling
            if sibling.tail and not muted:
                yield sibling.tail
