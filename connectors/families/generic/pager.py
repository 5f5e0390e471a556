"""Where a generic listing goes next: the page's own next-page link (`next`, a CSS selector),
or the URL template of its pages (`pager = "index_{n}.html"`, `first_page`).

Custom sites page like TRS: the entry page, then `index_1.html`, `index_2.html` … (some start
at `index_2.html`: `first_page = "2"`). The page number of a page is read from the URL asked
for, never counted along the walk, so a redirect or a resumed walk cannot shift it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from bs4.element import Tag

from connectors.families.base import resolve_link, tags
from connectors.families.selected import select_one
from connectors.normalize import canonical_url
from connectors.records import Request

PAGE_NUMBER = "{n}"
DEFAULT_FIRST_PAGE = 1
#: A page number past this in a pager template is no page a listing has.
MAX_PAGE_NUMBER = 1_000_000
_A = frozenset({"a"})


def template_problem(template: str) -> str | None:
    """Why `template` is no pager template (it must be a relative URL holding `{n}` once)."""
    rest = template.replace(PAGE_NUMBER, "")
    if template.count(PAGE_NUMBER) != 1 or "{" in rest or "}" in rest:
        return "must hold {n} exactly once and no other braces, e.g. 'index_{n}.html'"
    parts = urlsplit(template.replace(PAGE_NUMBER, "1"))
    if parts.scheme or parts.netloc or len(template) > 300:
        return "must be a URL relative to the listing page (no scheme or host), e.g. 'index_{n}.html'"
    return None


def first_page_problem(value: str) -> str | None:
    """Why `value` is no first page number (a whole number from 0)."""
    if not value.isascii() or not value.isdigit() or int(value) > MAX_PAGE_NUMBER:
        return f"must be a whole number from 0 to {MAX_PAGE_NUMBER}"
    return None


def next_request(doc: Tag, request: Request, options: Mapping[str, str], page_count: int | None) -> Request | None:
    """The next listing page, or None on the last (or only) page."""
    if options.get("next"):
        return _by_link(doc, request.url, options["next"])
    if options.get("pager"):
        return _by_template(doc, request.url, options, page_count)
    return None


def _by_link(doc: Tag, url: str, css: str) -> Request | None:
    """The page's next-page link; none (or one back to this page) ends the walk."""
    found = select_one(doc, css)
    if found is not None and found.name != "a":
        found = next((a for a in tags(found, _A) if a.get("href")), None)
    target = resolve_link(str(found.get("href") or ""), url) if found is not None else None
    if target is None or target == canonical_url(url):
        return None
    return Request(url=target)


def page_index(url: str, template: str, first_page: int) -> int:
    """The 0-based position of the page at `url` in the listing: 0 for the entry page (a URL
    the template does not name), 1 for the template's `first_page` …"""
    pattern = re.escape(template).replace(re.escape(PAGE_NUMBER), r"(\d{1,7})")
    # `index_{n}.html` names a whole file: not the end of `myindex_3.html`
    bounded = r"(?<![\w.-])" if template[:1].isalnum() else ""
    found = re.search(rf"{bounded}{pattern}$", url.split("#", 1)[0])
    return max(0, int(found.group(1)) - first_page + 1) if found else 0


def _by_template(doc: Tag, url: str, options: Mapping[str, str], page_count: int | None) -> Request | None:
    """The template's next page. With a page count the walk stops at its last page; without
    one it goes on only while the page links to the next page itself."""
    template = options["pager"]
    first = int(options.get("first_page") or DEFAULT_FIRST_PAGE)
    index = page_index(url, template, first)
    if page_count is not None and index + 1 >= page_count:
        return None
    target = canonical_url(urljoin(url, template.replace(PAGE_NUMBER, str(first + index))))
    if target == canonical_url(url):
        return None
    if page_count is None and not any(resolve_link(str(a.get("href") or ""), url) == target for a in tags(doc, _A)):
        return None
    return Request(url=target)
