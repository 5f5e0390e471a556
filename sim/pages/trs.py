"""TRS WCM static catalogs: index.html, index_1.html … and ./YYYYMM/tYYYYMMDD_ID pages, in
seven listing styles (templates in sim.pages.trs_lists and sim.pages.trs_boxes)."""

from __future__ import annotations

import re
from datetime import date
from html import escape

from sim.model import Doc, Row
from sim.pages.base import Site
from sim.pages.common import body_html
from sim.pages.trs_boxes import BOXES
from sim.pages.trs_lists import BODIES, ROWS, Item, Page
from sim.pages.wire import Req, Response
from sim.shown import LIST_DATE, cn, doc_id

_COLUMN_META = '<meta name="ColumnName" content="政府信息公开目录">\n<meta name="ColumnType" content="信息公开">\n'
_SIDE = (
    '<div class="left"><ul class="menu"><li><a href="./">信息公开目录</a></li>'
    '<li><a href="../xxgkzn/">信息公开指南</a></li><li><a href="../xxgknb/">'
    '信息公开年报</a></li><li><a href="../ysqgk/">依申请公开</a></li></ul></div>\n'
)
_CRUMBS = (
    '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../">政务公开</a>'
    " &gt; <span>信息公开目录</span></div>\n"
)


class TrsSite(Site):
    """TRS WCM static catalogs: index.html, index_1.html … and ./YYYYMM/tYYYYMMDD_ID pages."""

    past_last_page_is_404 = True

    def _detail_pattern(self) -> str:
        return re.escape(self.portal.base) + r"\d{6}/t\d{8}_(?P<id>\d+)\." + re.escape(self.portal.ext)

    def entry_path(self) -> str:
        return f"{self.portal.base}index.{self.portal.ext}"

    def listing_page_of(self, req: Req) -> int | None:
        base, ext = self.portal.base, self.portal.ext
        if not req.path.startswith(base):
            return None
        name = req.path[len(base) :]
        if name in ("", f"index.{ext}"):
            return 0
        m = re.fullmatch(r"index_([1-9]\d{0,6})\." + re.escape(ext), name)
        return int(m.group(1)) if m else None

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        listing = self.listing(as_of)
        count = self.page_count(as_of)
        items = self.page_rows(listing, content_page)
        if self.layout_changed:
            rows = "".join(self.gutted_row(row, g, as_of) for row, g, _ in items)
        else:
            rows = "".join(self.row_html(row, g, pinned, as_of) for row, g, pinned in items)
        body = BODIES[self.portal.style](Page(self.portal, rows, len(listing), content_page, count))
        head = self.head(f"政府信息公开目录_{self.portal.name}", _COLUMN_META)
        return self.html(f'{head}{_CRUMBS}{self.side_html(as_of)}<div class="right">{body}</div>{self.foot()}')

    def side_html(self, as_of: date) -> str:
        """The column menu beside the list (a profile may add boxes of its own)."""
        return _SIDE

    def href(self, row: Row, doc: Doc, as_of: date) -> str:
        """The row's link: relative to the listing page, or from the root after a migration."""
        path = self.path_of(doc, row.duplicate, as_of)
        if path.startswith(self.portal.base):
            return "./" + path[len(self.portal.base) :]
        return path

    def row_html(self, row: Row, g: int, pinned: bool, as_of: date) -> str:
        doc = self.world.doc(g)
        title = self.title(doc)
        when = LIST_DATE[self.portal.style](row.shown)
        item = Item(self.portal, doc, title, escape(title), escape(self.href(row, doc, as_of)), when, pinned)
        return ROWS[self.portal.style](item)

    def gutted_row(self, row: Row, g: int, as_of: date) -> str:
        """A row after a template change: no link element, no table, no list item."""
        doc = self.world.doc(g)
        href = self.href(row, doc, as_of)
        return (
            f'<div class="xxgk-item" data-id="{doc_id(self.portal, g)}" onclick="window.open('
            f"'{escape(href)}')\"><em>{escape(self.title(doc))}</em><i>{row.shown}</i></div>\n"
        )

    def render_detail(self, doc: Doc) -> str:
        f = {k: escape(v) for k, v in self.fields(doc).items()}
        meta = (
            f'<meta name="ArticleTitle" content="{f["title"]}">\n'
            f'<meta name="PubDate" content="{cn(self.date_shown(doc))}">\n'
            f'<meta name="ContentSource" content="{f["publisher"]}">\n'
        )
        box = BOXES[self.portal.style](f)
        body = body_html(doc, self.publisher_of(doc), self.attachment_href(doc))
        return (
            f'{self.head(self.title(doc), meta)}<div class="container content">{box}'
            f'<div class="article"><h1 class="title">{f["title"]}</h1>{body}</div></div>'
            f"{self.foot()}"
        )
