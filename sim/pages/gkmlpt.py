"""Guangdong gkmlpt: `/gkmlpt/index` with `window._CONFIG` (SID, TREE), the JSON API
`/gkmlpt/api/all/{cat}?page=N&sid=SID` (pages from 1; page 0 answers what page 1 does, as on
real sites) and content pages
`/gkmlpt/content/A/B/post_ID.html`.

Quirks (docs/sim.md, the Guangdong world): category 20 lists the documents of its two
children as well (an article in two categories); category 40 is empty; category 50's
`post_count` claims more articles than it serves; category 60 is a `jump_url` link; some
articles are abolished (`is_abolished: 1`); the city portal links its articles on another
host name than the API's.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from html import escape

from sim.gd_catalog import CITY_TREE, COUNTY_TREE, STALE_POSTS, GdDoc, detail_path, doc_number
from sim.pages.gd_shown import PlainSite, article_origin, cn, publisher
from sim.pages.wire import Req, Response

SID = "2"
SHANGHAI = timezone(timedelta(hours=8))
_API = re.compile(r"/gkmlpt/api/all/(\d+)")


def epoch(day: date, hour: int = 0) -> int:
    return int(datetime.combine(day, time(hour), SHANGHAI).timestamp())


class GkmlptSite(PlainSite):
    """A gkmlpt portal: the city's (tree CITY_TREE) or the county's (COUNTY_TREE)."""

    def tree(self) -> tuple:
        return CITY_TREE if self.portal.base == "city" else COUNTY_TREE

    def detail_pattern(self) -> str:
        return r"/gkmlpt/content/\d+/\d+/post_(?P<id>\d+)\.html"

    def entry_path(self) -> str:
        return "/gkmlpt/index"

    def listing_page_of(self, req: Req) -> int | None:
        if req.path == "/gkmlpt/index":
            return 0
        if _API.fullmatch(req.path):
            page = req.query.get("page", "1")
            return max(int(page), 1) - 1 if page.isdigit() else -1  # page 0 answers what page 1 does
        return None

    def category_docs(self, cat: int, as_of: date) -> list[GdDoc]:
        """What `/api/all/{cat}` lists: the category's documents and its children's."""
        members = {cat} | {c for c_id, _, kids, _ in self.tree() if c_id == cat for c, _ in kids}
        return [d for d in self.world.listed(self.portal.id, as_of) if d.column in members]

    def post_count(self, cat: int, as_of: date) -> int:
        served = len(self.category_docs(cat, as_of))
        return served + STALE_POSTS if cat == 50 and served else served

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        if req.path == "/gkmlpt/index":
            return self.html(self.index(as_of))
        cat = int(_API.fullmatch(req.path).group(1))
        names = {c: n for c, n, kids, _ in self.tree() for c, n in ((c, n), *kids)}
        if req.query.get("sid") != SID or cat not in names or content_page < 0:
            return self.json({"code": 400, "msg": "参数错误"})
        docs = self.category_docs(cat, as_of)
        per = self.portal.per_page
        count = self.post_count(cat, as_of)
        return self.json(
            {
                "total": count,
                "classify": {"id": cat, "name": names[cat], "post_count": count},
                "articles": [self.article(d, names) for d in docs[content_page * per : (content_page + 1) * per]],
            }
        )

    def index(self, as_of: date) -> str:
        nodes = []
        for cat, name, kids, jump in self.tree():
            children = [{"id": c, "name": n, "post_count": self.post_count(c, as_of), "children": []} for c, n in kids]
            node = {
                "id": cat,
                "name": name,
                "post_count": 0 if jump else self.post_count(cat, as_of),
                "children": children,
            }
            if jump:
                node["jump_url"] = jump
            nodes.append(node)
        config = (
            f"window._CONFIG = {{\n  SID: '{SID}',\n  SITE_NAME: {json.dumps(self.portal.name, ensure_ascii=False)},\n"
            f"  TREE: {json.dumps(nodes, ensure_ascii=False)},\n  SERVICE_AREA_ID: 1\n}};"
        )
        return self.page(
            f"{self.portal.name} 政府信息公开目录",
            '<div id="app"></div>\n<script src="/gkmlpt/static/js/app.js"></script>',
            f"<script>{config}</script>",
        )

    def article(self, doc: GdDoc, names: dict[int, str]) -> dict:
        ident = doc_number(self.portal.id, doc)
        url = article_origin(self.portal.id, self.origin) + detail_path(self.portal.id, doc)
        return {
            "id": ident,
            "title": doc.title,
            "identifier": doc.index_no,
            "document_number": doc.doc_no or "",
            "publisher": publisher(doc),
            "keywords": "",
            "date": epoch(doc.written),
            "created_at": f"{doc.published.isoformat()} 09:00:00",
            "display_publish_time": epoch(doc.published, 9),
            "abstract": "",
            "classify_main": doc.column,
            "classify_main_name": names.get(doc.column, ""),
            "classify_theme_name": doc.topic,
            "classify_genre_name": doc.genre or "",
            "url": url,
            "post_url": detail_path(self.portal.id, doc),
            "is_expired": 0,
            "is_abolished": 1 if doc.abolished else 0,
            "attachment": [],
        }

    def attachment_path(self, doc: GdDoc, kind: str) -> str:
        """gkmlpt serves a post's files under `/attachment/0/A/B/`."""
        ident = doc_number(self.portal.id, doc)
        return f"/attachment/0/{ident // 1000}/{ident}/{ident}.{kind}"

    def render_detail(self, doc: GdDoc) -> str:
        cells = (
            ("索引号", doc.index_no),
            ("分类", f"{doc.topic}；{doc.genre or ''}"),
            ("发布机构", publisher(doc)),
            ("成文日期", cn(doc.written)),
            ("名称", doc.title),
            ("文号", doc.doc_no or ""),
            ("发布日期", cn(doc.published)),
        )
        rows = "".join(f"<tr><th>{escape(k)}：</th><td>{escape(v)}</td></tr>" for k, v in cells)
        return self.page(
            doc.title,
            f'<div class="classify"><table>{rows}</table></div><div class="article-content">{self.body_of(doc)}</div>',
        )
