"""The listing templates of the TRS styles: one row template and one list body per style,
in tables keyed by the portal's style."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from sim.model import Doc, Portal
from sim.shown import cut, index_spelling, publisher_spelling


@dataclass(frozen=True)
class Item:
    """One listing row as a template needs it: the document and the portal showing it, the
    served title (raw and escaped), the escaped relative link, the shown date, and whether
    the row is pinned (置顶)."""

    portal: Portal
    doc: Doc
    title: str
    t: str
    h: str
    when: str
    pinned: bool


def _xxgk_row(i: Item) -> str:
    return (
        f'<tr>\n<td height="35"><a href="{i.h}" title="{i.t}" target="_blank">\n{i.t}\n'
        f'</a></td>\n<td height="35">{escape(index_spelling(i.doc, i.portal))}</td>\n'
        f'<td height="35">{escape(publisher_spelling(i.doc, i.portal))}</td>\n'
        f'<td height="35">{i.when}</td>\n</tr>\n'
    )


def _county_table_row(i: Item) -> str:
    return (
        f'<tr><td class="bt"><a href="{i.h}" title="{i.t}" target="_blank">'
        f"{escape(cut(i.title, 30))}</a></td><td>{escape(i.doc.doc_no or '')}</td>"
        f"<td>{i.when}</td></tr>\n"
    )


def _hongdun_row(i: Item) -> str:
    mark = '<font color="red">[置顶]</font>' if i.pinned else ""
    cls = ' class="zd"' if i.pinned else ""
    return (
        f'<li{cls}><a href="{i.h}" title="{i.t}" target="_blank">{mark}'
        f"{escape(cut(i.title))}</a><span>{i.when}</span></li>\n"
    )


def _gl_list_row(i: Item) -> str:
    return f'<li><a href="{i.h}" title="{i.t}" target="_blank">{i.t}</a><span class="bf-pass">{i.when}</span></li>\n'


def _zdgkc_row(i: Item) -> str:
    return f'<li><a href="{i.h}" title="{i.t}" target="_blank">{i.t}</a><b>{i.when}</b></li>\n'


def _county_li_row(i: Item) -> str:
    return (
        f'<li><a href="{i.h}" title="{i.t}" target="_blank">{escape(cut(i.title, 28))}</a><span>{i.when}</span></li>\n'
    )


#: style -> the HTML of one listing row
ROWS: dict[str, Callable[[Item], str]] = {
    "xxgk_table": _xxgk_row,
    "county_table": _county_table_row,
    "hongdun_li": _hongdun_row,
    "gov_gl_list": _gl_list_row,
    "county_gl_gbk": _gl_list_row,
    "county_zdgkc": _zdgkc_row,
    "county_li": _county_li_row,
}


@dataclass(frozen=True)
class Page:
    """One listing page as a body template needs it: its rows' HTML, the rows the whole
    listing holds (pinned included), this page's number and the page count."""

    portal: Portal
    rows: str
    countnum: int
    current: int
    count: int


def countnum_pager(ext: str, countnum: int, current: int, count: int) -> str:
    """The inline pager of the real Handan list (0-based pages)."""
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
        "</script></div></div></div></div>\n"
    )


def create_page_html(ext: str, count: int, current: int) -> str:
    """The `createPageHTML(N, i, "index", ext)` pager of TRS templates."""
    return (
        f'<div class="page"><script language="JavaScript">createPageHTML({count}, {current}, '
        f'"index", "{ext}");</script></div>\n'
    )


def _xxgk_body(p: Page) -> str:
    header = (
        '<tr>\n<th width="47%" height="35">名称</th>\n<th width="21%" height="35">索引号</th>\n'
        '<th width="19%" height="35">发布机构</th>\n<th width="12%" height="35">发布日期</th>\n'
        "</tr>\n"
    )
    return (
        f'<div class="szbmtclb fl clearfix" style="width:100%;"><table><tbody>{header}'
        f"{p.rows}</tbody></table>" + countnum_pager(p.portal.ext, p.countnum, p.current, p.count)
    )


def _county_table_body(p: Page) -> str:
    header = '<tr><th width="60%">标题</th><th width="22%">文号</th><th width="18%">发布日期</th></tr>\n'
    return f'<div class="gkml_list"><table class="gkml_table">{header}{p.rows}</table></div>' + countnum_pager(
        p.portal.ext, p.countnum, p.current, p.count
    )


def _hongdun_body(p: Page) -> str:
    return (
        f'<div class="list_con"><ul>{p.rows}</ul></div>'
        + create_page_html(p.portal.ext, p.count, p.current)
        + '<div class="more"><a href="../tzgg/">更多&gt;&gt;</a></div>'
    )


def _gl_list_body(p: Page) -> str:
    return f'<div class="gl_list"><ul>{p.rows}</ul></div>' + create_page_html(p.portal.ext, p.count, p.current)


def _zdgkc_body(p: Page) -> str:
    return f'<div class="zfxxgk_zdgkc"><ul>{p.rows}</ul></div>' + create_page_html(p.portal.ext, p.count, p.current)


def _county_li_body(p: Page) -> str:
    return (
        f'<ul class="list_ul">{p.rows}</ul><div class="page"><script type="text/javascript">'
        f"var currentPage = {p.current};//所在页从0开始\nvar countPage = {p.count}//共多少页\n"
        'if(countPage>1&&currentPage<countPage-1){document.write("<a href=\\"index_"+'
        '(currentPage+1)+".html\\">下一页</a>");}</script></div>'
    )


#: style -> the list block and pager of a listing page
BODIES: dict[str, Callable[[Page], str]] = {
    "xxgk_table": _xxgk_body,
    "county_table": _county_table_body,
    "hongdun_li": _hongdun_body,
    "gov_gl_list": _gl_list_body,
    "county_gl_gbk": _gl_list_body,
    "county_zdgkc": _zdgkc_body,
    "county_li": _county_li_body,
}
