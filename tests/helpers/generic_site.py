"""A custom-CMS county site served on a loopback server: a column of notices, newest first,
paged as `index.html`, `index_1.html` … with a rendered pager of numbered links and a 下一页
link, a menu and a side box of dated links beside the list, and a detail page per notice
whose label table holds the 索引号 and 文号.

What the site serves is decided here, so a test knows every row, page and field by
construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from helpers.loopback import LoopbackServer

HTML = {"Content-Type": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Notice:
    """One notice of the column: its number (its detail page is `/tzgg/content_{n}.html`)."""

    n: int

    @property
    def title(self) -> str:
        return f"关于做好第{self.n}批惠民项目申报工作的通知"

    @property
    def date(self) -> str:
        return f"2012-{(self.n // 28) % 12 + 1:02d}-{self.n % 28 + 1:02d}"

    @property
    def path(self) -> str:
        return f"/tzgg/content_{self.n}.html"

    @property
    def index_no(self) -> str:
        return f"00312345-6/2012-{self.n:05d}"


def page_name(page: int) -> str:
    return "index.html" if page == 0 else f"index_{page}.html"


class GenericSite:
    """Serves `notices` (newest first) in pages of `per_page` under `/tzgg/`."""

    def __init__(self, server: LoopbackServer, notices: list[int], per_page: int = 4) -> None:
        self.server, self.per_page = server, per_page
        self.publish(notices)

    def publish(self, notices: list[int]) -> None:
        """(Re)serve the column with these notices, newest first."""
        self.notices = [Notice(n) for n in notices]
        self.pages = [self.notices[i : i + self.per_page] for i in range(0, len(self.notices), self.per_page)]
        for page in range(len(self.pages)):
            body = self._page(page).encode("utf-8")
            self.server.routes[f"/tzgg/{page_name(page)}"] = lambda h, body=body: (200, HTML, body)
        for notice in self.notices:
            body = _detail(notice).encode("utf-8")
            self.server.routes[notice.path] = lambda h, body=body: (200, HTML, body)

    @property
    def entry(self) -> str:
        return self.server.url("/tzgg/index.html")

    def hits(self, prefix: str) -> list[str]:
        return [path for path in self.server.paths() if path.startswith(prefix)]

    def _page(self, page: int) -> str:
        rows = "\n".join(
            f'<li><a href="content_{x.n}.html" title="{escape(x.title)}" target="_blank">{escape(x.title)}</a>'
            f'<span class="time">{x.date}</span></li>'
            for x in self.pages[page]
        )
        numbers = " ".join(f'<a href="{page_name(p)}">{p + 1}</a>' for p in range(len(self.pages)) if p != page)
        following = f'<a class="next" href="{page_name(page + 1)}">下一页</a>' if page + 1 < len(self.pages) else ""
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告 - 某县人民政府</title></head>
<body><div class="head"><ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="main"><div class="left"><div class="box-title">热点<a href="/rd/">更多</a></div><ul class="hot">
<li><a href="/rd/1.html">县政府召开常务会议</a><em>2011-12-30</em></li>
<li><a href="/rd/2.html">全县经济工作会议召开</a><em>2011-12-20</em></li></ul></div>
<div class="right"><div class="lm">通知公告</div><ul class="news">
{rows}
</ul><div class="pages">{numbers} {following}</div></div></div>
<div class="foot">某县人民政府办公室主办 地址：某县某路1号 电话：0000-0000000</div></body></html>"""


def _detail(notice: Notice) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(notice.title)}</title></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/tzgg/">通知公告</a></div>
<table class="info"><tr><td>索引号：</td><td>{notice.index_no}</td><td>发布机构：</td><td>某县人民政府办公室</td></tr>
<tr><td>文号：</td><td>某政〔2012〕{notice.n}号</td><td>发布日期：</td><td>{notice.date}</td></tr>
<tr><td>名称：</td><td colspan="3">{escape(notice.title)}</td></tr></table>
<div id="zoom"><p>各乡镇人民政府，县直各单位：</p><p>现将有关事项通知如下。</p></div></body></html>"""
