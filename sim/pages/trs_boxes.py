"""The metadata boxes of TRS detail pages, one shape per style (a table keyed by style):
the real Handan box, a th/td table with spaced labels, a td/td table and the Fujian
government-site box. Each takes the page's escaped label values (Site.fields)."""

from __future__ import annotations

from collections.abc import Callable


def strong_box(f: dict[str, str]) -> str:
    """The real Handan detail box: <p><strong>label</strong>：value</p>, some commented."""
    doc_no = f["doc_no"] or "无"
    return (
        '<div class="top cf">\n<div class="top-l fl">\n'
        f"<p><strong>索引号</strong>：{f['index_no']}</p>\n"
        f"<p><strong>发布机构</strong>：{f['publisher']}</p>\n"
        f"<p><strong>名称</strong>：{f['title']}</p>\n"
        f"<p><strong>文号</strong>：{doc_no}</p>\n"
        f"<p><strong>业务职能分类</strong>：{f['function']}</p>\n"
        f"<p><strong>服务对象分类</strong>：{f['audience']}</p>\n"
        "<!--<p><strong>主题词</strong>：工商 管理</p>-->\n</div>\n"
        '<div class="top-r fr">\n'
        f"<p><strong>主题分类</strong>：{f['topic']}</p>\n"
        f"<!--<p><strong>成文日期</strong>：{f['written']}</p>-->\n"
        f"<p><strong>发布日期</strong>：{f['published']}</p>\n"
        f"<p><strong>体裁分类</strong>：{f['genre']}</p>\n"
        f"<p><strong>公开方式</strong>：{f['disclosure']}</p>\n"
        '<p style="height: 40px;"></p>\n<!--<p><strong>有效期</strong>：</p>-->\n'
        '</div>\n<div style="clear: both;"></div>\n</div>\n'
    )


def th_table(f: dict[str, str]) -> str:
    """A th/td metadata table with spaced labels."""
    return (
        '<table class="table_suoyin" width="100%" border="0" cellspacing="1">\n'
        f"<tr><th>索 引 号：</th><td>{f['index_no']}</td><th>主题分类：</th><td>{f['topic']}</td></tr>\n"
        f"<tr><th>发布机构：</th><td>{f['publisher']}</td><th>业务职能分类：</th>"
        f"<td>{f['function']}</td></tr>\n"
        f"<tr><th>文　　号：</th><td>{f['doc_no']}</td><th>服务对象分类：</th>"
        f"<td>{f['audience']}</td></tr>\n"
        f"<tr><th>成文日期：</th><td>{f['written']}</td><th>发布日期：</th><td>{f['published']}</td></tr>\n"
        f"<tr><th>体裁分类：</th><td>{f['genre']}</td><th>公开方式：</th><td>{f['disclosure']}</td></tr>\n"
        f'<tr><th>名　　称：</th><td colspan="3">{f["title"]}</td></tr>\n</table>\n'
    )


def td_table(f: dict[str, str]) -> str:
    """A td/td metadata table."""
    return (
        '<table class="xxgk_info" width="100%" border="1" cellspacing="0">\n'
        f'<tr><td class="lb">索引号</td><td>{f["index_no"]}</td><td class="lb">主题分类</td>'
        f"<td>{f['topic']}</td></tr>\n"
        f'<tr><td class="lb">发布机构</td><td>{f["publisher"]}</td><td class="lb">业务职能分类</td>'
        f"<td>{f['function']}</td></tr>\n"
        f'<tr><td class="lb">文号</td><td>{f["doc_no"] or "无"}</td><td class="lb">服务对象分类</td>'
        f"<td>{f['audience']}</td></tr>\n"
        f'<tr><td class="lb">生成日期</td><td>{f["written"]}</td><td class="lb">发布日期</td>'
        f"<td>{f['published']}</td></tr>\n"
        f'<tr><td class="lb">体裁分类</td><td>{f["genre"]}</td><td class="lb">公开方式</td>'
        f"<td>{f['disclosure']}</td></tr>\n"
        f'<tr><td class="lb">名称</td><td colspan="3">{f["title"]}</td></tr>\n</table>\n'
    )


def syh_box(f: dict[str, str]) -> str:
    """The Fujian government-site box: div.syh > div.syh_box > div > span (no classes)."""
    return (
        '<div class="syh"><div class="syh_box">\n'
        f'<div class="syh_con"><span>索 引 号：{f["index_no"]}</span><span>文　　号：{f["doc_no"]}'
        f"</span><span>发布机构：{f['publisher']}</span></div>\n"
        f'<div class="syh_con"><span>发布日期：{f["published"]}</span><span>成文日期：{f["written"]}'
        f"</span><span>标　　题：{f['title']}</span></div>\n</div></div>\n"
        '<div class="xl_big_bOX"><div class="lip clearflx lip2"><p>'
        f'<span class="article_time">时间：{f["published"]}</span>'
        f'<span class="article_source">来源：{f["publisher"]}</span></p></div></div>\n'
    )


#: style -> the metadata box of its detail pages
BOXES: dict[str, Callable[[dict[str, str]], str]] = {
    "xxgk_table": strong_box,
    "county_zdgkc": strong_box,
    "county_li": strong_box,
    "county_table": strong_box,
    "hongdun_li": th_table,
    "gov_gl_list": syh_box,
    "county_gl_gbk": td_table,
}
