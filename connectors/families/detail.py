"""Label/value metadata of a detail page, shared by every HTML family (TRS, Hanweb, SSP links).

Catalog detail pages print their metadata in a handful of shapes:
`<p><strong>L</strong>：V</p>`, `<td>L</td><td>V</td>` (or `th`), `<span>L：V</span>`,
`<b>L：</b>V`, several `L：V` in one cell, and `<meta name="ArticleTitle">`. The reader works
on the text of the innermost blocks, splitting it at known labels, so it does not depend on
one template. Comments never count (bs4 leaves them out of the text), so a label commented
out in the page is not read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from bs4.filter import ElementFilter

from connectors.families.base import (
    RawDetail,
    is_attachment,
    resolve_link,
    short_text,
    soup,
    tags,
    text_of,
    unreadable,
)
from connectors.normalize import LABELS, WEAK_LABELS, label_field, label_key
from connectors.records import FIELDS

#: Elements whose class or id marks the document body, across the families (docs/platforms.md:
#: TRS, Fujian TRS, Hanweb, www.gov.cn). Generic names such as `content` are left out: they often wrap a whole page,
#: metadata box included, and labels inside a body are not read.
BODY_CLASSES = frozenset({
    "TRS_Editor", "TRS_UEDITOR", "trs_editor_view", "Custom_UnionStyle", "article_component",
    "pages_content",
})
BODY_IDS = frozenset({"zoom", "Zoom", "trsContent", "detailCont", "UCAP-CONTENT"})

#: Blocks whose text is read as label/value runs; only the innermost ones are read.
_BLOCKS = ("p", "li", "dd", "dt", "td", "th", "span", "div", "h1", "h2", "h3", "h4", "font")
#: Inline elements that often hold just a label, with the value after them.
_LABEL_TAGS = ("b", "strong", "label", "em", "span")
#: Labels found in metadata boxes that fill no field; they end the value before them.
_OTHER_LABELS = (
    "主题词", "关键词", "关键字", "有效期", "实施日期", "废止日期", "组配分类", "分类", "作者",
    "浏览次数", "访问量", "点击数", "字号", "所属主题", "信息分类", "内容概述", "摘要", "备注",
    "联合发文单位", "责任编辑", "打印", "关闭", "分享",
)
#: Elements that end a label tag's value: the strainer flattens the divs of a metadata box, so
#: a label with an empty value (`<span>文　　号：</span>`) is followed by the next box and the body.
_VALUE_ENDS = frozenset({"p", "table", "li", "dl", "dd", "dt", "div", "h1", "h2", "h3"})
_LABEL_MAX = 12  # characters; a longer "label" is a sentence with a colon in it
_VALUE_MAX_NODES = 256  # an inline value after a label holds a few elements, not a section
_META_FIELDS = {"articletitle": "title", "pubdate": "published_date", "contentsource": "publisher_name"}


class _DetailFilter(ElementFilter):
    """Keep only the elements metadata, bodies and attachments live in: bs4's cost is per
    element it builds, and navigation (`ul/li/a` menus, footers) is most of a detail page."""

    _KEEP = frozenset({"meta", "table", "p", "span", "b", "strong", "li", "dl", "dd", "dt",
                       "h1", "h2", "h3", "font", "label", "em"})

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


def _label_pattern(labels: list[str]) -> re.Pattern[str]:
    """A regex finding `LABEL：` in cleaned text, letters of a label allowed to be spaced out."""
    alternatives = sorted(labels, key=len, reverse=True)
    spaced = ["\\s*".join(map(re.escape, word)) for word in alternatives]
    return re.compile(r"(?<![^\s|｜,，;；])(" + "|".join(spaced) + r")\s*[:：]")


def _cjk(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


def extra_labels(options: Mapping[str, str]) -> dict[str, str]:
    """Portal-specific labels from options: `"label:分类" = "topic"` maps a combined 分类 cell.

    Raises ValueError for a target that is not a field, naming the option.
    """
    extra: dict[str, str] = {}
    for key, value in options.items():
        if key.startswith("label:"):
            if value not in FIELDS:
                raise ValueError(f"portal option {key!r} = {value!r}: not one of {', '.join(FIELDS)}")
            extra[label_key(key.split(":", 1)[1])] = value
    return extra


class LabelReader:
    """Reads label/value pairs with the synonym table plus a portal's extra labels."""

    def __init__(self, extra: Mapping[str, str] | None = None) -> None:
        self.extra = dict(extra or {})
        self.others = frozenset(label_key(w) for w in _OTHER_LABELS)
        words = [w for w in [*LABELS, *WEAK_LABELS, *self.extra, *self.others] if _cjk(w)]
        self.pattern = _label_pattern(words)

    def is_label(self, text: str) -> bool:
        """True when a text is a label (a field's or another known one), not a value."""
        key = label_key(text)
        return key in self.others or self.field_of(text)[0] is not None

    def field_of(self, label: str) -> tuple[str | None, bool]:
        """(field, weak) for a printed label."""
        key = label_key(label)
        if key in self.extra:
            return self.extra[key], False
        strong = label_field(label)
        if strong:
            return strong, False
        return label_field(label, weak=True), True

    def read(self, page: _Page) -> tuple[dict[str, str], dict[str, str]]:
        """(strong, weak) label values of a page, first occurrence of each field."""
        strong: dict[str, str] = {}
        weak: dict[str, str] = {}
        for node in page.blocks:
            if id(node) not in page.outer_blocks:
                self._read_runs(node, strong, weak)
        for node in page.label_tags:
            self._read_label_tag(node, strong, weak)
        return strong, weak

    def _store(self, label: str, value: str, strong: dict, weak: dict) -> None:
        fld, is_weak = self.field_of(label)
        value = value.strip().strip(":：|｜").strip()  # str.strip() also takes U+3000
        if fld is None or not value:
            return
        (weak if is_weak else strong).setdefault(fld, value)

    def _read_runs(self, node: Tag, strong: dict, weak: dict) -> None:
        """Split a block's text at every `LABEL：`; a block that is only a label takes the next cell."""
        text = text_of(node)
        if not text:
            return
        matches = list(self.pattern.finditer(text))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[match.end():end]
            if not value.strip() and node.name in ("td", "th"):
                value = _next_cell_text(node)
            self._store(match.group(1), value, strong, weak)
        if not matches and node.name in ("td", "th") and len(text) <= _LABEL_MAX:
            value = _next_cell_text(node)
            if self.field_of(text)[0] and not self.is_label(value):
                self._store(text, value, strong, weak)

    def _read_label_tag(self, node: Tag, strong: dict, weak: dict) -> None:
        """`<b>L：</b>V` and `<label>L</label><span>V</span>`: the value follows the label tag."""
        text = short_text(node)
        if not text or len(text) > _LABEL_MAX + 1 or self.field_of(text)[0] is None:
            return
        parts: list[str] = []
        for sibling in node.next_siblings:
            if isinstance(sibling, Tag):
                if sibling.name in _VALUE_ENDS:
                    break  # an empty value: what follows belongs to another block
                sibling_text = short_text(sibling, _VALUE_MAX_NODES)
                if sibling_text is None or self.pattern.match(sibling_text):
                    break  # a whole section, or another label: not this label's value
                if sibling.name in _LABEL_TAGS and self.is_label(sibling_text):
                    break
                parts.append(sibling_text)
            elif type(sibling) is NavigableString:  # not a comment or script
                parts.append(str(sibling))
        value = " ".join(" ".join(parts).split())
        if not value.strip(" :：") and node.parent is not None and node.parent.name in ("td", "th"):
            value = _next_cell_text(node.parent)
            if self.is_label(value):
                return
        self._store(text, value, strong, weak)


@lru_cache(maxsize=64)
def label_reader(extra: tuple[tuple[str, str], ...] = ()) -> LabelReader:
    """One compiled reader per set of a portal's extra labels."""
    return LabelReader(dict(extra))


def _next_cell_text(cell: Tag) -> str:
    """The text of the table cell after `cell` (label cell -> value cell)."""
    for sibling in cell.next_siblings:
        if isinstance(sibling, Tag) and sibling.name in ("td", "th"):
            return text_of(sibling)
    return ""


class _Page:
    """One walk over a parsed page: what the reader needs, in document order.

    Blocks and label tags inside a body are left out (a report's own "发布日期：" in its text
    is not the page's metadata); `outer_blocks` are blocks that enclose other blocks.
    """

    _BLOCK_SET = frozenset(_BLOCKS)
    _LABEL_SET = frozenset(_LABEL_TAGS)

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
                id(node) in chosen if chosen is not None
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
    strong, weak = label_reader(tuple(sorted(extra_labels(options).items()))).read(page)
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
