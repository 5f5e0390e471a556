"""The pages of the messy profile: the families' Site classes with the profile's spellings
(sim.messy.shown), listing rows whose dates sit in other elements, a sidebar of dated links
beside the list, detail pages without 索引号, and the province platform's links to its
sister hosts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape

from sim.messy.shown import SISTER_ADDRESSES, detail_date, listed_text, shows_index, shows_publisher, sister_address
from sim.messy.variants import messy_class, messy_doc_no
from sim.model import Doc, Row
from sim.pages.hanweb import HanwebSite
from sim.pages.ssp import SspSite
from sim.pages.trs import TrsSite
from sim.pages.trs_lists import ROWS, Item
from sim.shown import cut

#: The detail-page markup of an index number, by style, removed where a portal prints none.
_INDEX_CELL = {
    "gov_gl_list": re.compile(r"<span>索 引 号：[^<]*</span>"),
    "hongdun_li": re.compile(r"<th>索 引 号：</th><td>[^<]*</td>"),
}
_CLASS_FIELDS = ("topic", "function", "audience", "genre")


class MessyFields:
    """The detail-page values of the messy profile, shared by every family."""

    def index_of(self, doc: Doc) -> str:
        """The printed index number ('' where the portal prints none: its cell goes)."""
        return shows_index(self.world.reindexed, doc, self.portal) or ""

    def publisher_of(self, doc: Doc) -> str:
        """The printed publisher, a configured alias or a variant outside them."""
        return shows_publisher(doc, self.portal)

    def date_shown(self, doc: Doc) -> date:
        """The printed published date (the written one on the city government site)."""
        return detail_date(doc, self.portal)

    def fields(self, doc: Doc) -> dict[str, str]:
        """The family's values with the 文号 and the classification values as this portal
        prints them."""
        values = super().fields(doc)
        values["doc_no"] = messy_doc_no(doc, self.portal)
        for scheme in _CLASS_FIELDS:
            values[scheme] = messy_class(doc, self.portal, scheme, values[scheme])
        return values

    def render_detail(self, doc: Doc) -> str:
        """The family's page, no-break spaces as `&nbsp;`, and no index-number cell where
        the portal prints none."""
        text = super().render_detail(doc).replace("\u00a0", "&nbsp;")
        if shows_index(self.world.reindexed, doc, self.portal) is None:
            text = _INDEX_CELL[self.portal.style].sub("", text)
        return text


def _em_row(i: Item) -> str:
    mark = '<font color="red">[置顶]</font>' if i.pinned else ""
    return f'<li><a href="{i.h}" title="{i.t}" target="_blank">{mark}{escape(cut(i.title))}</a><em>{i.when}</em></li>\n'


def _i_row(i: Item) -> str:
    return f'<li><a href="{i.h}" title="{i.t}" target="_blank">{i.t}</a><i>{i.when}</i></li>\n'


def _time_row(i: Item) -> str:
    return (
        f'<li><a href="{i.h}" title="{i.t}" target="_blank">{escape(cut(i.title, 28))}</a><span>{i.when}</span></li>\n'
    )


#: portal id -> its listing row in the messy profile (the others keep their style's row)
MESSY_ROWS = {"ly-hongdun": _em_row, "ly-xl-aic-site": _i_row, "ly-yd-aic-site": _time_row}
#: Portals with a box of dated links (news) beside the list.
SIDEBAR_PORTALS = ("ly-xl-aic-site", "ly-yd-aic-site")
_NEWS = (
    "全市工商系统召开{y}年度工作会议",
    "局领导带队开展节前市场检查",
    "我局组织开展“3·15”咨询服务活动",
    "市局召开党风廉政建设工作推进会",
    "我局开展红盾护农下乡宣传活动",
    "市局举办企业登记业务培训班",
)
SIDEBAR_ID_BASE = 9_100_000


def sidebar(size: int, as_of: date) -> str:
    """A box of `size` dated news links, the newest first (not catalog rows: their pages are
    not documents of the catalog)."""
    items = []
    for i in range(size):
        day = as_of - timedelta(days=3 * i + 1)
        title = _NEWS[i % len(_NEWS)].format(y=day.year)
        href = f"/xwdt/{day:%Y%m}/t{day:%Y%m%d}_{SIDEBAR_ID_BASE + i}.html"
        items.append(f'<li><a href="{href}" target="_blank">{title}</a><span>{day.isoformat()}</span></li>\n')
    return f'<div class="sidebar"><h3>工作动态</h3><ul class="news">{"".join(items)}</ul></div>\n'


class MessyTrsSite(MessyFields, TrsSite):
    """TRS catalogs with the messy profile's rows, sidebar and detail values."""

    def sidebar_size(self) -> int:
        """One row fewer than a full page: larger than a short last page, never a full one."""
        return self.portal.per_page - 1

    def side_html(self, as_of: date) -> str:
        """The column menu, and on SIDEBAR_PORTALS the box of dated news links."""
        side = super().side_html(as_of)
        if self.portal.id in SIDEBAR_PORTALS:
            side += sidebar(self.sidebar_size(), as_of)
        return side

    def row_html(self, row: Row, g: int, pinned: bool, as_of: date) -> str:
        """The row in the portal's messy template, with the profile's date text."""
        doc = self.world.doc(g)
        title = self.title(doc)
        when = listed_text(doc, self.portal, row.shown)
        item = Item(self.portal, doc, title, escape(title), escape(self.href(row, doc, as_of)), when, pinned)
        return MESSY_ROWS.get(self.portal.id, ROWS[self.portal.style])(item)


class MessySspSite(MessyFields, SspSite):
    """The province platform linking each detail page on its unit's sister host."""

    sister_addresses = SISTER_ADDRESSES

    def detail_url(self, doc: Doc, as_of: date) -> str:
        """The detail page on the sister host of the document's unit, same port."""
        port = self.origin.rsplit(":", 1)[1]
        return f"http://{sister_address(doc)}:{port}{self.path_of(doc, False, as_of)}"


class MessyHanwebSite(MessyFields, HanwebSite):
    """Hanweb columns with the messy profile's detail values."""


MESSY_SITES: dict[str, type] = {"trs": MessyTrsSite, "hanweb": MessyHanwebSite, "ssp": MessySspSite}
