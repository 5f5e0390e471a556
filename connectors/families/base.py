"""What every platform family returns, and the checks and helpers the families share.

Families are pure functions of decoded text and a URL: no I/O, no clock. Everything a portal
sends is hostile, so every helper here is total: it returns None or raises a `PageError`
with a reason, never an exception from deep inside a parser.

The checks for stubs and WAF challenge pages live in `checks` and are re-exported here, so
families import every shared helper from this one module.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import Tag

from connectors.errors import LayoutChanged
from connectors.families.checks import MAX_UNREADABLE_SHARE as MAX_UNREADABLE_SHARE
from connectors.families.checks import STUB_BYTES as STUB_BYTES
from connectors.families.checks import challenge_reason as challenge_reason
from connectors.families.checks import check_stub as check_stub
from connectors.families.checks import check_unreadable_share as check_unreadable_share
from connectors.families.checks import cut_regions as cut_regions
from connectors.families.checks import overview_reason as overview_reason
from connectors.families.checks import unreadable as unreadable
from connectors.families.checks import unreadable_summary as unreadable_summary
from connectors.normalize import canonical_url, parse_date
from connectors.records import Request

#: Elements nested deeper than this are refused: templates nest a few dozen levels, and
#: libxml2 itself stops XML at 256 (its HTML parser has no such limit). Bounding the depth
#: bounds every walk up an element's ancestors.
MAX_DEPTH = 256

#: Pages of more elements than this are refused: real catalog pages hold a few hundred, and
#: each element costs bs4 tens of microseconds to build and the readers more to walk, so a
#: page within the body cap made of nothing but tags would take minutes (docs/reliability.md).
MAX_ELEMENTS = 50_000

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".wps", ".ofd")


@dataclass(frozen=True)
class RawRow:
    """One listing row as printed: its detail URL, the platform's item key, raw field texts."""

    url: str
    item_key: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnreadableRow:
    """A listing row the reader saw but could not read: why (`no link`, `no date`,
    `no title`) and the start of its text, so the run can say what it skipped."""

    reason: str
    text: str = ""


def unreadable_row(reason: str, text: str) -> UnreadableRow:
    """An `UnreadableRow` with its text cut to what a person needs to find it again."""
    return UnreadableRow(reason, text[:80])


def split_rows(read: Iterable[RawRow | UnreadableRow]) -> tuple[list[RawRow], tuple[UnreadableRow, ...]]:
    """(rows, unreadable rows) of a page's items read one by one, each in page order."""
    items = list(read)
    return [r for r in items if isinstance(r, RawRow)], tuple(r for r in items if isinstance(r, UnreadableRow))


@dataclass(frozen=True)
class ListingPage:
    """One listing page (or data-proxy group): its rows and where the listing goes next."""

    rows: list[RawRow]
    page_count: int | None = None  # pages the portal says the listing has
    advertised_total: int | None = None  # items the portal says the listing has
    next_request: Request | None = None  # None on the last page
    #: A page without rows by design (gkmlpt's index page, an empty category): the walk goes
    #: on to `next_request` without counting it as a page of the listing.
    passing: bool = False
    #: Where the walk goes on when the rest of this listing is known already (incremental
    #: mode) or loops: the next category of a walk over several; None ends the walk.
    resume: Request | None = None
    #: Items the category this page lists says it holds, in a walk over several (gkmlpt's
    #: `post_count`): the run judges a category a stub cuts short by it, never the listing by
    #: it (categories overlap, and real sites count more than they serve; docs/platforms.md).
    category_total: int | None = None
    #: Rows of the listing that could not be read, each with its reason: counted on the
    #: run and judged by the crawl (a page with too many is a changed layout), never
    #: dropped unseen (docs/reliability.md, "Rows that cannot be read").
    unreadable_rows: tuple[UnreadableRow, ...] = ()


@dataclass(frozen=True)
class RawDetail:
    """A detail page's label/value metadata (raw texts), whether it has body text, attachments."""

    fields: dict[str, str]
    has_body: bool
    attachments: tuple[str, ...] = ()


class _DepthBoundBuilder(LXMLTreeBuilder):
    """The lxml HTML builder, stopping with `LayoutChanged` at the first element nested
    deeper than `MAX_DEPTH` (a page of ten thousand unclosed `<span>`s is refused as soon
    as it is seen, instead of costing quadratic time in every walk over it), and at the
    element past `MAX_ELEMENTS`."""

    _depth = 0
    _elements = 0

    def feed(self, markup) -> None:  # noqa: ANN001 - bs4's own signature
        self._depth = self._elements = 0
        super().feed(markup)

    def start(self, tag, attrib, nsmap=None) -> None:  # noqa: ANN001
        self._depth += 1
        self._elements += 1
        if self._depth > MAX_DEPTH:
            raise LayoutChanged(f"elements nested more than {MAX_DEPTH} deep: not a page a template renders; refused")
        if self._elements > MAX_ELEMENTS:
            raise LayoutChanged(f"more than {MAX_ELEMENTS} elements: not a page a template renders; refused")
        if nsmap or len(self.nsmaps) > 1 or _namespaced(tag, attrib):
            super().start(tag, attrib, nsmap or {})
            return
        # What bs4's own start does for a tag with no namespace in play, without its
        # per-attribute namespace lookups (a third of the cost of building a page).
        attrs = self.attribute_dict_class(attrib)
        self.soup.handle_starttag(tag, None, None, attrs, namespaces=self.active_namespace_prefixes[-1])

    def end(self, name) -> None:  # noqa: ANN001
        self._depth -= 1
        if len(self.nsmaps) > 1 or name[:1] == "{":
            super().end(name)
            return
        self.soup.endData()
        self.soup.handle_endtag(name, None)


def _namespaced(tag: str, attrib: dict) -> bool:
    """Whether lxml names the tag or an attribute with a namespace (`{uri}name`)."""
    # A brace anywhere in a name takes bs4's own path, which is exact; one join per element
    # is cheaper than a generator over the attributes of every element of every page.
    return tag[:1] == "{" or "{" in "".join(attrib)


def soup(text: str) -> BeautifulSoup:
    """Parse HTML with the lxml builder (the one HTML parser of the connectors).

    The text is never cut with regular expressions first: a `<select` or `<!--` inside a
    hostile title attribute would make such a cut swallow the rows after it. Raises
    `LayoutChanged` for elements nested deeper than `MAX_DEPTH`.
    """
    text = without_surrogates(text)  # lxml cannot encode them
    with warnings.catch_warnings():
        # a portal's text that looks like a URL or like XML is still a page to read
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(text, builder=_DepthBoundBuilder())


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """`text` with lone surrogates, which no encoder accepts, as U+FFFD. No decoder makes
    them, but a JSON escape does (`"\\ud800"`)."""
    return _SURROGATE.sub("\ufffd", text)


_SMALL_INT = re.compile(r"[0-9]{1,15}")


def small_int(digits: str) -> int | None:
    """The number `digits` writes in ASCII digits (a page count, a total), or None when it is
    not one or is longer than any real count (Python refuses to read 4,300 digits at all)."""
    return int(digits) if _SMALL_INT.fullmatch(digits) else None


def tags(node: Tag, names: frozenset[str] | None = None) -> Iterator[Tag]:
    """The elements under `node` in document order, only those named in `names` if given.

    Used instead of `find_all`, which builds a matcher object on every call: on catalog pages
    that cost more than parsing itself.
    """
    for child in node.descendants:
        if isinstance(child, Tag) and (names is None or child.name in names):
            yield child


def first(node: Tag, names: frozenset[str], attr: str | None = None) -> Tag | None:
    """The first element under `node` named in `names` (having attribute `attr`, if given)."""
    for child in tags(node, names):
        if attr is None or child.get(attr) is not None:
            return child
    return None


def has_ancestor(node: Tag, names: frozenset[str], stop: Tag | None = None) -> bool:
    """True when an element named in `names` encloses `node` (below `stop`, if given)."""
    for parent in node.parents:
        if parent is stop:
            return False
        if parent.name in names:
            return True
    return False


_HTML_SPACE = re.compile(r"[ \t\r\n\f\xa0]+")


def text_of(node: Tag) -> str:
    """The text of an element as printed (comments excluded), HTML white space collapsed.

    Not NFKC'd: a raw value keeps the page's characters; normalization happens later.
    """
    return _HTML_SPACE.sub(" ", node.get_text(" ")).strip()


def short_text(node: Tag, max_nodes: int = 64) -> str | None:
    """`text_of(node)` for an element of at most `max_nodes` descendants, else None.

    For texts that matter only when short (a label, a header cell): reading the text of
    every element that encloses a large subtree would cost quadratic time on nested pages.
    """
    for count, _ in enumerate(node.descendants):
        if count >= max_nodes:
            return None
    return text_of(node)


#: The white space after the day belongs to the date only before a 日: a bare date's raw
#: value is the date as printed, not the line break and indent that follow it in the page.
_DATE_IN_TEXT = re.compile(r"(?<!\d)(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)(?:\s*日)?)")


def date_in_text(text: str) -> str | None:
    """The last calendar date printed in running text (`… [2012-03-05]`, `2012年3月5日`),
    or None: for rows that print their date bare, outside any element of its own."""
    for match in reversed(list(_DATE_IN_TEXT.finditer(text))):
        if parse_date(match.group(1))[0] is not None:
            return match.group(1)
    return None


def resolve_link(href: str | None, base: str) -> str | None:
    """A link's canonical absolute URL, or None when it leads nowhere (#, javascript:, mailto:)."""
    if not href or href.lstrip().startswith("#"):
        return None
    try:
        return canonical_url(href, base)
    except ValueError:
        return None


_TRS_KEY = re.compile(r"/(t\d{8}_\d+)\.[a-z]+$", re.I)
_HANWEB_KEY = re.compile(r"/(art_\d+_\d+)\.[a-z]+$", re.I)


def platform_key(url: str) -> str | None:
    """The CMS's own document key in a detail URL: TRS `t20120305_1352104`, Hanweb `art_12_34`."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    match = _TRS_KEY.search(path) or _HANWEB_KEY.search(path)
    return match.group(1) if match else None


def item_key_for(url: str) -> str:
    """The item key of a row: the platform's key when the URL has one, else the canonical URL."""
    return platform_key(url) or url


_FILE_PARAM = re.compile(r"(?:^|[?&])(?:file(?:name)?|path)=([^&#]+)", re.I)


def is_attachment(url: str) -> bool:
    """True for links to documents: by extension of the path, of a download script's
    `filename=` parameter (Hanweb `downfile.jsp`), or under an `/attach/` folder."""
    path, _, query = url.split("#", 1)[0].partition("?")
    path = path.lower()
    if path.endswith(ATTACHMENT_EXTENSIONS) or "/attach/" in path:
        return True
    named = _FILE_PARAM.search("?" + query)
    return bool(named and named.group(1).lower().endswith(ATTACHMENT_EXTENSIONS))
