"""Label/value pairs of a detail page's metadata: `LABEL：value` runs in a block's text, a
label cell followed by its value cell, and `<b>LABEL：</b>value` label tags.

Labels are matched through the synonym table (docs/fields.md) plus a portal's own
`label:<printed label>` options; a label's letters may be spaced out (`索 引 号`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from lxml import etree

from connectors.families.view import View
from connectors.normalize import LABELS, WEAK_LABELS, is_empty_value, label_field, label_key
from connectors.records import FIELDS

#: Inline elements that often hold just a label, with the value after them.
LABEL_TAGS = ("b", "strong", "label", "em", "span")
#: Labels found in metadata boxes that fill no field; they end the value before them.
_OTHER_LABELS = (
    "主题词",
    "关键词",
    "关键字",
    "有效期",
    "实施日期",
    "废止日期",
    "组配分类",
    "分类",
    "作者",
    "浏览次数",
    "访问量",
    "点击数",
    "字号",
    "所属主题",
    "信息分类",
    "内容概述",
    "摘要",
    "备注",
    "联合发文单位",
    "责任编辑",
    "打印",
    "关闭",
    "分享",
    "公开时限",
    "公开范围",
    "公开形式",
    "统一编号",
    "登记号",
    "信息类别",
    "信息类型",
    "文件类型",
    "附件",
    "附件下载",
    "文件下载",
    "施行日期",
    "生效日期",
    "失效日期",
    "签发人",
    "发布人",
    "浏览量",
    "阅读次数",
)
#: A label no list names (`公开时限：`, any short run of CJK after white space, then a colon):
#: it ends the value before it all the same, since metadata boxes print labels of their own.
_UNKNOWN_LABEL = re.compile(r"\s[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,5}\s*[:：]")
#: Labels that name a field only as a whole table cell with the value in the next cell:
#: 主办单位 is the publisher in a catalog entry's table (`<td>主办单位:</td><td>国家能源局</td>`)
#: but the site's operator in every footer's running text (`主办单位：某县人民政府办公室`).
_CELL_LABELS = {"主办单位": "publisher_name"}
#: Elements that end a label tag's value: the strainer flattens the divs of a metadata box, so
#: a label with an empty value (`<span>文　　号：</span>`) is followed by the next box and the body.
_VALUE_ENDS = frozenset({"p", "table", "li", "dl", "dd", "dt", "div", "h1", "h2", "h3"})
#: Fields a generic label never fills: 来源 / 信息来源 name where the text came from (an
#: office of the publisher, the site itself), not who published it; they are read as labels
#: only so that they end the value printed before them.
_SOURCE_ONLY = frozenset({"publisher_name"})
_LABEL_MAX = 12  # characters; a longer "label" is a sentence with a colon in it
_REMEMBERED = 4096  # texts whose field a reader remembers
_VALUE_MAX_NODES = 256  # an inline value after a label holds a few elements, not a section


def _label_pattern(labels: list[str]) -> re.Pattern[str]:
    """A regex finding `LABEL：` or `[LABEL]` (`【LABEL】`, `[ LABEL ]`: Beijing's
    `[发文机构]<span>…</span>`) in cleaned text, letters of a label allowed to be spaced out;
    the label in the group `label`."""
    alternatives = sorted(labels, key=len, reverse=True)
    spaced = "|".join("\\s*".join(map(re.escape, word)) for word in alternatives)
    return re.compile(
        r"(?<![^\s|｜,，;；])(?:(?P<label>"
        + spaced
        + r")\s*[:：]|[\[【［]\s*(?P<bracketed>"
        + spaced
        + r")\s*[\]】］])"
    )


def _label_of(match: re.Match[str]) -> str:
    return match.group("label") or match.group("bracketed")


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
        self.cell_fields = {label_key(w): fld for w, fld in _CELL_LABELS.items()}
        words = [w for w in [*LABELS, *WEAK_LABELS, *self.extra, *self.others] if _cjk(w)]
        self.pattern = _label_pattern(words)
        self._fields: dict[str, tuple[str | None, bool]] = {}

    def is_label(self, text: str) -> bool:
        """True when a text is a label (a field's or another known one), not a value."""
        key = label_key(text)
        return key in self.others or self.field_of(text)[0] is not None

    def field_of(self, label: str) -> tuple[str | None, bool]:
        """(field, weak) for a printed label; remembered, as pages print the same few labels."""
        found = self._fields.get(label)
        if found is None:
            if len(self._fields) >= _REMEMBERED:
                self._fields.clear()  # a bound, whatever texts hostile pages offer as labels
            found = self._fields[label] = self._field_of(label)
        return found

    def _field_of(self, label: str) -> tuple[str | None, bool]:
        key = label_key(label)
        if key in self.extra:
            return self.extra[key], False
        strong = label_field(label)
        if strong:
            return strong, False
        return label_field(label, weak=True), True

    def read(
        self,
        view: View,
        blocks: Iterable[etree._Element],
        outer_blocks: set[etree._Element],
        label_tags: Iterable[etree._Element],
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(strong, weak) label values of a page's blocks (those not in `outer_blocks`, the
        blocks that enclose others) and label tags, first occurrence of each field."""
        strong: dict[str, str] = {}
        weak: dict[str, str] = {}
        for node in blocks:
            if node not in outer_blocks or self._labels_own_text(view, node):
                self._read_runs(view, node, strong, weak)
        for node in label_tags:
            self._read_label_tag(view, node, strong, weak)
        return strong, weak

    def _labels_own_text(self, view: View, node: etree._Element) -> bool:
        """True for a block enclosing others whose own text prints a label, its value in an
        inline child: `<span>索&ensp;引&ensp;号：<font>PZ00103-…</font></span>` (Fujian)."""
        own = view.own(node)
        return bool(own.strip()) and self.pattern.search(" ".join(own.split())) is not None

    def _store(self, label: str, value: str, strong: dict, weak: dict, cell: bool = False) -> None:
        fld, is_weak = self.field_of(label)
        if fld is None and cell:
            fld, is_weak = self.cell_fields.get(label_key(label)), False
        if fld != "title":  # a title may hold `某某 实施细则：试行`; the other fields hold no colon
            value = _UNKNOWN_LABEL.split(f" {value.strip()}", maxsplit=1)[0]
        value = value.strip().strip(":：|｜").strip()  # str.strip() also takes U+3000
        if fld is None or not value or (is_weak and fld in _SOURCE_ONLY):
            return
        keep_real(weak if is_weak else strong, {fld: value})

    def _read_runs(self, view: View, node: etree._Element, strong: dict, weak: dict) -> None:
        """Split a block's text at every `LABEL：`; a block that is only a label takes the next cell."""
        text = view.text(node)
        if not text:
            return
        matches = list(self.pattern.finditer(text))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[match.end() : end]
            if not value.strip() and node.tag in ("td", "th"):
                value = _next_cell_text(view, node)
            self._store(_label_of(match), value, strong, weak)
        if not matches and node.tag in ("td", "th") and len(text) <= _LABEL_MAX:
            value = _next_cell_text(view, node)
            labelled = self.field_of(text)[0] or self.cell_fields.get(label_key(text))
            if labelled and not self.is_label(value):
                self._store(text, value, strong, weak, cell=True)

    def _read_label_tag(self, view: View, node: etree._Element, strong: dict, weak: dict) -> None:
        """`<b>L：</b>V` and `<label>L</label><span>V</span>`: the value follows the label tag."""
        text = view.short(node)
        if not text or len(text) > _LABEL_MAX + 1:
            return
        if self.field_of(text)[0] is None:
            self._read_cell_label(view, node, text, strong, weak)
            return
        parts: list[str] = []
        for sibling in view.siblings(node):
            if isinstance(sibling, str):
                parts.append(sibling)
                continue
            if sibling.tag in _VALUE_ENDS:
                break  # an empty value: what follows belongs to another block
            sibling_text = view.short(sibling, _VALUE_MAX_NODES)
            if sibling_text is None or self.pattern.match(sibling_text):
                break  # a whole section, or another label: not this label's value
            if sibling.tag in LABEL_TAGS and self.is_label(sibling_text):
                break
            parts.append(sibling_text)
        value = " ".join(" ".join(parts).split())
        parent = view.parent(node)
        if not value.strip(" :：") and parent is not None and parent.tag in ("td", "th"):
            value = _next_cell_text(view, parent)
            if self.is_label(value):
                return
        self._store(text, value, strong, weak)

    def _read_cell_label(self, view: View, node: etree._Element, text: str, strong: dict, weak: dict) -> None:
        """A cell label's tag (`<td><span>主办单位:</span></td><td>V</td>`): read when it is
        its cell's whole text, the value the next cell's."""
        parent = view.parent(node)
        if self.cell_fields.get(label_key(text)) is None or parent is None or parent.tag not in ("td", "th"):
            return
        if view.text(parent) != text:
            return
        value = _next_cell_text(view, parent)
        if not self.is_label(value):
            self._store(text, value, strong, weak, cell=True)


def keep_real(fields: dict[str, str], found: Mapping[str, str]) -> None:
    """Add `found` to `fields` where each says something: a field takes a value when it has
    none or only one that says nothing (`-`, 无, `/`: a hidden template's placeholder, a
    box's empty cell), and a value that says nothing never replaces one that does; between
    two real values the first stays."""
    for name, value in found.items():
        current = fields.get(name)
        if current is None or (is_empty_value(current) and not is_empty_value(value)):
            fields[name] = value


@lru_cache(maxsize=64)
def label_reader(extra: tuple[tuple[str, str], ...] = ()) -> LabelReader:
    """One compiled reader per set of a portal's extra labels."""
    return LabelReader(dict(extra))


def _next_cell_text(view: View, cell: etree._Element) -> str:
    """The text of the table cell after `cell` (label cell -> value cell)."""
    for sibling in view.siblings(cell):
        if not isinstance(sibling, str) and sibling.tag in ("td", "th"):
            return view.text(sibling)
    return ""
