"""The Fujian SSP search API: GET ?…&page=n&datas=k (n from 1), JSON with raw newlines;
detail pages are TRS pages on the same origin."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from html import escape

from sim.model import Doc, Row, mix
from sim.pages.base import Site
from sim.pages.common import body_html
from sim.pages.wire import Req, Response
from sim.shown import iso

SHANGHAI = timezone(timedelta(hours=8))


class SspSite(Site):
    """The Fujian SSP search API: GET ?…&page=n&datas=k (n from 1), JSON with raw newlines;
    detail pages are TRS pages on the same origin."""

    MAX_DATAS = 50

    def _detail_pattern(self) -> str:
        return r"/xxgk/zfxxgk/\d{6}/t\d{8}_(?P<id>\d+)\.htm"

    def entry_path(self) -> str:
        return (
            f"{self.portal.base}?siteId=8a28cde27b39c3a7017b4e11850d009c&apiName=SSP_OPENINFO"
            "&sortFiled=-pubdate&searchFiled=docTitle&isChange=1&fullKey=Y&isCollapse=N"
        )

    def params(self, req: Req) -> tuple[int, int]:
        """(page from 1, rows per page) of a search request; bad values raise ValueError."""
        page = int(req.query.get("page", "1"))
        datas = int(req.query.get("datas", "10"))
        if page < 1 or datas < 1:
            raise ValueError("page and datas start at 1")
        return page, min(datas, self.MAX_DATAS)

    def listing_page_of(self, req: Req) -> int | None:
        if req.path != self.portal.base:
            return None
        try:
            return self.params(req)[0] - 1
        except ValueError:
            return -1

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        try:
            _, datas = self.params(req)
        except ValueError:
            return self.json('{"error":true,"msg":"参数错误","datas":[]}')
        listing = self.listing(as_of)
        total = listing.natural_count()
        rows = listing.natural(content_page * datas, (content_page + 1) * datas)
        if not rows and total:
            return self.json(f'{{"error":true,"msg":"分页超出范围","total":{total},"datas":[]}}')
        items = ",".join(self.item(row, g, as_of) for row, g in rows)
        if self.layout_changed:
            return self.json(
                f'{{"code":200,"data":{{"count":{total},"list":[{items}]}}}}'.replace('"_doctitle"', '"t"').replace(
                    '"docpuburl"', '"u"'
                )
            )
        return self.json(f'{{"error":false,"total":{total},"page":{page + 1},"datas":[{items}]}}')

    def json(self, text: str) -> Response:
        return Response(200, text.encode(), "application/json;charset=UTF-8")

    def item(self, row: Row, g: int, as_of: date) -> str:
        doc = self.world.doc(g)
        written = doc.written
        if mix(doc.n, "reltime") % 3 == 0:
            moment = datetime(written.year, written.month, written.day, tzinfo=SHANGHAI)
            reltime = str(int(moment.timestamp() * 1000))
        else:
            reltime = json.dumps(f"{iso(written)} 00:00:00")
        minute = mix(doc.n, "minute") % 600
        content = (
            json.dumps(
                f"各有关单位：\n\t为认真贯彻落实上级有关部署，现就《{doc.title}》有关事项通知如下。\n",
                ensure_ascii=False,
            )
            .replace("\\n", "\n")
            .replace("\\t", "\t")
        )
        values = {
            "_doctitle": self.title(doc),
            "idxid": self.index_of(doc),
            "puborg": self.publisher_of(doc),
            "fileno": doc.doc_no or "",
            "pubdate": f"{iso(row.shown)} {8 + minute // 60:02d}:{minute % 60:02d}:00",
            "docpuburl": self.detail_url(doc, as_of),
            "chnlname": "政府信息公开目录",
            "siteName": self.portal.name,
        }
        fields = ",".join(f"{json.dumps(k)}:{json.dumps(v, ensure_ascii=False)}" for k, v in values.items())
        return f'{{{fields},"docreltime":{reltime},"doccontent":{content}}}'

    def detail_url(self, doc: Doc, as_of: date) -> str:
        """The absolute URL of the document's detail page (`docpuburl`): on this origin."""
        return self.origin + self.path_of(doc, False, as_of)

    def render_detail(self, doc: Doc) -> str:
        f = {k: escape(v) for k, v in self.fields(doc).items()}
        meta = (
            f'<meta name="ArticleTitle" content="{f["title"]}">\n'
            f'<meta name="PubDate" content="{f["published"]} 09:30">\n'
            f'<meta name="ContentSource" content="{f["publisher"]}">\n'
        )
        table = (
            '<div class="xxgk_detail"><table class="xxgk_table"><tbody>\n'
            f'<tr><td class="t">索引号：</td><td>{f["index_no"]}</td><td class="t">公文种类：</td>'
            f"<td>{f['genre']}</td></tr>\n"
            f'<tr><td class="t">发布机构：</td><td>{f["publisher"]}</td><td class="t">生成日期：</td>'
            f"<td>{f['written']}</td></tr>\n"
            f'<tr><td class="t">名　　称：</td><td colspan="3">{f["title"]}</td></tr>\n'
            f'<tr><td class="t">文　　号：</td><td>{f["doc_no"]}</td><td class="t">发布日期：</td>'
            f"<td>{f['published']}</td></tr>\n"
            f'<tr><td class="t">主题分类：</td><td>{f["topic"]}</td><td class="t">机构分类：</td>'
            f"<td>{f['function']}</td></tr>\n"
            f'<tr><td class="t">服务对象：</td><td>{f["audience"]}</td><td class="t">公开方式：</td>'
            f"<td>{f['disclosure']}</td></tr>\n</tbody></table></div>\n"
        )
        body = body_html(doc, self.publisher_of(doc), self.attachment_href(doc))
        return (
            f'{self.head(self.title(doc), meta)}<div class="main">{table}<div class="article">'
            f"<h1>{f['title']}</h1>{body}</div></div>{self.foot()}"
        )
