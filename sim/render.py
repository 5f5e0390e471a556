"""Pages of the simulated portals, in the wire shapes of the real platform families.

Each `Site` answers the requests of one portal: TRS static catalogs (`TrsSite`, seven
listing styles), Hanweb jpaas columns with their data proxy (`HanwebSite`) and the Fujian
SSP JSON search API (`SspSite`). Pages are cheap string templates rendered per request.
What a portal shows of a document (its spelling of the index number and publisher, its
dates, its URL) comes from `shown_fields`, which the ground truth uses too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html import escape
from urllib.parse import quote

from sim.world import (
    DUPLICATE_ID_OFFSET,
    PORTAL_BY_ID,
    UNIT_BY_ID,
    Doc,
    Listing,
    Portal,
    Row,
    World,
    mix,
)

HOSTILE_PREFIXES = ('<script>alert("xss")</script>', '=HYPERLINK("http://evil.example/","点此")',
                    "'; DROP TABLE fct_documents; --")
CHALLENGE_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head><body>'
    '<div class="verify"><h3>安全验证</h3><p>您的访问过于频繁，正在进行安全验证，请稍候……</p></div>'
    '<script>var _0x3f=["cookie","__jsl_clearance=","reload"];(function(){var t=Math.floor('
    'Date.now()/1000);document[_0x3f[0]]=_0x3f[1]+t+"|0|"+(Math.random()+"").slice(2)+'
    '";max-age=3600;path=/";setTimeout(function(){location[_0x3f[2]]()},1500);})();</script>'
    "<noscript>请开启浏览器的JavaScript功能后刷新本页面。</noscript></body></html>"
)
SHANGHAI = timezone(timedelta(hours=8))


@dataclass
class Response:
    """What one request gets back."""

    status: int
    body: bytes
    content_type: str = "text/html"
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Req:
    """One parsed request: method, path, query and form fields (last value wins)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


# ---------------------------------------------------------------------------------------
# What a portal shows of a document


def iso(d: date) -> str:
    return d.isoformat()


def cn(d: date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def cn_short(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def dotted(d: date) -> str:
    return f"{d.year}.{d.month:02d}.{d.day:02d}"


def bracketed(d: date) -> str:
    return f"[{d.isoformat()}]"


LIST_DATE = {"xxgk_table": iso, "hongdun_li": iso, "gov_gl_list": iso, "county_zdgkc": iso,
             "county_li": bracketed, "county_gl_gbk": dotted, "county_table": cn_short,
             "hanweb_span": iso, "hanweb_b": iso, "ssp": iso}
DETAIL_DATE = {"xxgk_table": cn, "hongdun_li": cn_short, "gov_gl_list": iso, "county_zdgkc": cn,
               "county_li": cn, "county_gl_gbk": cn_short, "county_table": cn,
               "hanweb_span": iso, "hanweb_b": iso, "ssp": iso}


def index_spelling(doc: Doc, portal: Portal) -> str:
    """The index number as this portal prints it: the canonical form mostly, sometimes with
    full-width characters, inner spaces, a lower-case check letter or another dash."""
    text = doc.index_no
    pick = mix(doc.n, portal.id) % 20
    if portal.style == "xxgk_table" or pick > 3:
        return text
    if portal.style == "ssp":
        variants = (text.translate(_FULLWIDTH), text.lower(), text.replace("/", " / "),
                    text.translate(_FULLWIDTH))
    elif portal.platform == "hanweb":
        variants = (text.replace("-", "－"), text.replace("-", "—"), text.replace("/", "／"),
                    text.replace("-", " - "))
    else:
        variants = (text.replace("/", " / "), text.replace("-", "–"), text.replace("-", "‐"),
                    text.lower())
    return variants[pick]


_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def publisher_spelling(doc: Doc, portal: Portal) -> str:
    """The publisher as this portal prints it: the name or one of its aliases."""
    unit = UNIT_BY_ID.get(doc.unit_id or "")
    if unit is None or not unit.aliases or portal.style == "xxgk_table":
        return doc.publisher
    names = (unit.name, *unit.aliases)
    return names[mix(doc.n, portal.id + ":pub") % len(names)]


def shown_date(doc: Doc, portal: Portal) -> date:
    """The published date the portal shows (the province platform lags one document)."""
    return doc.published + timedelta(days=doc.ssp_shift) if portal.style == "ssp" else doc.published


def doc_id(portal: Portal, g: int, duplicate: bool = False) -> int:
    """The portal's own id of document g (the second listing of a document has its own)."""
    return portal.id_base + g + (DUPLICATE_ID_OFFSET if duplicate else 0)


def detail_path(portal: Portal, doc: Doc, duplicate: bool = False) -> str:
    """The path of the document's detail page on this portal."""
    d = shown_date(doc, portal)
    ident = doc_id(portal, doc.g, duplicate)
    if portal.platform == "hanweb":
        return f"/art/{d.year}/{d.month}/{d.day}/art_{portal.base}_{ident}.html"
    base = "/xxgk/zfxxgk/" if portal.style == "ssp" else portal.base
    month = f"{d.year}{d.month:02d}"  # not strftime: this runs for every row served
    return f"{base}{month}/t{month}{d.day:02d}_{ident}.{portal.ext}"


def shown_fields(world: World, portal_id: str, doc: Doc, duplicate: bool = False) -> dict:
    """What portal `portal_id` shows of `doc`: path, title, index number, publisher and
    published date as printed on its detail page (the truth's sighting record)."""
    portal = PORTAL_BY_ID[portal_id]
    return {"path": detail_path(portal, doc, duplicate), "title": doc.title,
            "index_no": index_spelling(doc, portal), "publisher": publisher_spelling(doc, portal),
            "published": DETAIL_DATE[portal.style](shown_date(doc, portal)),
            "listed_date": LIST_DATE[portal.style](shown_date(doc, portal))}


def cut(title: str, limit: int = 24) -> str:
    """A list text cut the way CMS templates cut it."""
    return title if len(title) <= limit else title[: limit - 2] + "..."


def body_html(doc: Doc, publisher: str, attachment_href: str) -> str:
    """A compact body: a few paragraphs, an attachment, or both."""
    parts = []
    if doc.content in ("text", "both"):
        parts.append(
            f"<p>各有关单位：</p><p>为认真贯彻落实上级有关部署，进一步做好相关工作，现就《{escape(doc.title)}》"
            "有关事项通知如下：</p><p>一、提高认识，加强领导。各单位要把此项工作列入重要议事日程，明确责任分工。</p>"
            "<p>二、突出重点，狠抓落实。要结合本地实际，制定具体措施，确保各项任务落到实处。</p>"
            "<p>三、加强督查，确保实效。工作中遇到的问题请及时报告。</p>"
            f'<p style="text-align:right">{escape(publisher)}<br/>{cn_short(doc.written)}</p>')
    editor = f'<div class="TRS_Editor">{"".join(parts)}\n</div>'
    if doc.content in ("attachment", "both"):
        editor += (f'<div class="fj"><p>附件：<a href="{attachment_href}">'
                   f"{escape(cut(doc.title, 30))}.doc</a></p></div>")
    return editor


# ---------------------------------------------------------------------------------------
# Sites


class Site:
    """One portal's pages at a given `as_of`. Subclasses route and render their family."""

    def __init__(self, world: World, portal: Portal, origin: str):
        self.world = world
        self.portal = portal
        self.origin = origin
        self.hostile = False  # fault: hostile titles on listing and detail pages
        self.layout_changed = False  # fault: listing rows in a markup no parser knows
        self.xxe = False  # fault: XML external entity in data-proxy responses
        self._listing_cache: dict[date, Listing] = {}
        self._detail_re = re.compile(self._detail_pattern())

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
        return Response(404, b"<html><head><title>404 Not Found</title></head><body>"
                        b"<h1>404 Not Found</h1></body></html>")

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

    def detail(self, path: str, as_of: date) -> Response | None:
        """The detail page at `path`, or None when the path is not a detail page."""
        m = self._detail_re.fullmatch(path)
        if not m:
            return None
        ident = int(m.group("id")) - self.portal.id_base
        duplicate = ident >= DUPLICATE_ID_OFFSET
        g = ident - DUPLICATE_ID_OFFSET if duplicate else ident
        try:
            doc = self.world.doc(g)
        except (KeyError, IndexError):
            return self.not_found()
        shown = shown_date(doc, self.portal)
        if (g < 0 or not self.world.lists(self.portal.id, doc) or detail_path(self.portal, doc, duplicate)
                != path or not self.world.visible(doc, shown, as_of)):
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
            '<li><a href="/ztzl/">专题专栏</a></li></ul></div>\n')

    def foot(self) -> str:
        return (f'<div class="footer"><p>版权所有：{escape(self.portal.name)} &nbsp; '
                '闽ICP备05006789号</p><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a>'
                "</p></div>\n</body></html>\n")

    def fields(self, doc: Doc) -> dict[str, str]:
        """The label values of a detail page ('' where the document has none)."""
        return {"index_no": index_spelling(doc, self.portal),
                "publisher": publisher_spelling(doc, self.portal), "title": self.title(doc),
                "doc_no": doc.doc_no or "", "topic": doc.topic or "",
                "function": doc.function or "", "audience": doc.audience or "",
                "genre": doc.genre or "", "disclosure": doc.disclosure,
                "published": DETAIL_DATE[self.portal.style](shown_date(doc, self.portal)),
                "written": DETAIL_DATE[self.portal.style](doc.written)}

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
        text = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<title>信息公开</title></head><body><div class="list"><ul></ul></div>'
                '<div class="page"></div><!-- stub -->')
        return Response(200, (text + " " * (292 - len(text.encode())) + "</body></html>").encode())

    def handle(self, req: Req, as_of: date) -> Response:
        """Route a request: a listing page, a detail page, the home page or 404."""
        page = self.listing_page_of(req)
        if page is not None:
            if page >= self.page_count(as_of) and self.portal.platform == "trs":
                return self.not_found()
            return self.render_listing(req, page, as_of, page)
        if req.path in ("/", "/index.html"):
            return self.html(f"{self.head(self.portal.name)}<div class=\"main\"><a href=\""
                             f"{self.entry_path()}\">政府信息公开目录</a></div>{self.foot()}")
        got = self.detail(req.path, as_of)
        return got if got is not None else self.not_found()


class TrsSite(Site):
    """TRS WCM static catalogs: index.html, index_1.html … and ./YYYYMM/tYYYYMMDD_ID pages."""

    def _detail_pattern(self) -> str:
        return (re.escape(self.portal.base) + r"\d{6}/t\d{8}_(?P<id>\d+)\." +
                re.escape(self.portal.ext))

    def entry_path(self) -> str:
        return f"{self.portal.base}index.{self.portal.ext}"

    def listing_page_of(self, req: Req) -> int | None:
        base, ext = self.portal.base, self.portal.ext
        if not req.path.startswith(base):
            return None
        name = req.path[len(base):]
        if name in ("", f"index.{ext}"):
            return 0
        m = re.fullmatch(r"index_([1-9]\d{0,6})\." + re.escape(ext), name)
        return int(m.group(1)) if m else None

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        listing = self.listing(as_of)
        count = self.page_count(as_of)
        items = self.page_rows(listing, content_page)
        rows = "".join(self.row_html(row, g, pinned) for row, g, pinned in items)
        if self.layout_changed:
            rows = "".join(self.gutted_row(row, g) for row, g, _ in items)
        style = self.portal.style
        head = self.head(f"政府信息公开目录_{self.portal.name}",
                         '<meta name="ColumnName" content="政府信息公开目录">\n'
                         '<meta name="ColumnType" content="信息公开">\n')
        side = ('<div class="left"><ul class="menu"><li><a href="./">信息公开目录</a></li>'
                '<li><a href="../xxgkzn/">信息公开指南</a></li><li><a href="../xxgknb/">'
                '信息公开年报</a></li><li><a href="../ysqgk/">依申请公开</a></li></ul></div>\n')
        crumbs = ('<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../">政务公开</a>'
                  ' &gt; <span>信息公开目录</span></div>\n')
        if style in ("xxgk_table", "county_table"):
            body = self.table_block(rows) + self.countnum_pager(len(listing), content_page, count)
        elif style == "hongdun_li":
            body = (f'<div class="list_con"><ul>{rows}</ul></div>' +
                    self.create_page_html(count, content_page) +
                    '<div class="more"><a href="../tzgg/">更多&gt;&gt;</a></div>')
        elif style in ("gov_gl_list", "county_gl_gbk"):
            body = f'<div class="gl_list"><ul>{rows}</ul></div>' + self.create_page_html(
                count, content_page)
        elif style == "county_zdgkc":
            body = f'<div class="zfxxgk_zdgkc"><ul>{rows}</ul></div>' + self.create_page_html(
                count, content_page)
        else:  # county_li
            body = (f'<ul class="list_ul">{rows}</ul><div class="page"><script type="text/javascript">'
                    f"var currentPage = {content_page};//所在页从0开始\nvar countPage = {count}//共多少页\n"
                    'if(countPage>1&&currentPage<countPage-1){document.write("<a href=\\"index_"+'
                    '(currentPage+1)+".html\\">下一页</a>");}</script></div>')
        return self.html(f'{head}{crumbs}{side}<div class="right">{body}</div>{self.foot()}')

    def row_html(self, row: Row, g: int, pinned: bool) -> str:
        doc = self.world.doc(g)
        title = self.title(doc)
        href = "./" + detail_path(self.portal, doc, row.duplicate)[len(self.portal.base):]
        when = LIST_DATE[self.portal.style](row.shown)
        t, h = escape(title), escape(href)
        style = self.portal.style
        if style == "xxgk_table":
            return (f'<tr>\n<td height="35"><a href="{h}" title="{t}" target="_blank">\n{t}\n'
                    f'</a></td>\n<td height="35">{escape(index_spelling(doc, self.portal))}</td>\n'
                    f'<td height="35">{escape(publisher_spelling(doc, self.portal))}</td>\n'
                    f'<td height="35">{when}</td>\n</tr>\n')
        if style == "county_table":
            return (f'<tr><td class="bt"><a href="{h}" title="{t}" target="_blank">'
                    f"{escape(cut(title, 30))}</a></td><td>{escape(doc.doc_no or '')}</td>"
                    f"<td>{when}</td></tr>\n")
        if style == "hongdun_li":
            mark = '<font color="red">[置顶]</font>' if pinned else ""
            cls = ' class="zd"' if pinned else ""
            return (f'<li{cls}><a href="{h}" title="{t}" target="_blank">{mark}'
                    f"{escape(cut(title))}</a><span>{when}</span></li>\n")
        if style in ("gov_gl_list", "county_gl_gbk"):
            return (f'<li><a href="{h}" title="{t}" target="_blank">{t}</a>'
                    f'<span class="bf-pass">{when}</span></li>\n')
        if style == "county_zdgkc":
            return f'<li><a href="{h}" title="{t}" target="_blank">{t}</a><b>{when}</b></li>\n'
        return (f'<li><a href="{h}" title="{t}" target="_blank">{escape(cut(title, 28))}</a>'
                f"<span>{when}</span></li>\n")

    def gutted_row(self, row: Row, g: int) -> str:
        """A row after a template change: no link element, no table, no list item."""
        doc = self.world.doc(g)
        href = "./" + detail_path(self.portal, doc, row.duplicate)[len(self.portal.base):]
        return (f'<div class="xxgk-item" data-id="{doc_id(self.portal, g)}" onclick="window.open('
                f"'{escape(href)}')\"><em>{escape(self.title(doc))}</em><i>{row.shown}</i></div>\n")

    def table_block(self, rows: str) -> str:
        if self.portal.style == "county_table":
            header = ('<tr><th width="60%">标题</th><th width="22%">文号</th>'
                      '<th width="18%">发布日期</th></tr>\n')
            return f'<div class="gkml_list"><table class="gkml_table">{header}{rows}</table></div>'
        header = ('<tr>\n<th width="47%" height="35">名称</th>\n<th width="21%" height="35">索引号</th>\n'
                  '<th width="19%" height="35">发布机构</th>\n<th width="12%" height="35">发布日期</th>\n'
                  "</tr>\n")
        return (f'<div class="szbmtclb fl clearfix" style="width:100%;"><table><tbody>{header}'
                f"{rows}</tbody></table>")

    def countnum_pager(self, countnum: int, current: int, count: int) -> str:
        """The inline pager of the real Handan list (0-based pages)."""
        ext = self.portal.ext
        return (
            '<div class="news-list"><div class="page_box"><div class="page">'
            '<script language="javascript">\n'
            f"var countnum= {countnum};\nvar currentPage={current};\n"
            "var prevPage=currentPage-1\nvar nextPage=currentPage+1\n"
            f"var countPage={count}\nvar endPage=countPage-1\n"
            f'document.write("<a href=\\"index.{ext}\\" target=\\"_self\\" >首页</a>&nbsp;&nbsp;");\n'
            "if(countPage>1&&currentPage!=(countPage-1))\n"
            f'  document.write("<a href=\\"index"+"_"+nextPage+"."+"{ext}\\" target=\\"_self\\">'
            '下一页</a>&nbsp;&nbsp;");\n'
            "else\n  document.write(\"<span class='bg'>下一页</span>&nbsp;&nbsp;\");\n"
            f'document.write("<a  href=\\"index_"+endPage+".{ext}\\" target=\\"_self\\">尾页</a>");\n'
            "</script></div></div></div></div>\n")

    def create_page_html(self, count: int, current: int) -> str:
        return (f'<div class="page"><script language="JavaScript">createPageHTML({count}, {current}, '
                f'"index", "{self.portal.ext}");</script></div>\n')

    def render_detail(self, doc: Doc) -> str:
        f = {k: escape(v) for k, v in self.fields(doc).items()}
        meta = (f'<meta name="ArticleTitle" content="{f["title"]}">\n'
                f'<meta name="PubDate" content="{cn(shown_date(doc, self.portal))}">\n'
                f'<meta name="ContentSource" content="{f["publisher"]}">\n')
        style = self.portal.style
        if style == "hongdun_li":
            box = self.th_table(f)
        elif style == "gov_gl_list":
            box = self.syh_box(f)
        elif style == "county_gl_gbk":
            box = self.td_table(f)
        else:
            box = self.strong_box(f)
        body = body_html(doc, publisher_spelling(doc, self.portal), self.attachment_href(doc))
        return (f"{self.head(self.title(doc), meta)}<div class=\"container content\">{box}"
                f'<div class="article"><h1 class="title">{f["title"]}</h1>{body}</div></div>'
                f"{self.foot()}")

    def strong_box(self, f: dict[str, str]) -> str:
        """The real Handan detail box: <p><strong>label</strong>：value</p>, some commented."""
        doc_no = f["doc_no"] or "无"
        return (
            '<div class="top cf">\n<div class="top-l fl">\n'
            f'<p><strong>索引号</strong>：{f["index_no"]}</p>\n'
            f'<p><strong>发布机构</strong>：{f["publisher"]}</p>\n'
            f'<p><strong>名称</strong>：{f["title"]}</p>\n'
            f"<p><strong>文号</strong>：{doc_no}</p>\n"
            f'<p><strong>业务职能分类</strong>：{f["function"]}</p>\n'
            f'<p><strong>服务对象分类</strong>：{f["audience"]}</p>\n'
            "<!--<p><strong>主题词</strong>：工商 管理</p>-->\n</div>\n"
            '<div class="top-r fr">\n'
            f'<p><strong>主题分类</strong>：{f["topic"]}</p>\n'
            f'<!--<p><strong>成文日期</strong>：{f["written"]}</p>-->\n'
            f'<p><strong>发布日期</strong>：{f["published"]}</p>\n'
            f'<p><strong>体裁分类</strong>：{f["genre"]}</p>\n'
            f'<p><strong>公开方式</strong>：{f["disclosure"]}</p>\n'
            '<p style="height: 40px;"></p>\n<!--<p><strong>有效期</strong>：</p>-->\n'
            '</div>\n<div style="clear: both;"></div>\n</div>\n')

    def th_table(self, f: dict[str, str]) -> str:
        """A th/td metadata table with spaced labels."""
        return (
            '<table class="table_suoyin" width="100%" border="0" cellspacing="1">\n'
            f'<tr><th>索 引 号：</th><td>{f["index_no"]}</td><th>主题分类：</th><td>{f["topic"]}</td></tr>\n'
            f'<tr><th>发布机构：</th><td>{f["publisher"]}</td><th>业务职能分类：</th>'
            f'<td>{f["function"]}</td></tr>\n'
            f'<tr><th>文　　号：</th><td>{f["doc_no"]}</td><th>服务对象分类：</th>'
            f'<td>{f["audience"]}</td></tr>\n'
            f'<tr><th>成文日期：</th><td>{f["written"]}</td><th>发布日期：</th><td>{f["published"]}</td></tr>\n'
            f'<tr><th>体裁分类：</th><td>{f["genre"]}</td><th>公开方式：</th><td>{f["disclosure"]}</td></tr>\n'
            f'<tr><th>名　　称：</th><td colspan="3">{f["title"]}</td></tr>\n</table>\n')

    def td_table(self, f: dict[str, str]) -> str:
        """A td/td metadata table."""
        return (
            '<table class="xxgk_info" width="100%" border="1" cellspacing="0">\n'
            f'<tr><td class="lb">索引号</td><td>{f["index_no"]}</td><td class="lb">主题分类</td>'
            f'<td>{f["topic"]}</td></tr>\n'
            f'<tr><td class="lb">发布机构</td><td>{f["publisher"]}</td><td class="lb">业务职能分类</td>'
            f'<td>{f["function"]}</td></tr>\n'
            f'<tr><td class="lb">文号</td><td>{f["doc_no"] or "无"}</td><td class="lb">服务对象分类</td>'
            f'<td>{f["audience"]}</td></tr>\n'
            f'<tr><td class="lb">生成日期</td><td>{f["written"]}</td><td class="lb">发布日期</td>'
            f'<td>{f["published"]}</td></tr>\n'
            f'<tr><td class="lb">体裁分类</td><td>{f["genre"]}</td><td class="lb">公开方式</td>'
            f'<td>{f["disclosure"]}</td></tr>\n'
            f'<tr><td class="lb">名称</td><td colspan="3">{f["title"]}</td></tr>\n</table>\n')

    def syh_box(self, f: dict[str, str]) -> str:
        """The Fujian government-site box: div.syh > div.syh_box > div > span (no classes)."""
        return (
            '<div class="syh"><div class="syh_box">\n'
            f'<div class="syh_con"><span>索 引 号：{f["index_no"]}</span><span>文　　号：{f["doc_no"]}'
            f'</span><span>发布机构：{f["publisher"]}</span></div>\n'
            f'<div class="syh_con"><span>发布日期：{f["published"]}</span><span>成文日期：{f["written"]}'
            f'</span><span>标　　题：{f["title"]}</span></div>\n</div></div>\n'
            '<div class="xl_big_bOX"><div class="lip clearflx lip2"><p>'
            f'<span class="article_time">时间：{f["published"]}</span>'
            f'<span class="article_source">来源：{f["publisher"]}</span></p></div></div>\n')


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
        return (f'<nextgroup><![CDATA[<a href="{self.PROXY}?page=1&webid={self.webid}&path=/&'
                f"columnid={self.portal.base}&unitid={self.unit_div}&webname={name}&"
                'permissiontype=0"></a>]]></nextgroup>\n')

    def records(self, as_of: date, lo: int, hi: int) -> str:
        """The `<record>`s of natural rows lo..hi-1."""
        out = []
        for row, g in self.listing(as_of).natural(lo, hi):
            doc = self.world.doc(g)
            t = escape(self.title(doc))
            href = detail_path(self.portal, doc)
            when = LIST_DATE[self.portal.style](row.shown)
            if self.layout_changed:
                item = f'<div class="gl-item" data-url="{href}"><em>{t}</em><i>{when}</i></div>'
            elif self.portal.style == "hanweb_b":
                item = (f'<li class="clearfix"><a target="_blank" href="{href}" title="{t}">{t}</a>'
                        f"<b>{when}</b></li>")
            else:
                item = (f'<li><a href="{href}" title="{t}" target="_blank">{escape(cut(self.title(doc), 30))}'
                        f'</a><span class="bt-data-time">{when}</span></li>')
            out.append(f"<record><![CDATA[\n{item}]]></record>\n")
        if self.xxe:
            out.insert(0, "<record>&xxe;</record>\n")
        return "".join(out)

    def doctype(self) -> str:
        return ('<!DOCTYPE datastore [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
                if self.xxe else "")

    def render_listing(self, req: Req, page: int, as_of: date, content_page: int) -> Response:
        total = self.listing(as_of).natural_count()
        if req.path == self.entry_path():
            return self.column_page(as_of, content_page, total)
        params = {**req.query, **req.form}
        if params.get("columnid") != self.portal.base:
            # A request without the column's form fields gets an empty store, as on real sites.
            text = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n'
                    "<totalrecord>0</totalrecord>\n<totalpage>0</totalpage>\n</datastore>\n")
            return Response(200, text.encode(), "text/xml;charset=UTF-8")
        try:
            start = max(int(params.get("startrecord", "1")), 1)
            end = int(params.get("endrecord", str(start + self.GROUP - 1)))
        except ValueError:
            return Response(400, b"bad request", "text/plain")
        if content_page != page:
            start, end = content_page * self.GROUP + 1, (content_page + 1) * self.GROUP
        records = self.records(as_of, start - 1, min(end, start + self.GROUP - 1))
        per = 15
        text = (f'<?xml version="1.0" encoding="UTF-8"?>\n{self.doctype()}<datastore>\n'
                f"{self.nextgroup()}<recordset>\n{records}</recordset>\n"
                f"<totalrecord>{total}</totalrecord>\n<totalpage>{-(-total // per)}</totalpage>\n"
                "</datastore>\n")
        return Response(200, text.encode(), "text/xml;charset=UTF-8")

    def column_page(self, as_of: date, group: int, total: int) -> Response:
        head = self.head(f"信息公开目录 {self.portal.name}",
                         '<meta name="ColumnName" content="信息公开目录">\n'
                         '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n'
                         '<script type="text/javascript" src="/module/jslib/jpage/jpage.js"></script>\n')
        store = (f'<div id="{self.unit_div}"><script type="text/xml">{self.doctype()}<datastore>\n'
                 f"{self.nextgroup()}<recordset>\n"
                 f"{self.records(as_of, group * self.GROUP, (group + 1) * self.GROUP)}</recordset>\n"
                 "</datastore></script></div>\n")
        script = (f"<script>$(document).ready(function(){{$('#{self.unit_div}').jpage({{dataStore: "
                  f"$('#{self.unit_div} script[type=\"text/xml\"]').html(), perPage: 15, groupSize: 3,"
                  f" totalRecord: {total}, proxyUrl: '{self.PROXY}', ajaxParam: {{col: 1, appid: 1, "
                  f"webid: {self.webid}, path: '/', columnid: {self.portal.base}, sourceContentType: 1,"
                  f" unitid: {self.unit_div}, webname: '{self.portal.name}', permissiontype: 0}}}});"
                  "});</script>\n")
        return self.html(f'{head}<div class="main"><div class="lm_list">{store}{script}</div></div>'
                         f"{self.foot()}")

    def render_detail(self, doc: Doc) -> str:
        f = {k: escape(v) for k, v in self.fields(doc).items()}
        combined = " ".join(x for x in (f["topic"], f["genre"]) if x)
        written = DETAIL_DATE[self.portal.style](doc.written)
        meta = (f'<meta name="ArticleTitle" content="{f["title"]}">\n'
                f'<meta name="PubDate" content="{iso(doc.published)} 09:30">\n'
                f'<meta name="ContentSource" content="{f["publisher"]}">\n')
        table = (
            '<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0" border="1">\n'
            f'<tr><td class="label" width="12%">索 引 号</td><td width="38%">{f["index_no"]}</td>'
            f'<td class="label" width="12%">分 类</td><td>{combined}</td></tr>\n'
            f'<tr><td class="label">发布机构</td><td>{f["publisher"]}</td><td class="label">发文日期</td>'
            f"<td>{written}</td></tr>\n"
            f'<tr><td class="label">文 号</td><td>{f["doc_no"]}</td><td class="label">有 效 性</td>'
            "<td>有效</td></tr>\n</table>\n")
        body = body_html(doc, publisher_spelling(doc, self.portal),
                         f"/attach/0/{doc_id(self.portal, doc.g):x}.doc")
        body = body.replace('<div class="TRS_Editor">', '<div id="zoom">', 1)
        info = (f'<div class="info">发布日期：{iso(doc.published)} &nbsp;&nbsp; 信息来源：'
                f'{f["publisher"]} &nbsp;&nbsp; 浏览次数：<span>{doc.n % 500 + 12}</span></div>')
        return (f'{self.head(self.title(doc), meta)}<div class="main">{table}<div class="title">'
                f'<h1>{f["title"]}</h1></div>{info}{body}</div>{self.foot()}')

    def stub(self) -> Response:
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n'
                "</datastore>\n<!-- stub -->")
        return Response(200, (text + " " * (300 - len(text))).encode(), "text/xml;charset=UTF-8")


class SspSite(Site):
    """The Fujian SSP search API: GET ?…&page=n&datas=k (n from 1), JSON with raw newlines;
    detail pages are TRS pages on the same origin."""

    MAX_DATAS = 50

    def _detail_pattern(self) -> str:
        return r"/xxgk/zfxxgk/\d{6}/t\d{8}_(?P<id>\d+)\.htm"

    def entry_path(self) -> str:
        return (f"{self.portal.base}?siteId=8a28cde27b39c3a7017b4e11850d009c&apiName=SSP_OPENINFO"
                "&sortFiled=-pubdate&searchFiled=docTitle&isChange=1&fullKey=Y&isCollapse=N")

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
        items = ",".join(self.item(row, g) for row, g in rows)
        if self.layout_changed:
            return self.json(f'{{"code":200,"data":{{"count":{total},"list":[{items}]}}}}'
                             .replace('"_doctitle"', '"t"').replace('"docpuburl"', '"u"'))
        return self.json(f'{{"error":false,"total":{total},"page":{page + 1},"datas":[{items}]}}')

    def json(self, text: str) -> Response:
        return Response(200, text.encode(), "application/json;charset=UTF-8")

    def item(self, row: Row, g: int) -> str:
        doc = self.world.doc(g)
        written = doc.written
        if mix(doc.n, "reltime") % 3 == 0:
            moment = datetime(written.year, written.month, written.day, tzinfo=SHANGHAI)
            reltime = str(int(moment.timestamp() * 1000))
        else:
            reltime = json.dumps(f"{iso(written)} 00:00:00")
        minute = mix(doc.n, "minute") % 600
        content = json.dumps(f"各有关单位：\n\t为认真贯彻落实上级有关部署，现就《{doc.title}》有关事项通知如下。\n",
                             ensure_ascii=False).replace("\\n", "\n").replace("\\t", "\t")
        values = {
            "_doctitle": self.title(doc), "idxid": index_spelling(doc, self.portal),
            "puborg": publisher_spelling(doc, self.portal), "fileno": doc.doc_no or "",
            "pubdate": f"{iso(row.shown)} {8 + minute // 60:02d}:{minute % 60:02d}:00",
            "docpuburl": self.origin + detail_path(self.portal, doc),
            "chnlname": "政府信息公开目录", "siteName": self.portal.name,
        }
        fields = ",".join(f"{json.dumps(k)}:{json.dumps(v, ensure_ascii=False)}"
                          for k, v in values.items())
        return f'{{{fields},"docreltime":{reltime},"doccontent":{content}}}'

    def render_detail(self, doc: Doc) -> str:
        f = {k: escape(v) for k, v in self.fields(doc).items()}
        meta = (f'<meta name="ArticleTitle" content="{f["title"]}">\n'
                f'<meta name="PubDate" content="{f["published"]} 09:30">\n'
                f'<meta name="ContentSource" content="{f["publisher"]}">\n')
        table = (
            '<div class="xxgk_detail"><table class="xxgk_table"><tbody>\n'
            f'<tr><td class="t">索引号：</td><td>{f["index_no"]}</td><td class="t">公文种类：</td>'
            f'<td>{f["genre"]}</td></tr>\n'
            f'<tr><td class="t">发布机构：</td><td>{f["publisher"]}</td><td class="t">生成日期：</td>'
            f'<td>{f["written"]}</td></tr>\n'
            f'<tr><td class="t">名　　称：</td><td colspan="3">{f["title"]}</td></tr>\n'
            f'<tr><td class="t">文　　号：</td><td>{f["doc_no"]}</td><td class="t">发布日期：</td>'
            f'<td>{f["published"]}</td></tr>\n'
            f'<tr><td class="t">主题分类：</td><td>{f["topic"]}</td><td class="t">机构分类：</td>'
            f'<td>{f["function"]}</td></tr>\n'
            f'<tr><td class="t">服务对象：</td><td>{f["audience"]}</td><td class="t">公开方式：</td>'
            f'<td>{f["disclosure"]}</td></tr>\n</tbody></table></div>\n')
        body = body_html(doc, publisher_spelling(doc, self.portal), self.attachment_href(doc))
        return (f'{self.head(self.title(doc), meta)}<div class="main">{table}<div class="article">'
                f'<h1>{f["title"]}</h1>{body}</div></div>{self.foot()}')


def make_site(world: World, portal: Portal, origin: str) -> Site:
    """The Site for a portal's platform family."""
    cls = {"trs": TrsSite, "hanweb": HanwebSite, "ssp": SspSite}[portal.platform]
    return cls(world, portal, origin)
