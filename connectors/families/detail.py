"""Label/value metadata of a detail page, shared by every HTML family (TRS, Hanweb, SSP links).

Catalog detail pages print their metadata in a handful of shapes:
`<p><strong>L</strong>：V</p>`, `<td>L</td><td>V</td>` (or `th`), `<span>L：V</span>`,
`<b>L：</b>V`, several `L：V` in one cell, and `<meta name="ArticleTitle">`. This module walks
the page once for its blocks, label tags, metas, bodies and links; the label reader
(`labels.py`) splits the text of the innermost blocks at known labels, so it does not depend
on one template. Comments never count (bs4 leaves them out of the text), so a label commented
out in the page is not read.
"""

from __future__ import annotations

from collections.abc import Mapping

from bs4 import BeautifulSoup
from bs4.element import Tag
from bs4.filter import ElementFilter

from connectors.families.base import (
    RawDetail,
    is_attachment,
    resolve_link,
    soup,
    tags,
    text_of,
    unreadable,
)
from connectors.families.labels import LABEL_TAGS, LabelReader, extra_labels, label_reader

__all__ = ["BODY_CLASSES", "BODY_IDS", "LabelReader", "extra_labels", "label_reader", "parse_detail_page"]

#: Elements whose class or id marks the document body, across the families (docs/platforms.md:
#: TRS, Fujian TRS, Hanweb, www.gov.cn). Generic names such as `content` are left out: they
#: often wrap a whole page, metadata box included, and labels inside a body are not read.
BODY_CLASSES = frozenset(
    {
        "TRS_Editor",
        "TRS_UEDITOR",
        "trs_editor_view",
        "Custom_UnionStyle",
        "article_component",
        "pages_content",
    }
)
BODY_IDS = frozenset({"zoom", "Zoom", "trsContent", "detailCont", "UCAP-CONTENT"})

#: Blocks whose text is read as label/value runs; only the innermost ones are read.
_BLOCKS = ("p", "li", "dd", "dt", "td", "th", "span", "div", "h1", "h2", "h3", "h4", "font")
_META_FIELDS = {"articletitle": "title", "pubdate": "published_date", "contentsource": "publisher_name"}


class _DetailFilter(ElementFilter):
    """Keep only the elements metadata, bodies and attachments live in: bs4's cost is per
    element it builds, and navigation (`ul/li/a` menus, footers) is most of a detail page."""

    _KEEP = frozenset(
        {"meta", "table", "p", "span", "b", "strong", "li", "dl", "dd", "dt", "h1", "h2", "h3", "font", "label", "em"}
    )

    def allow_tag_creation(self, nsprefix: str | None, name: str, attrs: dict | None) -> bool:
        if name in self._KEEP:
            return True
        attrs = attrs or {}
        if name == "a":
            return is_attachment(str(attrs.get("href", "")))
        if name == "div":
            return _is_body_marker(attrs.get("class"), attrs.get("id"))
        return False

    def allow_string_creation(self, string: str) -> bool:
        return False  # text outside the kept elements is navigation or script


_STRAINER = _DetailFilter()


def _is_body_marker(classes: str | list[str] | None, ident: str | None) -> bool:
    """True for a body element's class (raw string or bs4 list) or id."""
    if isinstance(classes, str):
        classes = classes.split()
    return bool(classes and BODY_CLASSES.intersection(classes)) or ident in BODY_IDS


class _Page:
    """One walk over a parsed page: what the reader needs, in document order.

    Blocks and label tags inside a body are left out (a report's own "发布日期：" in its text
    is not the page's metadata); `outer_blocks` are blocks that enclose other blocks.
    """

    _BLOCK_SET = frozenset(_BLOCKS)
    _LABEL_SET = frozenset(LABEL_TAGS)

    def __init__(self, doc: BeautifulSoup, body_selector: str | None) -> None:
        self.blocks: list[Tag] = []
        self.label_tags: list[Tag] = []
        self.outer_blocks: set[int] = set()
        self._climbed: set[int] = set()
        self.metas: list[Tag] = []
        self.links: list[Tag] = []
        chosen = {id(node) for node in doc.select(body_selector)} if body_selector else None
        self.bodies: list[Tag] = []
        body_end = None  # the last element of the body being walked through
        for node in tags(doc):
            name = node.name
            if body_end is None and (
                id(node) in chosen
                if chosen is not None
                else name == "div" and _is_body_marker(node.get("class"), node.get("id"))
            ):
                self.bodies.append(node)
                body_end = node._last_descendant()
            if name == "a":
                if node.get("href"):
                    self.links.append(node)
            elif name == "meta":
                self.metas.append(node)
            elif body_end is None:
                if name in self._BLOCK_SET:
                    self.blocks.append(node)
                    self._mark_outer(node)
                if name in self._LABEL_SET:
                    self.label_tags.append(node)
            if node is body_end:
                body_end = None

    def _mark_outer(self, block: Tag) -> None:
        """Mark the blocks enclosing `block`; each element is climbed through once."""
        for parent in block.parents:
            if id(parent) in self._climbed:
                break  # its ancestors were marked by an earlier block
            self._climbed.add(id(parent))
            if parent.name in self._BLOCK_SET:
                self.outer_blocks.add(id(parent))


def _meta_fields(page: _Page) -> dict[str, str]:
    """ArticleTitle / PubDate / ContentSource from `<meta name=… content=…>`."""
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
        href = str(link["href"])
        if not is_attachment(href):  # resolving does not change the ending; most links are not
            continue
        target = resolve_link(href, url)
        if target:
            seen.setdefault(target, None)
    return tuple(seen)


def _read_page(doc: BeautifulSoup, url: str, options: Mapping[str, str]) -> tuple[dict, bool, tuple, bool]:
    """(fields, has_body, attachments, whether any specific label was read) of a parsed page."""
    page = _Page(doc, options.get("body"))
    has_body = any(text_of(body) for body in page.bodies)
    reader = label_reader(tuple(sorted(extra_labels(options).items())))
    strong, weak = reader.read(page.blocks, page.outer_blocks, page.label_tags)
    fields = dict(weak)
    fields.update(_meta_fields(page))
    fields.update(strong)
    return fields, has_body, _attachments(page, url), bool(strong)


def parse_detail_page(text: str, url: str, options: Mapping[str, str]) -> RawDetail:
    """The metadata, body presence and attachments of a detail page of any HTML family.

    Reads a strained tree first (fast). The strainer keeps the elements labels usually live
    in; a page whose labels it misses (text straight inside `div`s) shows no specific label
    there, and is read again whole. Raises `ChallengePage` for WAF pages and `LayoutChanged`
    when neither a known label nor a meta ArticleTitle is on the page.
    """
    strained = None if options.get("body") else _STRAINER
    fields, has_body, attachments, labelled = _read_page(soup(text, strained), url, options)
    if not labelled and strained is not None:
        fields, has_body, attachments, _ = _read_page(soup(text), url, options)
    if not fields:
        raise unreadable(
            text,
            f"detail page {url}: no metadata labels (索引号, 发布机构, 发布日期, 文号, 名称/标题, …) "
            "and no meta ArticleTitle",
        )
    return RawDetail(fields=fields, has_body=has_body, attachments=attachments)
