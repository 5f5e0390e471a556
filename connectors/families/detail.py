"""Label/value metadata of a detail page, shared by every HTML family (TRS, Hanweb, SSP links).

Catalog detail pages print their metadata in a handful of shapes:
`<p><strong>L</strong>：V</p>`, `<td>L</td><td>V</td>` (or `th`), `<span>L：V</span>`,
`<b>L：</b>V`, several `L：V` in one cell, and `<meta name="ArticleTitle">`. The page is
parsed once into an lxml tree (`tree.py`) and walked for its blocks, label tags, metas,
bodies and links; the label reader (`labels.py`) splits the text of the innermost blocks at
known labels, so it does not depend on one template. Comments never count (the text is what
bs4's `get_text` prints), so a label commented out in the page is not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from lxml import etree
from lxml.cssselect import CSSSelector

from connectors.families.base import RawDetail, is_attachment, resolve_link, unreadable
from connectors.families.docno import doc_no_line
from connectors.families.labels import LABEL_TAGS, extra_labels, label_reader
from connectors.families.tree import is_element, parse_tree
from connectors.families.view import View, is_body_marker
from connectors.normalize import is_empty_value

__all__ = ["parse_detail_page"]

#: Blocks whose text is read as label/value runs; only the innermost ones are read.
_BLOCKS = ("p", "li", "dd", "dt", "td", "th", "span", "div", "h1", "h2", "h3", "h4", "font")
#: Head metas that fill a field. `ContentSource` is not one: it is the 来源 (the office or
#: website the text came from, `价格管理和成本监审处`, `中国人民银行网站`), not the publisher.
_META_FIELDS = {"articletitle": "title", "pubdate": "published_date"}


@lru_cache(maxsize=16)
def _selector(css: str) -> CSSSelector:
    return CSSSelector(css)


def _last_descendant(node: etree._Element) -> etree._Element | None:
    """The last element of `node` in document order when nothing follows it inside `node`;
    None when a string or a comment comes last (then the walk never sees the body end)."""
    while len(node):
        last = node[-1]
        if last.tail or not is_element(last):
            return None
        node = last
    return None if node.text else node


class _Page:
    """One walk over a view of a page: what the reader needs, in document order.

    Blocks and label tags inside a body are left out (a report's own "发布日期：" in its text
    is not the page's metadata); `outer_blocks` are blocks that enclose other blocks.
    A body whose last descendant is a string is taken to run to the end of the page.
    """

    _BLOCK_SET = frozenset(_BLOCKS)
    _LABEL_SET = frozenset(LABEL_TAGS)

    def __init__(self, view: View, body_selector: str | None) -> None:
        self.blocks: list[etree._Element] = []
        self.label_tags: list[etree._Element] = []
        self.outer_blocks: set[etree._Element] = set()
        self._climbed: set[etree._Element] = set()
        self.metas: list[etree._Element] = []
        self.links: list[etree._Element] = []
        chosen = set(_selector(body_selector)(view.tops[0])) if body_selector else None
        self.bodies: list[etree._Element] = []
        walking_body, body_end = False, None
        for node in view.elements:
            name = node.tag
            if not walking_body and (
                node in chosen
                if chosen is not None
                else name == "div" and is_body_marker(node.get("class"), node.get("id"))
            ):
                self.bodies.append(node)
                walking_body, body_end = True, _last_descendant(node)
            if name == "a":
                if node.get("href"):
                    self.links.append(node)
            elif name == "meta":
                self.metas.append(node)
            elif not walking_body:
                if name in self._BLOCK_SET:
                    self.blocks.append(node)
                    self._mark_outer(node, view)
                if name in self._LABEL_SET:
                    self.label_tags.append(node)
            if node is body_end:
                walking_body = False

    def _mark_outer(self, block: etree._Element, view: View) -> None:
        """Mark the blocks enclosing `block`; each element is climbed through once."""
        parent = view.parent(block)
        while parent is not None and parent not in self._climbed:
            self._climbed.add(parent)  # once climbed, its ancestors were marked already
            if parent.tag in self._BLOCK_SET:
                self.outer_blocks.add(parent)
            parent = view.parent(parent)


def _meta_fields(page: _Page) -> dict[str, str]:
    """ArticleTitle / PubDate from `<meta name=… content=…>`."""
    found: dict[str, str] = {}
    for meta in page.metas:
        name = str(meta.get("name", "")).lower()
        content = str(meta.get("content", "")).strip()
        if name in _META_FIELDS and content:
            found.setdefault(_META_FIELDS[name], content)
    return found


def _attachments(page: _Page, url: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for link in page.links:
        href = link.get("href")
        if not is_attachment(href):  # resolving does not change the ending; most links are not
            continue
        target = resolve_link(href, url)
        if target:
            seen.setdefault(target, None)
    return tuple(seen)


def _read_page(
    root: etree._Element, url: str, options: Mapping[str, str], quick: bool
) -> tuple[dict, bool, tuple, bool]:
    """(fields, has_body, attachments, whether any specific label was read) of a parsed page."""
    view = View(root, quick)
    page = _Page(view, options.get("body"))
    has_body = any(view.text(body) for body in page.bodies)
    reader = label_reader(tuple(sorted(extra_labels(options).items())))
    strong, weak = reader.read(view, page.blocks, page.outer_blocks, page.label_tags)
    fields = dict(weak)
    for tier in (_meta_fields(page), strong):  # each tier over the last, unless it says nothing
        fields.update({name: value for name, value in tier.items() if name not in fields or not is_empty_value(value)})
    if "doc_no" not in fields:
        line = _doc_no_line(view)
        if line:
            fields["doc_no"] = line
    return fields, has_body, _attachments(page, url), bool(strong)


_LINE_TAGS = frozenset({"p", "div", "td", "span", "font", "strong", "center", "h2", "h3", "h4", "h5"})


def _doc_no_line(view: View) -> str | None:
    """The 文号 line of an official document (a paragraph that is only a 文号, printed under
    its heading), for a page whose metadata has no 文号 label: the first such line."""
    for node in view.elements:
        if node.tag in _LINE_TAGS:
            text = view.short(node, 16)
            found = doc_no_line(text) if text and len(text) <= 40 else None
            if found:
                return found
    return None


def parse_detail_page(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """The metadata, body presence and attachments of a detail page of any HTML family.

    Reads a quick view first: the elements labels usually live in. A page whose labels it
    misses (text straight inside `div`s) shows no specific label there, and is read again
    whole. Raises `ChallengePage` for WAF pages and `LayoutChanged` when neither a known
    label nor a meta ArticleTitle is on the page.
    """
    root = parse_tree(text)
    fields: dict[str, str] = {}
    has_body, attachments = False, ()
    if root is not None:
        quick = not options.get("body")
        fields, has_body, attachments, labelled = _read_page(root, url, options, quick)
        if not labelled and quick:
            fields, has_body, attachments, _ = _read_page(root, url, options, False)
    if not fields:
        raise unreadable(
            text,
            f"detail page {url}: no metadata labels (索引号, 发布机构, 发布日期, 文号, 名称/标题, …) "
            "and no meta ArticleTitle",
        )
    return RawDetail(fields=fields, has_body=has_body, attachments=attachments)
