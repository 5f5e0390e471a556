"""A www.gov.cn-style central portal: the policy-library search API and two detail templates.

`GET /search-gov/data?t=zhengcelibrary&…&p=N&n=K` → `{"code":200,"searchVO":{"totalCount":0,
"catMap":{"gongwen":{…},"bumenfile":{…},"otherfile":{…}}}}`. Quirks: the top-level
`totalCount` is always 0; every fourth State Council document is in `otherfile` too (one
document, two categories); `pubtimeStr` is null after page 1 (`pubtime`, the same 发布日期 in
epoch ms, stays); `ptime` is the 成文日期 in epoch ms; past the last page `{"code":1001,…,"searchVO":null}`. State Council documents have the
国务院文件 `table.bd1` page, re-published city documents the 政策文件库 overview table.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from html import escape

from sim.gd_catalog import GOVCN_SUB, GdDoc, detail_path, doc_number
from sim.pages.gd_shown import PlainSite, body, cn, publisher
from sim.pages.wire import Req, Response

SHANGHAI = timezone(timedelta(hours=8))
CATS = ("gongwen", "bumenfile", "otherfile", "gongbao")


def childtype(doc: GdDoc) -> str:
    return f"{doc.topic}\\{GOVCN_SUB[doc.topic]}"


class GovcnSite(PlainSite):
    """The central portal's search API and detail pages."""

    def detail_pattern(self) -> str:
        return r"/zhengce/(?:content/\d{4}-\d{2}/\d{2}|zhengceku/\d{6})/content_(?P<id>\d+)\.htm"

    def entry_path(self) -> str:
        return (
            f"{self.portal.base}?t=zhengcelibrary&q=&timetype=timeqb&mintime=&maxtime="
            "&sort=pubtime&sortType=1&searchfield=title&puborg=&pcodeYear=&pcodeNum="
        )

    def listing_page_of(self, req: Req) -> int | None:
        if req.path != self.portal.base:
            return None
        page = req.query.get("p", "1")
        return int(page) - 1 if page.isdigit() and int(page) >= 1 else -1

    def categories(self, as_of: date) -> dict[str, list[GdDoc]]:
        docs = self.world.listed(self.portal.id, as_of)
        own = [d for d in docs if d.unit_id == "gwy-bgt"]
        return {
            "gongwen": own,
            "bumenfile": [d for d in docs if d.unit_id != "gwy-bgt"],
            "otherfile": own[::4],
            "gongbao": [],
        }

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        n = req.query.get("n", "20")
        per = min(int(n), 50) if n.isdigit() and int(n) > 0 else 20
        cats = self.categories(as_of)
        slices = {c: docs[content_page * per : (content_page + 1) * per] for c, docs in cats.items()}
        if content_page < 0 or not any(slices.values()):
            return self.json({"code": 1001, "msg": "抱歉，没有找到相关结果", "searchVO": None})
        cat_map = {
            c: {"totalCount": len(cats[c]), "listVO": [self.item(d, content_page) for d in s]}
            for c, s in slices.items()
        }
        return self.json({"code": 200, "msg": "操作成功", "searchVO": {"totalCount": 0, "catMap": cat_map}})

    def item(self, doc: GdDoc, page: int) -> dict:
        published = datetime.combine(doc.published, time(10), SHANGHAI)
        written = datetime.combine(doc.written, time(9), SHANGHAI)
        return {
            "id": doc_number(self.portal.id, doc),
            "title": doc.title,
            "url": self.origin + detail_path(self.portal.id, doc),
            "pcode": doc.doc_no or "",
            "puborg": publisher(doc),
            "index": doc.index_no,
            "childtype": childtype(doc),
            "pubtimeStr": None if page else doc.published.strftime("%Y.%m.%d"),
            "pubtime": int(published.timestamp() * 1000),
            "ptime": int(written.timestamp() * 1000),
            "summary": f"<em>{escape(doc.title[:8])}</em>……",
        }

    def render_detail(self, doc: GdDoc) -> str:
        if doc.unit_id == "gwy-bgt":
            return self.page(doc.title, self._bd1(doc))
        return self.page(
            doc.title,
            self._overview(doc),
            f'<meta name="firstpublishedtime" content="{doc.published.isoformat()}-10:00:00">',
        )

    def _bd1(self, doc: GdDoc) -> str:
        def pair(a, b):
            return f"<td><b>{a}</b></td><td>{escape(b)}</td>"

        rows = (
            pair("索 引 号：", doc.index_no) + pair("主题分类：", childtype(doc)),
            pair("发文机关：", publisher(doc)) + pair("成文日期：", cn(doc.written)),
            pair("标　　题：", doc.title),
            pair("发文字号：", doc.doc_no or "") + pair("发布日期：", cn(doc.published)),
            pair("主 题 词：", ""),
        )
        table = "".join(f"<tr>{r}</tr>" for r in rows)
        return (
            f'<div class="wrap"><table><tr><td><table class="bd1">{table}</table></td></tr>'
            f'</table><div id="UCAP-CONTENT">{body(doc)}</div></div>'
        )

    def _overview(self, doc: GdDoc) -> str:
        def pair(a, b):
            return f'<td class="title">{a}</td><td>{escape(b)}</td>'

        d = doc.written
        rows = (
            pair("标　　题：", doc.title) + pair("发文机关：", publisher(doc)),
            pair("发文字号：", doc.doc_no or "") + pair("来　　源：", publisher(doc)),
            pair("主题分类：", childtype(doc)) + pair("公文种类：", doc.genre or ""),
            pair("成文日期：", f"{d.year}年{d.month}月{d.day}日") + pair("发布日期：", cn(doc.published)),
        )
        table = "".join(f"<tr>{r}</tr>" for r in rows)
        return (
            f'<div class="policyLibraryOverview_header"><table>{table}</table></div>'
            f'<div class="pages_content">{body(doc)}</div>'
        )
