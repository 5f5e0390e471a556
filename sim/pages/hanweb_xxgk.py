"""Hanweb 信息公开 search: `POST /module/xxgk/search.jsp` (form `infotypeId`, `jdid`, `area`,
`currpage` …) answering an HTML table and `共N页`; details `/art/Y/M/D/art_2741_ID.html`
with the box `索 引 号 | 分 类 | 发布机构 | 发文日期 | 文 号 | 有 效 性`, where the 分 类 cell
holds the catalogue column, the 主题 and the 体裁. Quirk: a GET (no form) answers the
search page without results; past the last page the table is empty.
"""

from __future__ import annotations

from datetime import date
from html import escape

from sim.gd_catalog import GdDoc, detail_path
from sim.pages.gd_shown import PlainSite, publisher
from sim.pages.wire import Req, Response

SEARCH = "/module/xxgk/search.jsp"


class HanwebXxgkSite(PlainSite):
    """A district's 信息公开 search."""

    def detail_pattern(self) -> str:
        return r"/art/\d{4}/\d{1,2}/\d{1,2}/art_2741_(?P<id>\d+)\.html"

    def entry_path(self) -> str:
        return (
            f"{SEARCH}?infotypeId={self.portal.base}&jdid=2741&area=007003011&divid=div2741"
            "&vc_title=&vc_number=&vc_filenumber=&vc_all=&texttype=0&fbtime=-1"
            "&sortfield=createdatetime:0,orderid:0&standardXxgk=1"
        )

    def listing_page_of(self, req: Req) -> int | None:
        if req.path != SEARCH:
            return None
        page = (req.form or req.query).get("currpage", "1")
        return int(page) - 1 if page.isdigit() and int(page) >= 1 else -1

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        form = req.form if req.method == "POST" else {}
        docs = self.world.listed(self.portal.id, as_of) if form.get("infotypeId") else []
        per = self.portal.per_page
        pages = max(1, -(-len(docs) // per))
        shown = docs[content_page * per : (content_page + 1) * per] if content_page >= 0 else []
        rows = "".join(self.row(i + content_page * per, d) for i, d in enumerate(shown))
        table = (
            '<table class="xxgk_table" width="100%"><tr class="tr_main_title"><th>序号</th>'
            f"<th>信息名称</th><th>索引号</th><th>发布日期</th></tr>{rows}</table>"
        )
        pager = (
            f'<div class="page">&nbsp;&nbsp;共{len(docs)}条&nbsp;&nbsp;共{pages}页&nbsp;'
            f"&nbsp;当前第{content_page + 1}页</div>"
        )
        form_html = (
            '<form id="searchform" action="/module/xxgk/search.jsp" method="post">'
            f'<input type="hidden" name="infotypeId" value="{self.portal.base}">'
            '<input type="hidden" name="jdid" value="2741"><input type="hidden" name="currpage" value="1">'
            '<input name="vc_title"><input type="submit" value="检索"></form>'
        )
        return self.html(
            self.page(f"{self.portal.name} 信息公开目录", f'{form_html}<div id="div2741">{table}{pager}</div>')
        )

    def row(self, number: int, doc: GdDoc) -> str:
        cls = "tr_main_value_odd" if number % 2 == 0 else "tr_main_value_even"
        title = escape(doc.title)
        return (
            f'<tr class="{cls}"><td>{number + 1}</td><td><a class="bt_link" href="'
            f'{detail_path(self.portal.id, doc)}" title="{title}" target="_blank">{title}</a></td>'
            f"<td>{escape(doc.index_no)}</td><td>{doc.published.isoformat()}</td></tr>"
        )

    def render_detail(self, doc: GdDoc) -> str:
        classes = " ".join(["政策文件", doc.topic, *([doc.genre] if doc.genre else [])])
        cells = (
            ("索 引 号", doc.index_no, "分 类", classes),
            ("发布机构", publisher(doc), "发文日期", doc.written.isoformat()),
            ("文 号", doc.doc_no or "", "有 效 性", "废止" if doc.abolished else "有效"),
        )
        rows = "".join(
            f"<tr><td>{a}</td><td>{escape(b)}</td><td>{c}</td><td>{escape(d)}</td></tr>" for a, b, c, d in cells
        )
        meta = (
            f'<meta name="ArticleTitle" content="{escape(doc.title)}">'
            f'<meta name="PubDate" content="{doc.published.isoformat()} 10:00">'
        )
        return self.page(
            doc.title,
            f'<table class="xxgk_info">{rows}</table><h1>{escape(doc.title)}</h1><div id="zoom">{self.body_of(doc)}</div>',
            meta,
        )
