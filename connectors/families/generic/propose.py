"""Selectors proposed for a list page no family knows (`portal probe`).

The listing is a group of like elements (same tag, same tags and classes above them) that
each hold exactly one content link (on any host: a site's own pages often link to its other
name; leading somewhere, not a "more" link) and a
date: the group the page's pager belongs to, else the largest. Menus hold links without
dates; side boxes of dated links are smaller or sit away from the pager; a row's pop-up of
related reading is a list nested in it, whose links are not the row's. The
row selector is the shortest one, anchored at a classed ancestor of the rows, that selects
them all and nothing else that holds a link or a date; title and date selectors are the
simplest that pick, in every row, its link and one of its date elements. The proposal is
then read with the selectors it proposes and given only when that reads the whole group.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from connectors.errors import PageError
from connectors.families.base import date_in_text, resolve_link, short_text, soup, tags, text_of
from connectors.families.generic.propose_pager import propose_pager
from connectors.families.generic.relative import anchor_forms, relative_selectors, valid_name
from connectors.families.rowtext import MORE_LINK, parents_below
from connectors.families.selected import select, select_rows
from connectors.families.trs.blocks import PAGER_SCRIPT, pager_class, pager_link
from connectors.http.charset import decode_body
from connectors.normalize import parse_date, reads_as_date

#: Fewer like rows than this are no listing (a side box, a pair of links).
MIN_ROWS = 3
#: A row's nested rows (its pop-up of related reading) hold links and dates of their own.
_ROW_BOUNDARY = frozenset({"li", "tr"})
_NOT_ROWS = frozenset({"a", "html", "head", "body", "script", "style", "title", "meta"})
_NO_TEXT = frozenset({"script", "style", "a"})
#: Pager elements looked at (a pager of numbered links holds a dozen).
_MAX_PAGERS = 64


@dataclass
class _Facts:
    """What one element holds, outside the rows nested in it: its distinct content links
    (two at most: more are as good as two), its date elements, a date in its bare text."""

    links: dict[str, Tag] = field(default_factory=dict)
    holders: list[Tag] = field(default_factory=list)
    bare: bool = False

    @property
    def dated(self) -> bool:
        return bool(self.holders) or self.bare


def propose_selectors(html: bytes, url: str) -> dict[str, str] | None:
    """`[portal.options]` for a generic portal whose entry page is `html` at `url`: `rows`,
    `title`, `date` when the rows print it in an element of its own, and `next` or `pager`
    (with `first_page`) when the page shows how it pages; None when no group of at least
    `MIN_ROWS` like rows is found."""
    text, _ = decode_body(html)
    try:
        doc = soup(text)
    except PageError:
        return None
    facts = _facts(doc, url)
    group = _main_group(doc, facts, [node for node in tags(doc) if is_pager(node)][:_MAX_PAGERS])
    if group is None:
        return None
    key = _key(group[0])
    rows_css = _row_selector(doc, group, key, facts)
    if rows_css is None:
        return None
    links = [next(iter(facts[id(row)].links.values())) for row in group]
    options = {"rows": rows_css, **_within_rows(group, links, facts)}
    options |= propose_pager(doc, text, url, {resolve_link(str(a["href"]), url) for a in links})
    return _checked(doc, url, options, links)


def _facts(doc: BeautifulSoup, url: str) -> dict[int, _Facts]:
    """id(element) -> its `_Facts`, in one pass from the leaves up."""
    facts: dict[int, _Facts] = {}
    for node in reversed(list(tags(doc))):
        own = _Facts()
        if node.name == "a":
            target = resolve_link(str(node.get("href") or ""), url)
            if target and not MORE_LINK.match(short_text(node) or ""):
                own.links[target] = node
        elif node.name not in _NOT_ROWS and _is_date(node):
            own.holders.append(node)
        for child in node.children:
            if type(child) is NavigableString:
                own.bare = own.bare or (node.name not in _NO_TEXT and date_in_text(str(child)) is not None)
            elif isinstance(child, Tag) and child.name not in _ROW_BOUNDARY:
                inner = facts[id(child)]
                for target, link in inner.links.items():
                    if len(own.links) >= 2:
                        break
                    own.links.setdefault(target, link)
                own.holders.extend(inner.holders[:8])
                own.bare = own.bare or (child.name != "a" and inner.bare)
        facts[id(node)] = own
    return facts


def is_pager(node: Tag) -> bool:
    """A pager element, by the TRS reader's marks (`trs.blocks.is_pager`), on a bs4 tree."""
    if node.name == "a":
        return pager_link(str(node.get("href") or ""), lambda: text_of(node))
    if node.name == "script":
        return PAGER_SCRIPT in node.get_text()
    return pager_class(node.get("class") or ())


def ancestor_depths(node: Tag) -> dict[int, int]:
    """id -> depth (the document is 0) of the pager element's ancestors."""
    chain = list(node.parents)
    return {id(a): len(chain) - i - 1 for i, a in enumerate(chain)}


def _is_date(node: Tag) -> bool:
    """Whether the element's whole (short) text reads as a date."""
    text = short_text(node, 16)
    return bool(text) and len(text) <= 40 and reads_as_date(text)


def _key(node: Tag) -> tuple:
    """Tag and classes of every element above `node`, then its tag: like rows share it."""
    above = tuple((p.name, tuple(sorted(p.get("class") or ()))) for p in reversed(list(node.parents)))
    return above, node.name


def _main_group(doc: BeautifulSoup, facts: dict[int, _Facts], pagers: list[Tag]) -> list[Tag] | None:
    """The group of like rows the page's pager belongs to (the one sharing the deepest
    ancestor with a pager element: a pager is printed beside the list it pages, a side box
    sits in another column), then the largest, then the outermost (a row's wrapper)."""
    groups: dict[tuple, list[Tag]] = {}
    for node in tags(doc):
        own = facts[id(node)]
        if node.name not in _NOT_ROWS and len(own.links) == 1 and own.dated:
            groups.setdefault(_key(node), []).append(node)
    depths = [ancestor_depths(pager) for pager in pagers]

    def kinship(group: list[Tag]) -> int:
        chain = [_common_ancestor(group), *_common_ancestor(group).parents]
        return max((d.get(id(a), 0) for d in depths for a in chain), default=0)

    big = [group for group in groups.values() if len(group) >= MIN_ROWS]
    return max(big, key=lambda g: (kinship(g), len(g), -len(_key(g[0])[0])), default=None)


def _row_selector(doc: BeautifulSoup, group: list[Tag], key: tuple, facts: dict[int, _Facts]) -> str | None:
    """The shortest selector, anchored at the nearest ancestor with a class or id, that
    selects every row and nothing else with a link or a date but rows of the same shape
    holding a date; failing that, one that also selects a few like elements with a link but
    no date (a row that lost its date, read as unreadable), at most one for five rows."""
    candidates = list(_row_candidates(group))
    for tolerance in (0, len(group) // 5):
        for css in candidates:
            if _fits(doc, css, group, key, facts, tolerance):
                return css
    return None


def _row_candidates(group: list[Tag]) -> Iterator[str]:
    """Row selectors from the nearest anchor outwards: `anchor row`, `anchor > … > row`, the
    row by its tag, by a class every row has, as an element without a class when no row has
    one (`div:not([class])`: the list's title bar and pager are classed divs too), or by the
    classes rows take in turn (`div:is(.odd, .even)`)."""
    name = group[0].name
    if not valid_name(name):
        return
    classes = [set(row.get("class") or ()) for row in group]
    common = set.intersection(*classes)
    row_forms = [name, *(f"{name}.{c}" for c in sorted(common) if valid_name(c))]
    if not any(classes):
        row_forms.append(f"{name}:not([class])")
    elif all(classes) and not common and all(valid_name(c) for c in set.union(*classes)):
        row_forms.append(f"{name}:is({', '.join('.' + c for c in sorted(set.union(*classes)))})")
    lca = _common_ancestor(group)
    for anchor in [lca, *lca.parents]:
        if anchor.name == "[document]":
            break
        below = [p.name for p in reversed(parents_below(group[0], anchor))]
        for anchor_css in anchor_forms(anchor):
            for row_css in row_forms:
                yield f"{anchor_css} {row_css}"
                if all(valid_name(step) for step in below):
                    yield " > ".join([anchor_css, *below, row_css])
    yield from _own_box_candidates(group[0], lca, row_forms)


def _own_box_candidates(row: Tag, lca: Tag, row_forms: list[str]) -> Iterator[str]:
    """Rows of several boxes of one template (`div.win2 > ul > li` twice, beside another box's
    `div.box > ul > li`) share no classed ancestor that holds only them: selectors anchored at
    a class each row's own ancestors have, below the rows' common ancestor (like rows share
    their ancestors' classes, `_key`)."""
    for step in reversed(parents_below(row, lca)):
        for name in sorted(step.get("class") or ()):
            if valid_name(step.name) and valid_name(name):
                for row_css in row_forms:
                    yield f"{step.name}.{name} {row_css}"


def _common_ancestor(group: list[Tag]) -> Tag:
    """The deepest element enclosing every row."""
    shared = [p for p in group[0].parents]
    for row in group[1:]:
        ancestors = {id(p) for p in row.parents}
        shared = [p for p in shared if id(p) in ancestors]
    return shared[0]


def _fits(doc: BeautifulSoup, css: str, group: list[Tag], key: tuple, facts: dict[int, _Facts], tolerance: int) -> bool:
    """Whether `css` selects every row of the group and, besides, only elements with neither
    a link nor a date (spacers, header rows, a "more" link), rows of the same shape with a
    date (a row with a second link), and at most `tolerance` of the same shape with a link
    but no date."""
    chosen = select(doc, css)
    ids = {id(node) for node in chosen}
    if not all(id(row) in ids for row in group):
        return False
    rows = {id(row) for row in group}
    doubtful = 0
    for node in chosen:
        own = facts[id(node)]
        if id(node) in rows or not (own.links or own.dated):
            continue
        if _key(node) != key:
            return False
        doubtful += not own.dated
    return doubtful <= tolerance


def _within_rows(group: list[Tag], links: list[Tag], facts: dict[int, _Facts]) -> dict[str, str]:
    """`title` (the link) and `date` (one of each row's date elements) selectors that hold in
    every row; no `date` when the rows print it bare (the reader finds it in the text)."""
    options: dict[str, str] = {}
    title = relative_selectors(group, [[link] for link in links], links[0])
    if title:
        options["title"] = title
    holders = [facts[id(row)].holders for row in group]
    # rows that print their date twice (`11-09` beside `2023-11-09`, one shown by the style
    # sheet): a selector must land on a date with its year whenever every row has one
    dated = [[holder for holder in row if parse_date(text_of(holder))[0] is not None] for row in holders]
    if all(dated):
        holders = dated
    for target in reversed(holders[0]):
        date = relative_selectors(group, holders, target)
        if date:
            options["date"] = date
            break
    return options


def _checked(doc: BeautifulSoup, url: str, options: dict[str, str], links: list[Tag]) -> dict[str, str] | None:
    """The options when reading the page with them gives every row of the group (with its
    link, a title and a date), else the same without the `date` selector, else None."""
    wanted = {resolve_link(str(a["href"]), url) for a in links}
    for attempt in (options, {k: v for k, v in options.items() if k != "date"}):
        rows, _ = select_rows(doc, url, attempt)
        if wanted <= {row.url for row in rows}:
            return attempt
    return None
