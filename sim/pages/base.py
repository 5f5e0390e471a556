"""The pages every portal serves whatever its family: routing of listing, detail, home and
404 pages, the page frame, and the values a detail page shows. Each family's module
(sim.pages.trs, .hanweb, .ssp) subclasses `Site` with its own routes and templates."""

from __future__ import annotations

import re
from datetime import date
from html import escape

from sim.model import DUPLICATE_ID_OFFSET, Doc, Portal, Row
from sim.pages.common import HOSTILE_PREFIXES
from sim.pages.wire import Req, Response
from sim.shown import (
    DETAIL_DATE,
    MIGRATED_ID_BASE,
    detail_path,
    doc_id,
    index_spelling,
    migrated_column,
    publisher_spelling,
    shown_date,
)
from sim.world import Listing, World


class Site:
    """One portal's pages at a given `as_of`. Subclasses route and render their family."""

    #: Whether a listing page past the last one answers 404 (else the family renders it).
    past_last_page_is_404 = False

    def __init__(self, world: World, portal: Portal, origin: str):
        self.world = world
        self.portal = portal
        self.origin = origin
        self.hostile = False  # fault: hostile titles on listing and detail pages
        self.layout_changed = False  # fault: listing rows in a markup no parser knows
        self.xxe = False  # fault: XML external entity in data-proxy responses
        self.migrated_on: date | None = None  # the day of the CMS migration, if any
        self._listing_cache: dict[date, Listing] = {}
        self._detail_re = re.compile(self._detail_pattern())
        self._migrated_re = re.compile(
            rf"/art/\d{{4}}/\d{{1,2}}/\d{{1,2}}/art_"
            rf"{migrated_column(portal)}_(?P<id>\d+)\.html"
        )

    # -- shared pieces

    def listing(self, as_of: date) -> Listing:
        """The portal's rows on `as_of` (cached: the world does not change)."""
        got = self._listing_cache.get(as_of)
        if got is None:
            if len(self._listing_cache) > 16:
                self._listing_cache.clear()
            got = self._listing_cache[as_of] = self.world.listing(self.portal.id, as_of)
        return got

    def title(self, doc: Doc) -> str:
        """The title as served: hostile on every tenth document under the `hostile` fault."""
        if self.hostile and doc.n % 10 == 0:
            return HOSTILE_PREFIXES[(doc.n // 10) % 3] + doc.title
        return doc.title

    def encode(self, text: str) -> bytes:
        return text.encode(self.portal.encoding, errors="xmlcharrefreplace")

    def html(self, text: str, status: int = 200) -> Response:
        """An HTML response; county sites name no charset in the header (read the meta)."""
        ctype = "text/html" if self.portal.level == "county" else "text/html; charset=UTF-8"
        return Response(status, self.encode(text), ctype)

    def not_found(self) -> Response:
        return Response(
            404, b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
        )

    def page_count(self, as_of: date) -> int:
        """How many listing pages (or data-proxy groups) the portal serves on `as_of`."""
        listing = self.listing(as_of)
        per = self.per_page()
        return max(1, -(-listing.natural_count() // per))

    def per_page(self) -> int:
        return self.portal.per_page

    def page_rows(self, listing: Listing, page: int) -> list[tuple[Row, int, bool]]:
        """(row, g, pinned) on listing page `page` (the pinned row tops page 0)."""
        per = self.per_page()
        out = [(row, g, False) for row, g in listing.natural(page * per, (page + 1) * per)]
        if page == 0 and listing.pinned is not None:
            out.insert(0, (listing.pinned, listing.pinned.n, True))
        return out

    def migrated(self, as_of: date) -> bool:
        """Whether the portal serves its post-migration URLs on `as_of`."""
        return self.migrated_on is not None and as_of >= self.migrated_on

    def path_of(self, doc: Doc, duplicate: bool, as_of: date) -> str:
        """The detail path of a document as the portal links it on `as_of`."""
        return detail_path(self.portal, doc, duplicate, self.migrated(as_of))

    def is_detail(self, path: str) -> bool:
        """Whether `path` has the shape of a detail page (before or after a migration)."""
        return bool(self._detail_re.fullmatch(path) or self._migrated_re.fullmatch(path))

    def detail(self, path: str, as_of: date) -> Response | None:
        """The detail page at `path`, or None when the path is not a detail page of the
        portal's URL scheme on `as_of` (the scheme before or after its migration)."""
        migrated = self.migrated(as_of)
        m = (self._migrated_re if migrated else self._detail_re).fullmatch(path)
        if not m:
            return None
        ident = int(m.group("id")) - (MIGRATED_ID_BASE if migrated else self.portal.id_base)
        duplicate = ident >= DUPLICATE_ID_OFFSET
        g = ident - DUPLICATE_ID_OFFSET if duplicate else ident
        try:
            doc = self.world.doc(g)
        except (KeyError, IndexError):
            return self.not_found()
        shown = shown_date(doc, self.portal)
        if (
            g < 0
            or not self.world.lists(self.portal.id, doc)
            or self.path_of(doc, duplicate, as_of) != path
            or not self.world.visible(doc, shown, as_of)
        ):
            return self.not_found()
        return self.html(self.render_detail(doc))

    def head(self, title: str, extra: str = "") -> str:
        charset = "gb2312" if self.portal.encoding == "gbk" else "utf-8"
        return (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f'<meta name="SiteName" content="{escape(self.portal.name)}">\n'
            f'<meta name="SiteIDCode" content="{self.portal.region}0{self.portal.id_base % 1000:03d}">\n'
            f"{extra}<title>{escape(title)}</title>\n"
            '<link rel="stylesheet" type="text/css" href="/images/style.css"></head>\n<body>\n'
            '<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png"></a></div>'
            '<ul class="nav"><li><a href="/">网站首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
            '<li><a href="/bsfw/">网上办事</a></li><li><a href="/hdjl/">互动交流</a></li>'
            '<li><a href="/ztzl/">专题专栏</a></li></ul></div>\n'
        )

    def foot(self) -> str:
        return (
            f'<div class="footer"><p>版权所有：{escape(self.portal.name)} &nbsp; '
            '闽ICP备05006789号</p><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a>'
            "</p></div>\n</body></html>\n"
        )

    def date_shown(self, doc: Doc) -> date:
        """The published date the portal prints for `doc` (a profile may print another)."""
        return shown_date(doc, self.portal)

    def index_of(self, doc: Doc) -> str:
        """The index number as the portal prints it."""
        return index_spelling(doc, self.portal)

    def publisher_of(self, doc: Doc) -> str:
        """The publisher as the portal prints it."""
        return publisher_spelling(doc, self.portal)

    def fields(self, doc: Doc) -> dict[str, str]:
        """The label values of a detail page ('' where the document has none)."""
        return {
            "index_no": self.index_of(doc),
            "publisher": self.publisher_of(doc),
            "title": self.title(doc),
            "doc_no": doc.doc_no or "",
            "topic": doc.topic or "",
            "function": doc.function or "",
            "audience": doc.audience or "",
            "genre": doc.genre or "",
            "disclosure": doc.disclosure,
            "published": DETAIL_DATE[self.portal.style](self.date_shown(doc)),
            "written": DETAIL_DATE[self.portal.style](doc.written),
        }

    def attachment_href(self, doc: Doc) -> str:
        d = shown_date(doc, self.portal)
        return f"./P0{d.year}{d.month:02d}{d.day:02d}{doc_id(self.portal, doc.g):09d}.doc"

    # -- to be provided per family

    def _detail_pattern(self) -> str:
        raise NotImplementedError

    def entry_path(self) -> str:
        raise NotImplementedError

    def listing_page_of(self, req: Req) -> int | None:
        """The 0-based listing page (group) number a request asks for, None if not a listing."""
        raise NotImplementedError

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        """Listing page `page` as asked by `req`, holding the rows of `content_page`."""
        raise NotImplementedError

    def render_detail(self, doc: Doc) -> str:
        raise NotImplementedError

    def stub(self) -> Response:
        """A deep stub page (about 300 bytes, no rows)."""
        text = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<title>信息公开</title></head><body><div class="list"><ul></ul></div>'
            '<div class="page"></div><!-- stub -->'
        )
        return Response(200, (text + " " * (292 - len(text.encode())) + "</body></html>").encode())

    def handle(self, req: Req, as_of: date) -> Response:
        """Route a request: a listing page, a detail page, the home page or 404."""
        page = self.listing_page_of(req)
        if page is not None:
            if self.past_last_page_is_404 and page >= self.page_count(as_of):
                return self.not_found()
            return self.render_listing(req, page, as_of, page)
        if req.path in ("/", "/index.html"):
            return self.html(
                f'{self.head(self.portal.name)}<div class="main"><a href="'
                f'{self.entry_path()}">政府信息公开目录</a></div>{self.foot()}'
            )
        from sim.annual.serve import attachment  # the reports' files (sim.annual); lazy: it reads the figures

        got = attachment(self, req.path, as_of) or self.detail(req.path, as_of)
        return got if got is not None else self.not_found()
