"""A TRS WCM catalog in the Guangdong world: a city department's own site re-publishing
its documents that the city gkmlpt lists too, in the templates of the Longyan TRS styles
(sim.pages.trs_lists, sim.pages.trs_boxes): `index.html`, `index_1.html` … (0-based, 404
past the last), rows linking `./YYYYMM/tYYYYMMDD_ID.html`, dates as its style prints them,
and a detail box carrying 索引号, 发布机构, 文号, 成文日期 and 发布日期.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

from sim.gd_catalog import GdDoc, detail_path, doc_number
from sim.pages.gd_shown import PlainSite, publisher
from sim.pages.trs_boxes import BOXES
from sim.pages.trs_lists import BODIES, ROWS, Item, Page
from sim.pages.wire import Req, Response
from sim.shown import DETAIL_DATE, LIST_DATE, cn


class GdTrsSite(PlainSite):
    """One TRS catalog of the Guangdong world (its style picks the row and box templates)."""

    def detail_pattern(self) -> str:
        return re.escape(self.portal.base) + r"\d{6}/t\d{8}_(?P<id>\d+)\.html"

    def entry_path(self) -> str:
        return f"{self.portal.base}index.html"

    def listing_page_of(self, req: Req) -> int | None:
        if not req.path.startswith(self.portal.base):
            return None
        name = req.path[len(self.portal.base) :]
        if name in ("", "index.html"):
            return 0
        m = re.fullmatch(r"index_([1-9]\d{0,6})\.html", name)
        return int(m.group(1)) if m else None

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        docs = self.world.listed(self.portal.id, as_of)
        per = self.portal.per_page
        count = max(1, -(-len(docs) // per))
        if page >= count:
            return self.not_found()
        rows = "".join(self.row_html(d) for d in docs[content_page * per : (content_page + 1) * per])
        block = BODIES[self.portal.style](Page(self.portal, rows, len(docs), page, count))
        return self.html(self.page(f"政府信息公开目录_{self.portal.name}", block))

    def row_html(self, doc: GdDoc) -> str:
        href = "./" + detail_path(self.portal.id, doc)[len(self.portal.base) :]
        item = Item(
            self.portal,
            doc,
            doc.title,
            escape(doc.title),
            escape(href),
            LIST_DATE[self.portal.style](doc.published),
            False,
        )
        return ROWS[self.portal.style](item)

    def fields(self, doc: GdDoc) -> dict[str, str]:
        """The detail box's values, escaped ('' where the document has none)."""
        shown = DETAIL_DATE[self.portal.style]
        values = {
            "index_no": doc.index_no,
            "publisher": publisher(doc),
            "title": doc.title,
            "doc_no": doc.doc_no or "",
            "topic": doc.topic,
            "function": "",
            "audience": "",
            "genre": doc.genre or "",
            "disclosure": "主动公开",
            "published": shown(doc.published),
            "written": shown(doc.written),
        }
        return {k: escape(v) for k, v in values.items()}

    def attachment_path(self, doc: GdDoc, kind: str) -> str:
        """TRS names a file P0YYYYMMDD… beside its detail page."""
        folder = detail_path(self.portal.id, doc).rsplit("/", 1)[0]
        return f"{folder}/{self.attachment_href(doc, kind)[2:]}"

    def attachment_href(self, doc: GdDoc, kind: str) -> str:
        d = doc.published
        return f"./P0{d.year}{d.month:02d}{d.day:02d}{doc_number(self.portal.id, doc):09d}.{kind}"

    def render_detail(self, doc: GdDoc) -> str:
        f = self.fields(doc)
        meta = (
            f'<meta name="ArticleTitle" content="{f["title"]}">'
            f'<meta name="PubDate" content="{cn(doc.published)}">'
            f'<meta name="ContentSource" content="{f["publisher"]}">'
        )
        return self.page(
            doc.title,
            f'<div class="container content">{BOXES[self.portal.style](f)}'
            f'<div class="article"><h1 class="title">{f["title"]}</h1>'
            f'<div class="TRS_Editor">{self.body_of(doc)}\n</div></div></div>',
            meta,
        )
