"""Hanweb jpaas columns: /col/colN/index.html with the first group of records embedded,
later groups from the data proxy (/module/web/jpage/dataproxy.jsp), art_ detail pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from urllib.parse import quote

from sim.model import Doc
from sim.pages.base import Site
from sim.pages.common import body_html
from sim.pages.wire import Req, Response
from sim.shown import (
    DETAIL_DATE,
    LIST_DATE,
    cut,
    doc_id,
    iso,
)


def _span_record(t: str, href: str, short: str, when: str) -> str:
    return f'<li><a href="{href}" title="{t}" target="_blank">{short}</a><span class="bt-data-time">{when}</span></li>'


def _b_record(t: str, href: str, short: str, when: str) -> str:
    return f'<li class="clearfix"><a target="_blank" href="{href}" title="{t}">{t}</a><b>{when}</b></li>'


def _gutted_record(t: str, href: str, short: str, when: str) -> str:
    return f'<div class="gl-item" data-url="{href}"><em>{t}</em><i>{when}</i></div>'


#: style -> one record's markup, from (escaped title, link, escaped cut title, date)
RECORDS: dict[str, Callable[[str, str, str, str], str]] = {
    "hanweb_span": _span_record,
    "hanweb_b": _b_record,
}

_EMPTY_STORE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n'
    "<totalrecord>0</totalrecord>\n<totalpage>0</totalpage>\n</datastore>\n"
)


class HanwebSite(Site):
    """Hanweb jpaas: /col/colN/index.html with an embedded first group, then POSTs to
    /module/web/jpage/dataproxy.jsp in groups of 45 (3 pages of 15)."""

    GROUP = 45
    PROXY = "/module/web/jpage/dataproxy.jsp"

    @property
    def unit_div(self) -> str:
        return str(self.portal.id_base // 1000 + 70000)

    @property
    def webid(self) -> str:
        return str(self.portal.id_base % 997)

    def per_page(self) -> int:
        return self.GROUP

    def _detail_pattern(self) -> str:
        return rf"/art/\d{{4}}/\d{{1,2}}/\d{{1,2}}/art_{self.portal.base}_(?P<id>\d+)\.html"

    def entry_path(self) -> str:
        return f"/col/col{self.portal.base}/index.html"

    def listing_page_of(self, req: Req) -> int | None:
        if req.path == self.entry_path():
            return 0
        if req.path != self.PROXY:
            return None
        params = {**req.query, **req.form}
        try:
            start = int(params.get("startrecord", "1"))
        except ValueError:
            start = 1
        return max(start - 1, 0) // self.GROUP

    def nextgroup(self) -> str:
        name = quote(quote(self.portal.name))
        return (
            f'<nextgroup><![CDATA[<a href="{self.PROXY}?page=1&webid={self.webid}&path=/&'
            f"columnid={self.portal.base}&unitid={self.unit_div}&webname={name}&"
            'permissiontype=0"></a>]]></nextgroup>\n'
        )

    def records(self, as_of: date, lo: int, hi: int) -> str:
        """The `<record>`s of natural rows lo..hi-1."""
        out = []
        for row, g in self.listing(as_of).natural(lo, hi):
            doc = self.world.doc(g)
            t = escape(self.title(doc))
            href = self.path_of(doc, False, as_of)
            when = LIST_DATE[self.portal.style](row.shown)
            record = _gutted_record if self.layout_changed else RECORDS[self.portal.style]
            item = record(t, href, escape(cut(self.title(doc), 30)), when)
            out.append(f"<record><![CDATA[\n{item}]]></record>\n")
        if self.xxe:
            out.insert(0, "<record>&xxe;</record>\n")
        return "".join(out)

    def doctype(self) -> str:
        return '<!DOCTYPE datastore [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n' if self.xxe else ""

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        total = self.listing(as_of).natural_count()
        if req.path == self.entry_path():
            return self.column_page(as_of, content_page, total)
        params = {**req.query, **req.form}
        if params.get("columnid") != self.portal.base:
            # A request without the column's form fields gets an empty store, as on real sites.
            return Response(200, _EMPTY_STORE.encode(), "text/xml;charset=UTF-8")
        try:
            start = max(int(params.get("startrecord", "1")), 1)
            end = int(params.get("endrecord", str(start + self.GROUP - 1)))
        except ValueError:
            return Response(400, b"bad request", "text/plain")
        if content_page != page:
            start, end = content_page * self.GROUP + 1, (content_page + 1) * self.GROUP
        records = self.records(as_of, start - 1, min(end, start + self.GROUP - 1))
        per = 15
        text = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n{self.doctype()}<datastore>\n'
            f"{self.nextgroup()}<recordset>\n{records}</recordset>\n"
            f"<totalrecord>{total}</totalrecord>\n<totalpage>{-(-total // per)}</totalpage>\n"
            "</datastore>\n"
        )
        return Response(200, text.encode(), "text/xml;charset=UTF-8")

    def column_page(self, as_of: date, group: int, total: int) -> Response:
        head = self.head(
            f"信息公开目录 {self.portal.name}",
            '<meta name="ColumnName" content="信息公开目录">\n'
            '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n'
            '<script type="text/javascript" src="/module/jslib/jpage/jpage.js"></script>\n',
        )
        store = (
            f'<div id="{self.unit_div}"><script type="text/xml">{self.doctype()}<datastore>\n'
            f"{self.nextgroup()}<recordset>\n"
            f"{self.records(as_of, group * self.GROUP, (group + 1) * self.GROUP)}</recordset>\n"
            "</datastore></script></div>\n"
        )
        script = (
            f"<script>$(document).ready(function(){{$('#{self.unit_div}').jpage({{dataStore: "
            f"$('#{self.unit_div} script[type=\"text/xml\"]').html(), perPage: 15, groupSize: 3,"
            f" totalRecord: {total}, proxyUrl: '{self.PROXY}', ajaxParam: {{col: 1, appid: 1, "
            f"webid: {self.webid}, path: '/', columnid: {self.portal.base}, sourceContentType: 1,"
            f" unitid: {self.unit_div}, webname: '{self.portal.name}', permissiontype: 0}}}});"
            "});</script>\n"
        )
        return self.html(f'{head}<div class="main"><div class="lm_list">{store}{script}</div></div>{self.foot()}')

    def render_detail(self, doc: Doc) -> str:
        f = {k: escape(v) for k, v in self.fields(doc).items()}
        combined = " ".join(x for x in (f["topic"], f["genre"]) if x)
        written = DETAIL_DATE[self.portal.style](doc.written)
        meta = (
            f'<meta name="ArticleTitle" content="{f["title"]}">\n'
            f'<meta name="PubDate" content="{iso(doc.published)} 09:30">\n'
            f'<meta name="ContentSource" content="{f["publisher"]}">\n'
        )
        table = (
            '<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0" border="1">\n'
            f'<tr><td class="label" width="12%">索 引 号</td><td width="38%">{f["index_no"]}</td>'
            f'<td class="label" width="12%">分 类</td><td>{combined}</td></tr>\n'
            f'<tr><td class="label">发布机构</td><td>{f["publisher"]}</td><td class="label">发文日期</td>'
            f"<td>{written}</td></tr>\n"
            f'<tr><td class="label">文 号</td><td>{f["doc_no"]}</td><td class="label">有 效 性</td>'
            "<td>有效</td></tr>\n</table>\n"
        )
        body = body_html(doc, self.publisher_of(doc), f"/attach/0/{doc_id(self.portal, doc.g):x}.doc")
        body = body.replace('<div class="TRS_Editor">', '<div id="zoom">', 1)
        info = (
            f'<div class="info">发布日期：{iso(doc.published)} &nbsp;&nbsp; 信息来源：'
            f"{f['publisher']} &nbsp;&nbsp; 浏览次数：<span>{doc.n % 500 + 12}</span></div>"
        )
        return (
            f'{self.head(self.title(doc), meta)}<div class="main">{table}<div class="title">'
            f"<h1>{f['title']}</h1></div>{info}{body}</div>{self.foot()}"
        )

    def stub(self) -> Response:
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n'
            "</datastore>\n<!-- stub -->"
        )
        return Response(200, (text + " " * (300 - len(text))).encode(), "text/xml;charset=UTF-8")
