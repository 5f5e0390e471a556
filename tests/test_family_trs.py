"""TRS: the real saved Handan pages, row detection, pagination and loud failures."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from helpers.corpus import real_page

from connectors.errors import ChallengePage, LayoutChanged, StubPage
from connectors.families import trs
from connectors.normalize import normalize_fields
from connectors.records import Request

LIST_URL = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index.html"
DETAIL_URL = "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html"


@pytest.fixture(scope="module")
def real_list() -> str:
    return real_page("handan_trs_xxgk_list_saved.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def real_detail() -> str:
    return real_page("handan_trs_xxgk_detail_saved.html").read_text(encoding="utf-8")


@pytest.mark.corpus
def test_real_handan_listing(real_list: str) -> None:
    page = trs.parse_listing(real_list, Request(LIST_URL), {})
    assert len(page.rows) == 1  # the footer's t20170912_… links and the menus are not rows
    row = page.rows[0]
    assert row.url == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html"
    assert row.item_key == "t20200805_1353179"
    fields = normalize_fields(row.fields)
    assert fields["title"] == "邯郸市教育局关于印发《邯郸市学校安全工作目标管理考核办法》的通知"
    assert fields["index_no"] == "000014348/2020-35428"
    assert fields["publisher_name"] == "邯郸市教育局"
    assert fields["published_date"] == date(2020, 8, 5)
    assert page.page_count == 56
    assert page.advertised_total == 6348
    assert page.next_request == Request("http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_1.html")


@pytest.mark.corpus
def test_real_handan_listing_title_comes_from_the_title_attribute(real_list: str) -> None:
    cut = real_list.replace(
        "\n                                邯郸市教育局关于印发《邯郸市学校安全工作目标管理考核办法》的通知\n",
        "邯郸市教育局关于印发《邯郸市学校安全...",
    )
    assert cut != real_list
    row = trs.parse_listing(cut, Request(LIST_URL), {}).rows[0]
    assert row.fields["title"] == "邯郸市教育局关于印发《邯郸市学校安全工作目标管理考核办法》的通知"


@pytest.mark.corpus
def test_real_handan_detail(real_detail: str) -> None:
    detail = trs.parse_detail(real_detail, DETAIL_URL, {})
    fields = normalize_fields(detail.fields)
    assert fields["index_no"] == "000014348/2020-35147"
    assert fields["publisher_name"] == "邯郸市教育局"
    assert fields["title"] == "邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知"
    assert fields["doc_no"] is None and fields["doc_no_raw"] == "无"
    assert fields["topic"] == "教育"
    assert fields["published_date"] == date(2020, 8, 2)
    assert fields["written_date"] is None and fields["written_date_raw"] is None
    assert fields["flags"] is None
    assert detail.has_body is False  # the saved copy's body text was stripped
    assert detail.attachments == ()


@pytest.mark.corpus
def test_a_commented_out_label_is_what_hides_the_written_date(real_detail: str) -> None:
    uncommented = real_detail.replace(
        "<!--<p><strong>成文日期</strong>：2020年08月02日</p>-->",
        "<p><strong>成文日期</strong>：2020年08月01日</p>",
    )
    assert uncommented != real_detail
    fields = trs.parse_detail(uncommented, DETAIL_URL, {}).fields
    assert fields["written_date"] == "2020年08月01日"


@pytest.mark.corpus
def test_real_detail_without_its_metadata_box_falls_back_to_meta(real_detail: str) -> None:
    # ContentSource (邯郸市教育局 here) is the 来源, not the publisher: the real Jiangsu, gd-drc
    # and Pingtan pages print an office or the site there (docs/fields.md)
    start = real_detail.index('<div class="top cf">')
    end = real_detail.index('<div class="dhlm clearfix">')
    fields = trs.parse_detail(real_detail[:start] + real_detail[end:], DETAIL_URL, {}).fields
    assert fields == {
        "title": "邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知",
        "published_date": "2020年08月02日",
    }


@pytest.mark.corpus
def test_real_detail_gutted_raises(real_detail: str) -> None:
    start = real_detail.index('<div class="top cf">')
    end = real_detail.index('<div class="dhlm clearfix">')
    gutted = real_detail[:start] + real_detail[end:]
    gutted = gutted.replace('<meta name="ArticleTitle"', '<meta name="x"')
    gutted = gutted.replace('<meta name="PubDate"', '<meta name="y"')
    gutted = gutted.replace('<meta name="ContentSource"', '<meta name="z"')
    with pytest.raises(LayoutChanged, match="no metadata labels"):
        trs.parse_detail(gutted, DETAIL_URL, {})


@pytest.mark.corpus
def test_real_listing_without_its_table_rows_raises_with_what_was_looked_for(real_list: str) -> None:
    start = real_list.index("<tr>\n                            <td height")
    end = real_list.index("</tbody></table>")
    with pytest.raises(LayoutChanged, match="xxgk table with a header row"):
        trs.parse_listing(real_list[:start] + real_list[end:], Request(LIST_URL), {})


@pytest.mark.corpus
def test_real_last_page_has_no_next(real_list: str) -> None:
    last = real_list.replace("var currentPage=0;", "var currentPage=55;")
    url = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_55.html"
    assert trs.parse_listing(last, Request(url), {}).next_request is None
    middle = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_54.html"
    assert trs.parse_listing(last, Request(middle), {}).next_request == Request(
        "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_55.html"
    )


TABLE = """<html><head><title>t</title></head><body>{pad}<table>
<tr><th>发布日期</th><th>文号</th><th>标题</th><th>索 引 号</th></tr>
<tr><td>2012-03-05</td><td>龙工商〔2012〕1号</td><td><a href="./201203/t20120305_1.htm">甲</a></td><td>X/2012-00001</td></tr>
</table></body></html>"""


def test_table_columns_are_mapped_by_header_not_position() -> None:
    page = trs.parse_listing(
        TABLE.format(pad="<p>" + "说明" * 300 + "</p>"), Request("http://a.gov.cn/xxgk/index.html"), {}
    )
    assert page.rows[0].fields == {
        "published_date": "2012-03-05",
        "doc_no": "龙工商〔2012〕1号",
        "title": "甲",
        "index_no": "X/2012-00001",
    }
    assert page.next_request is None  # no pager: a single page


def test_stub_is_measured_in_bytes_not_characters() -> None:
    # 250 CJK characters are 750 UTF-8 bytes: not a stub, but a page without rows
    page = "<html><body>" + "无" * 250 + "</body></html>"
    with pytest.raises(LayoutChanged):
        trs.parse_listing(page, Request("http://a.gov.cn/x/index_9.html"), {})
    with pytest.raises(StubPage):
        trs.parse_listing("<html><body>" + "x" * 500 + "</body></html>", Request("http://a.gov.cn/"), {})


@pytest.mark.corpus
def test_a_portal_search_form_mentioning_captcha_is_not_a_challenge(real_list: str) -> None:
    with_captcha = real_list.replace("高级搜索", "高级搜索（需输入验证码）")
    assert len(trs.parse_listing(with_captcha, Request(LIST_URL), {}).rows) == 1


def test_challenge_in_detail_page_raises() -> None:
    page = "<html><head><title>安全验证</title></head><body><p>请稍候</p></body></html>"
    with pytest.raises(ChallengePage):
        trs.parse_detail(page, DETAIL_URL, {})


@pytest.mark.corpus
def test_option_selector_that_matches_nothing_is_named(real_list: str) -> None:
    with pytest.raises(LayoutChanged, match="rows selector 'div.nothing-here li'"):
        trs.parse_listing(real_list, Request(LIST_URL), {"rows": "div.nothing-here li"})


@pytest.mark.corpus
def test_malformed_option_selector_is_a_clear_error(real_list: str) -> None:
    with pytest.raises(LayoutChanged, match="bad CSS selector"):
        trs.parse_listing(real_list, Request(LIST_URL), {"rows": "div[[li"})


def test_hostile_title_attribute_loses_no_rows() -> None:
    page = (Path(__file__).parent / "fixtures" / "trs" / "xxgk_table_list.html").read_text("utf-8")
    hostile = "<script>alert(1)</script><!--<select>x"
    page = page.replace('title="龙岩市工商行政管理局关于开展', f'title="{hostile}龙岩市工商行政管理局关于开展', 1)
    rows = trs.parse_listing(page, Request("http://www.longyan.gov.cn/gk/gsj/index_3.shtml"), {}).rows
    assert len(rows) == 3
    assert rows[0].fields["title"].startswith(hostile)


@pytest.mark.corpus
def test_a_notice_about_verification_is_not_a_challenge(real_detail: str) -> None:
    page = real_detail.replace("全市教育系统安全专项整治三年行动实施方案", "网站安全验证码系统升级方案")
    fields = trs.parse_detail(page, DETAIL_URL, {}).fields
    assert "安全验证" in fields["title"]


def test_a_script_mentioning_captcha_on_a_short_page_is_not_mistaken_for_one() -> None:
    page = (
        "<html><head><title>通知</title><script>var s='验证码';</script></head><body>"
        "<p><strong>索引号</strong>：X/2012-00001</p><p><strong>名称</strong>：甲</p></body></html>"
    )
    assert trs.parse_detail(page, DETAIL_URL, {}).fields["index_no"] == "X/2012-00001"


def test_bold_labels_with_values_after_them_in_one_cell() -> None:
    page = """<html><head><title>定州</title></head><body><table class="article_introduce">
    <tr><td><b>索 引 号：</b>000747761/2016-00054</td><td><b>主题分类：</b>城乡建设</td></tr>
    <tr><td><b>发布机构：</b>定州市住建局</td><td><b>发文日期：</b>2016年03月01日</td></tr>
    <tr><td colspan="2"><b>名　　称：</b>关于加强建筑工地扬尘治理的通知</td></tr>
    <tr><td><b>文　　号：</b>定建〔2016〕5号</td><td><b>主 题 词：</b>扬尘</td></tr>
    </table></body></html>"""
    assert trs.parse_detail(page, DETAIL_URL, {}).fields == {
        "index_no": "000747761/2016-00054",
        "topic": "城乡建设",
        "publisher_name": "定州市住建局",
        "written_date": "2016年03月01日",
        "title": "关于加强建筑工地扬尘治理的通知",
        "doc_no": "定建〔2016〕5号",
    }


def test_several_labels_in_one_block_are_split_at_each_label() -> None:
    page = """<html><head><title>x</title></head><body><div class="info">
    <p>索引号：00315478-X/2012-00035　生成日期：2012-03-02　主题词：年检　发布机构：龙岩市工商局</p>
    </div></body></html>"""
    assert trs.parse_detail(page, DETAIL_URL, {}).fields == {
        "index_no": "00315478-X/2012-00035",
        "written_date": "2012-03-02",
        "publisher_name": "龙岩市工商局",
    }


@pytest.mark.xdist_group("timing")  # a wall-clock bound
def test_unclosed_scripts_and_tags_cost_linear_time() -> None:
    # 120,000 unclosed openers: a lazy regex rescanning to the end for each would take hours
    hostile = "<html><head><title>x</title></head><body>" + "<script <!-- <a " * 40_000
    started = time.perf_counter()
    with pytest.raises(ChallengePage):  # nothing visible, and a script that navigates
        trs.parse_listing(hostile + "location.href='/'", Request(LIST_URL), {})
    assert time.perf_counter() - started < 30  # linear work is well under a second here


def test_body_option_names_a_body_the_known_classes_miss() -> None:
    page = """<html><head><title>x</title></head><body>
    <div class="meta"><p>名称：甲</p><p>发布日期：2012-03-05</p></div>
    <div class="article-text"><p>发文日期：以印发之日为准。</p><p>正文</p></div></body></html>"""
    plain = trs.parse_detail(page, DETAIL_URL, {})
    assert plain.has_body is False and plain.fields["written_date"] == "以印发之日为准。"
    chosen = trs.parse_detail(page, DETAIL_URL, {"body": "div.article-text"})
    assert chosen.has_body is True
    assert chosen.fields == {"title": "甲", "published_date": "2012-03-05"}


def test_a_category_link_before_the_title_is_not_the_item() -> None:
    items = "".join(
        f'<li><a href="../zcwj/">[政策文件]</a><a href="./201203/t2012030{n}_{n}.htm">关于第{n}项工作的通知</a>'
        f"<span>2012-03-0{n}</span></li>"
        for n in (1, 2)
    )
    page = (
        f"<html><head><title>x</title></head><body><div class='list'><ul>{items}</ul></div>"
        f"<p>{'说明' * 200}</p></body></html>"
    )
    rows = trs.parse_listing(page, Request("http://a.gov.cn/gk/index.html"), {}).rows
    assert [(r.item_key, r.fields["title"]) for r in rows] == [
        ("t20120301_1", "关于第1项工作的通知"),
        ("t20120302_2", "关于第2项工作的通知"),
    ]


def test_labels_written_straight_into_divs_are_read() -> None:
    page = """<html><head><meta name="ArticleTitle" content="关于开展年检的通知"><title>x</title></head>
    <body><ul class="nav"><li><a href="/">首页</a></li></ul>
    <div class="xxgk_info"><div class="item">索引号：00315478-X/2012-00035</div>
    <div class="item">发布机构：龙岩市工商局</div></div>
    <div class="TRS_Editor"><div>正文</div></div></body></html>"""
    detail = trs.parse_detail(page, DETAIL_URL, {})
    assert detail.fields == {
        "title": "关于开展年检的通知",
        "index_no": "00315478-X/2012-00035",
        "publisher_name": "龙岩市工商局",
    }
    assert detail.has_body is True


def test_without_a_known_pager_script_a_rendered_next_link_is_followed() -> None:
    page = TABLE.format(pad="<p>" + "说明" * 300 + "</p>").replace(
        "</table>", '</table><div class="page"><a href="index_2.htm">下一页</a></div>'
    )
    nxt = trs.parse_listing(page, Request("http://a.gov.cn/xxgk/index_1.htm"), {}).next_request
    assert nxt == Request("http://a.gov.cn/xxgk/index_2.htm")
    last = page.replace("index_2.htm", "index_1.htm")
    assert trs.parse_listing(last, Request("http://a.gov.cn/xxgk/index_2.htm"), {}).next_request is None


def test_a_label_with_an_empty_value_takes_nothing_that_follows_it() -> None:
    """Fujian boxes print a label with nothing after it when a field is empty; the next
    span's label, the next box and the body must not become its value."""
    page = (
        '<html><head><meta name="ArticleTitle" content="关于开展统计工作的通知"></head><body>'
        '<div class="syh"><div class="syh_box">'
        '<div class="syh_con"><span>索 引 号：00315478-X/2012-00232</span>'
        "<span>文　　号：</span><span>发布机构：龙岩市工商局企业注册科</span></div>"
        '<div class="syh_con"><span>发布日期：2012-12-24</span><span>主题分类：</span></div>'
        "</div></div>"
        '<div class="TRS_Editor"><p>各有关单位：现就有关事项通知如下。</p></div></body></html>'
    )
    fields = trs.parse_detail(page, DETAIL_URL, {}).fields
    assert "doc_no" not in fields
    assert "topic" not in fields
    assert fields["publisher_name"] == "龙岩市工商局企业注册科"
    assert fields["index_no"] == "00315478-X/2012-00232"
    assert fields["published_date"] == "2012-12-24"


def _page_of(body: str) -> str:
    return f"<html><body>{body}{'<p>正文以外的文字</p>' * 60}</body></html>"


def test_dated_items_in_a_rows_pop_up_list_are_not_rows_of_the_listing() -> None:
    rows = "".join(
        f'<li><a href="./201203/t2012030{n}_{n}.html" title="文件{n}">文件{n}</a>'
        f'<div class="popbox"><ul><li><a href="../jd/201203/t2012030{n}_{n}0.html" title="关于文件{n}的很长很长的解读">'
        f"关于文件{n}的很长很长的解读</a><span>2012-03-0{n}</span></li></ul></div><span>2012-03-0{n}</span></li>"
        for n in range(1, 6)
    )
    page = trs.parse_listing(
        _page_of(f'<div class="list"><ul>{rows}</ul></div>'),
        Request("http://www.example.gov.cn/xxgk/tzgg/index.html"),
        {},
    )
    assert [row.item_key for row in page.rows] == [f"t2012030{n}_{n}" for n in range(1, 6)]
    assert [row.fields["title"] for row in page.rows] == [f"文件{n}" for n in range(1, 6)]
    assert page.unreadable_rows == ()


def test_a_sidebar_fools_the_reader_by_size_only_when_nothing_else_tells() -> None:
    """The side box has more rows; the pager's kinship picks the list even when both link
    into the listing's folder (and so does the folder alone, with no pager)."""
    side = "".join(
        f'<li><a href="./202201/t2022010{n}_{n}.html" title="热点{n}">热点{n}</a><span>2022-01-0{n}</span></li>'
        for n in range(1, 9)
    )
    listed = "".join(
        f'<li><a href="./201203/t2012030{n}_{n}.html" title="文件{n}">文件{n}</a><span>2012-03-0{n}</span></li>'
        for n in range(1, 3)
    )
    pager = '<div class="page"><a href="index_3.html">上一页</a></div>'
    body = (
        f'<div class="main"><div class="col_l"><div class="hot"><ul>{side}</ul></div></div>'
        f'<div class="col_r"><div class="lst"><ul>{listed}</ul></div>{pager}</div></div>'
    )
    page = trs.parse_listing(_page_of(body), Request("http://www.example.gov.cn/xxgk/tzgg/index_4.html"), {})
    assert [row.fields["title"] for row in page.rows] == ["文件1", "文件2"]
    without_pager = body.replace(pager, "")
    page = trs.parse_listing(_page_of(without_pager), Request("http://www.example.gov.cn/xxgk/tzgg/index_4.html"), {})
    assert len(page.rows) == 8  # nothing tells them apart but size: documented, and why the pager matters
