"""How a list page pages, as options: its next-page link (`next`), else the numbered pages it
links to (`pager = "index_{n}.html"`, `first_page` the lowest number linked), else a TRS-style
pager script (`createPageHTML(…, "index", "html")`: `index_1.html` follows the entry page;
`createPageHTML('page_div', …, "fg", "shtml", …)`: `fg_2.shtml` does).

A next link is one whose text is 下一页, 下页, `>` or next (trailing `>`/`»` allowed) and that
leads to another page of the same host. Numbered pages are files in the listing's own
folder, named like the entry page (`index_2.html` beside `index.html`), that are not rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.element import Tag

from connectors.families.base import resolve_link, tags, text_of
from connectors.families.generic.relative import valid_name
from connectors.families.page_script import create_page
from connectors.families.selected import select_one
from connectors.families.totals import live_parts
from connectors.normalize import canonical_url

_NEXT_WORDS = frozenset({"下一页", "下页", "下一頁", ">", "›", "next", "nextpage"})
_NUMBERED = re.compile(r"([A-Za-z][\w-]*?)_(\d{1,6})\.([A-Za-z]{2,5})")
_ENTRY_NAME = re.compile(r"([A-Za-z][\w-]*?)(?:_\d+)?\.[A-Za-z]{2,5}")  # index.html, index_3.html
_A = frozenset({"a"})


def propose_pager(doc: BeautifulSoup, text: str, url: str, rows: set[str | None]) -> dict[str, str]:
    """`{"next": css}`, `{"pager": template, "first_page": n}` or `{}` (a single page)."""
    link = _next_link(doc, url, rows)
    if link is not None:
        css = _link_selector(doc, link)
        if css:
            return {"next": css}
    numbered = _numbered(doc, url, rows)
    if numbered:
        return numbered
    # a call commented out still names the template's pages (its live pager is then `countPage`)
    call = create_page(live_parts(text)[0]) or create_page(text)
    if call is not None:
        return {"pager": f"{call.name}_{{n}}.{call.ext}", "first_page": str(call.second_suffix)}
    return {}


def _is_next(words: str) -> bool:
    flat = "".join(words.split()).lower()
    return flat in _NEXT_WORDS or flat.rstrip(">»›") in _NEXT_WORDS


def _next_link(doc: BeautifulSoup, url: str, rows: set[str | None]) -> Tag | None:
    """The first link named like a next-page link that leads to another page of this host."""
    here, host = canonical_url(url), urlsplit(url).netloc
    for link in tags(doc, _A):
        target = resolve_link(str(link.get("href") or ""), url)
        if (
            target
            and target != here
            and target not in rows
            and urlsplit(target).netloc == host
            and _is_next(text_of(link))
        ):
            return link
    return None


def _link_selector(doc: BeautifulSoup, link: Tag) -> str | None:
    """A selector whose first match on the page is `link`: by its class, by its container's
    class and its words, else by its words alone."""
    words = text_of(link)
    contains = f'a:-soup-contains-own("{words}")' if '"' not in words and "\\" not in words else None
    forms = [f"a.{c}" for c in link.get("class") or () if valid_name(c)]
    if contains:
        parent = link.find_parent(lambda node: any(valid_name(c) for c in node.get("class") or ()))
        if parent is not None:
            forms += [f"{parent.name}.{c} {contains}" for c in parent.get("class") or () if valid_name(c)]
        forms.append(contains)
    return next((css for css in forms if select_one(doc, css) is link), None)


def _numbered(doc: BeautifulSoup, url: str, rows: set[str | None]) -> dict[str, str]:
    """The template of the numbered pages linked from the page, named like the entry page
    when it has a name, with the lowest number linked as its first page."""
    folder = canonical_url(urljoin(url, "./"))
    entry = _ENTRY_NAME.fullmatch(urlsplit(url).path.rsplit("/", 1)[-1])
    numbers: dict[tuple[str, str], set[int]] = defaultdict(set)
    for link in tags(doc, _A):
        target = resolve_link(str(link.get("href") or ""), url)
        if not target or target in rows or not target.startswith(folder) or urlsplit(target).query:
            continue
        found = _NUMBERED.fullmatch(target[len(folder) :])
        if found and (entry is None or found.group(1) == entry.group(1)):
            numbers[(found.group(1), found.group(3))].add(int(found.group(2)))
    if not numbers:
        return {}
    (stem, ext), seen = max(numbers.items(), key=lambda item: len(item[1]))
    return {"pager": f"{stem}_{{n}}.{ext}", "first_page": str(min(seen))}
