"""What the Guangdong world's portals show of a document beyond its ids and URLs
(`sim.guangdong`): its publisher, body and dates, and a plain page frame.

`PlainSite` is the little the loopback server asks of a site (routing, stub page, fault
switches) for the Guangdong world's families (sim.pages.gkmlpt, .govcn, .hanweb_xxgk,
.gd_trs).
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import escape

from sim.gd_annual import TYPES, report_body, report_file
from sim.gd_catalog import UNIT_BY_ID, GdDoc, detail_path, doc_number
from sim.guangdong import GuangdongWorld
from sim.model import Portal
from sim.pages.wire import Req, Response

#: The city gkmlpt links its articles on another host name of the same server (the way
#: gkmlpt API hosts link to the site's www host): `localhost` instead of `127.0.0.1`.
OTHER_HOST = ("127.0.0.1", "localhost")


def article_origin(portal_id: str, origin: str) -> str:
    """Where a portal's detail links point: the city gkmlpt's on its other host name."""
    return origin.replace(*OTHER_HOST) if portal_id == "gd-yh-gkmlpt" else origin


def publisher(doc: GdDoc) -> str:
    return UNIT_BY_ID[doc.unit_id].name


def cn(d: date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def body(doc: GdDoc) -> str:
    return (
        f"<p>各有关单位：</p><p>现将《{escape(doc.title)}》印发给你们，请认真贯彻执行。</p>"
        f'<p style="text-align:right">{escape(publisher(doc))}<br/>{cn(doc.written)}</p>'
    )


class PlainSite:
    """One portal of the Guangdong world: subclasses route listings and render pages."""

    def __init__(self, world: GuangdongWorld, portal: Portal, origin: str):
        self.world = world
        self.portal = portal
        self.origin = origin
        self.hostile = self.layout_changed = self.xxe = False  # fault switches (unused here)
        self.migrated_on = None
        self._detail = re.compile(self.detail_pattern())
        self._by_id = {doc_number(portal.id, d): d for d in world.docs if portal.id in d.portals}
        self._files = {
            self.attachment_path(d, kind): (d, kind)
            for d in world.docs
            if d.report and portal.id in d.portals
            for kind in TYPES
        }

    def attachment_path(self, doc: GdDoc, kind: str) -> str:
        """Where a report's file of `kind` (docx, pdf) is served: beside its detail page
        unless the family has its own shape."""
        return f"{detail_path(self.portal.id, doc).rsplit('.', 1)[0]}.{kind}"

    def attachment_href(self, doc: GdDoc, kind: str) -> str:
        """How the detail page links the file (root-relative unless the family links otherwise)."""
        return self.attachment_path(doc, kind)

    def body_of(self, doc: GdDoc) -> str:
        """The detail page's body: a report's links its files (sim.gd_annual)."""
        if doc.report:
            return report_body(doc, {kind: self.attachment_href(doc, kind) for kind in TYPES})
        return body(doc)

    def detail_pattern(self) -> str:
        raise NotImplementedError

    def entry_path(self) -> str:
        raise NotImplementedError

    def listing_page_of(self, req: Req) -> int | None:
        raise NotImplementedError

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        raise NotImplementedError

    def render_detail(self, doc: GdDoc) -> str:
        raise NotImplementedError

    def is_detail(self, path: str) -> bool:
        return bool(self._detail.fullmatch(path))

    def html(self, text: str, status: int = 200) -> Response:
        return Response(status, text.encode("utf-8"), "text/html; charset=UTF-8")

    def json(self, value: object) -> Response:
        return Response(200, json.dumps(value, ensure_ascii=False).encode(), "application/json;charset=UTF-8")

    def not_found(self) -> Response:
        return Response(
            404, b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
        )

    def stub(self) -> Response:
        return self.html("<html><body><!-- stub --></body></html>")

    def page(self, title: str, inner: str, extra_head: str = "") -> str:
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'{extra_head}</head><body><div class="header"><a href="/">{escape(self.portal.name)}'
            f'</a></div>\n{inner}\n<div class="footer">版权所有：{escape(self.portal.name)}</div>'
            "</body></html>\n"
        )

    def handle(self, req: Req, as_of: date) -> Response:
        page = self.listing_page_of(req)
        if page is not None:
            return self.render_listing(req, page, as_of, page)
        if req.path in self._files:
            return self.report_file(req.path, as_of)
        match = self._detail.fullmatch(req.path)
        doc = self._by_id.get(int(match.group("id"))) if match else None
        if doc is None or doc.published > as_of or detail_path(self.portal.id, doc) != req.path:
            return self.not_found()
        return self.html(self.render_detail(doc))

    def report_file(self, path: str, as_of: date) -> Response:
        """A report's DOCX or PDF, from its day on (404 without a CJK font for the PDF)."""
        doc, kind = self._files[path]
        data = report_file(self.world, doc, kind) if doc.published <= as_of else None
        return self.not_found() if data is None else Response(200, data, TYPES[kind])
