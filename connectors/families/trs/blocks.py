"""Dated link rows (an `li`, or a `tr` of a table without a header row, holding an item link
and a date) and which block of them is the listing.

A catalog page holds more than its list: menus, a side box of other columns' news (with
dates too), "related reading" pop-ups inside each row. The list is chosen by what belongs to
it, not by size alone (docs/platforms.md, "Which block is the list"):

1. rows inside a known list container (`KNOWN_LIST_CLASSES`);
2. else the block the page's **pager** belongs to: the block whose container shares the
   deepest ancestor with a pager element (a `createPageHTML` script, a link to `index_N`,
   下一页/上一页/尾页, a `page`/`pager`/`fenye` box). A pager is printed beside the list it
   pages, so a side box in another column shares only the page's outer frame with it;
3. then the block with the most rows linking **into the listing's own folder** (the
   detail pages a TRS column lists live under it; a side box links to other columns);
4. then the block with the most rows; the first of equals in document order.

So a side box longer than the list (the last page of a listing is often short) does not
win. Within the chosen list, every sibling `li`/`tr` that is not a row is an unreadable row
with its reason (no link, no date, no title), so the crawl can count it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from connectors.families.base import RawRow, UnreadableRow, date_in_text, item_key_for, resolve_link, unreadable_row
from connectors.families.docno import with_doc_no
from connectors.families.rowtext import MORE_LINK, title_attribute, title_text
from connectors.families.rowtree import bare_strings, classes, elements, inside, parents_below
from connectors.families.tree import Texts
from connectors.normalize import reads_as_date

#: Classes of list containers (or rows) of known templates (docs/platforms.md, TRS): rows in
#: them win over any other dated list on the page.
KNOWN_LIST_CLASSES = frozenset({"gl_list", "zfxxgk_zdgkc", "list_base", "xxgk_gfxwjk-list-li"})
_A = frozenset({"a"})
_ROWS = frozenset({"li", "tr"})
_LISTS = frozenset({"table", "ul", "ol"})
#: Elements a row prints its date in, in two tiers: the last `span`/`b` whose whole text
#: reads as a date, else the last other holder's (`em`, `i`, `td` …), else a date in the
#: row's bare text (`… [2012-03-05]`). The tiers keep the raw value of the common templates.
DATE_HOLDERS = (
    frozenset({"span", "b"}),
    frozenset({"em", "i", "font", "strong", "small", "td", "p", "div", "label", "time"}),
)
#: What a pager's script calls.
PAGER_SCRIPT = "createPageHTML"
_PAGER_LINK = re.compile(r"(?:^|/)index_\d+\.s?html?(?:$|[?#])")
_PAGER_WORDS = frozenset({"下一页", "上一页", "尾页", "末页", "下页", "上页"})
_PAGER_CLASS = re.compile(
    r"^(?:pages?|pager|pagination|paging|fenye|pagebar)(?:[-_]?(?:box|bar|nav|list|wrap))?$", re.I
)


Element = etree._Element


@dataclass
class _Block:
    """The dated rows found under one page block (nearest div with a class or id)."""

    element: Element | None
    items: list[tuple[Element, RawRow]] = field(default_factory=list)
    in_folder: int = 0  # rows whose link lies under the listing page's folder


def li_rows(root: Element, base: str, texts: Texts) -> tuple[list[RawRow], list[UnreadableRow]]:
    """The listing's dated link rows and the unreadable rows beside them (`root`: the page's
    tree, `texts`: its texts)."""
    folder = urljoin(base, "./")
    known: list[tuple[Element, RawRow]] = []
    blocks: dict[Element | None, _Block] = {}
    places: dict[Element, tuple[Element | None, bool]] = {}
    pagers: list[Element] = []
    row_nodes: set[Element] = set()
    for node in root.iter(etree.Element):
        if node.tag in _ROWS:
            row = read_row(node, base, texts)
            # a dated row inside a row (its pop-up of related reading) is not the listing's
            if not isinstance(row, RawRow) or any(p in row_nodes for p in node.iterancestors()):
                continue
            row_nodes.add(node)
            element, in_known = _place_of(node, places)
            if in_known:
                known.append((node, row))
            block = blocks.setdefault(element, _Block(element))
            block.items.append((node, row))
            block.in_folder += row.url.startswith(folder)
        elif is_pager(node, texts):
            pagers.append(node)
    if known:
        items = known
    elif blocks:
        items = _list_block(list(blocks.values()), pagers).items
    else:
        return [], []
    return [row for _, row in items], _unreadable_siblings(items, base, texts)


def read_row(li: Element, base: str, texts: Texts) -> RawRow | str | None:
    """An `li` or `tr` as a row, or why it is not one (`no date`, `no link`, `no title`), or
    None when it holds neither text nor a link (a spacer), only a "more" link, or (a `tr`)
    a whole list or table of its own (a layout table's row is no listing row).

    Links and dates inside a nested list (a row's pop-up of related reading) are not the
    row's. Of several links (a `[栏目]` prefix before the title is common) the item is the
    one with a `title` attribute, else the one with the longest text.
    """
    if li.tag == "tr" and any(True for _ in elements(li, _LISTS)):
        return None
    date_node, date_text = _dated(li, texts)
    candidates: list[tuple[bool, int, str, Element]] = []
    more_only = True
    for link in elements(li, _A):
        if not link.get("href") or _nested(link, li) or (date_node is not None and inside(link, date_node)):
            continue
        text = texts.text(link)
        if MORE_LINK.match(text):
            continue
        more_only = False
        url = resolve_link(link.get("href"), base)
        if url is not None:
            candidates.append((bool(link.get("title")), len(text), url, link))
    if not candidates:
        if date_text is None and (more_only or not texts.text(li)):
            return None
        return "no link"
    if date_text is None:
        return "no date"
    _, _, url, link = max(candidates, key=lambda c: (c[0], c[1]))  # first of equals wins
    title = link_title(link, texts, date_node)
    if not title:
        return "no title"
    fields = with_doc_no({"title": title, "published_date": date_text})
    return RawRow(url=url, item_key=item_key_for(url), fields=fields)


def link_title(link: Element, texts: Texts, date_node: Element | None = None) -> str:
    """The title attribute (list text is often cut with "..."), else the link text without
    the row's date when the link holds it (`<a><span>标题</span><span>2026-09-21</span></a>`);
    trimmed of every kind of white space (U+3000 and no-break spaces too) and of the list's
    badges (`【置顶】`)."""
    title = title_attribute(link.get("title") or "")
    if title:
        return title_text(title)
    text = texts.text(link)
    if date_node is not None and inside(date_node, link):
        head, _, tail = text.rpartition(texts.text(date_node))
        text = f"{head.strip()} {tail.strip()}".strip()
    return title_text(text)


def _dated(li: Element, texts: Texts) -> tuple[Element | None, str | None]:
    """(element, text) of the last date holder in a row whose whole text reads as a date,
    else (None, a date in the row's own text outside its links), else (None, None)."""
    for holders in DATE_HOLDERS:
        for candidate in reversed(list(elements(li, holders))):
            if _nested(candidate, li):
                continue
            value = texts.text(candidate)
            if value and len(value) <= 40 and reads_as_date(value):
                return candidate, value
    return None, date_in_text(" ".join(bare_strings(li, texts)))


def _nested(node: Element, li: Element) -> bool:
    """True when `node` sits in a list (or table row) nested inside the row `li`."""
    return any(p.tag in _ROWS for p in parents_below(node, li))


def is_pager(node: Element, texts: Texts) -> bool:
    """A pager element: a link to another `index_N` page or named 下一页 …, a `createPageHTML`
    script, or a box classed as a pager."""
    if node.tag == "a":
        return pager_link(node.get("href") or "", lambda: texts.text(node))
    if node.tag == "script":
        return PAGER_SCRIPT in (node.text or "")
    return pager_class(classes(node))


def pager_link(href: str, text: Callable[[], str]) -> bool:
    """Whether a link with `href` (and `text()`, asked only when the href says nothing) is
    a pager's: to another `index_N` page, or named 下一页 …"""
    return bool(_PAGER_LINK.search(href)) or text() in _PAGER_WORDS


def pager_class(names: Iterable[str]) -> bool:
    """Whether an element of these class names is a pager's box."""
    return any(_PAGER_CLASS.match(c) for c in names)


def _place_of(li: Element, places: dict[Element, tuple[Element | None, bool]]) -> tuple[Element | None, bool]:
    """(the page block a row belongs to, whether it is in a known list container).

    The block is the nearest ancestor div with a class or id. `places` remembers the answer
    for every element climbed through, so each is climbed through once per page.
    """
    chain: list[Element] = []
    node: Element | None = li
    while node is not None and node not in places:
        chain.append(node)
        node = node.getparent()
    block, known = places[node] if node is not None else (None, False)
    for element in reversed(chain):  # from the outermost down to the row
        names = classes(element)
        known = known or bool(KNOWN_LIST_CLASSES.intersection(names))
        if element.tag == "div" and (names or element.get("id")):
            block = element
        places[element] = (block, known)
    return places[li]


def _list_block(blocks: list[_Block], pagers: list[Element]) -> _Block:
    """The block that is the listing (module docstring: pager, own folder, size)."""
    depths = [ancestor_depths(p) for p in pagers]

    def kinship(block: _Block) -> int:
        """Depth of the deepest ancestor the block's container shares with a pager."""
        if block.element is None or not depths:
            return 0
        chain = [block.element, *block.element.iterancestors()]
        return max((d.get(a, 0) for d in depths for a in chain), default=0)

    return max(blocks, key=lambda b: (kinship(b), b.in_folder, len(b.items)))  # first of equals


def ancestor_depths(node: Element) -> dict[Element, int]:
    """ancestor -> depth (the page's root is 1) of the pager element's ancestors."""
    chain = list(node.iterancestors())
    return {a: len(chain) - i for i, a in enumerate(chain)}


def _unreadable_siblings(items: list[tuple[Element, RawRow]], base: str, texts: Texts) -> list[UnreadableRow]:
    """The `li`s / `tr`s beside the rows (children of the same list) that are not rows, with why."""
    rows = {li for li, _ in items}
    parents = dict.fromkeys(parent for li, _ in items if (parent := li.getparent()) is not None)
    bad: list[UnreadableRow] = []
    for parent in parents:
        for child in parent.iterchildren(*_ROWS):
            if child not in rows:
                reason = read_row(child, base, texts)
                if isinstance(reason, str):
                    bad.append(unreadable_row(reason, texts.text(child)))
    return bad
