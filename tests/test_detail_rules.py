"""Detail-page and list-title rules real pages need: a 文号 printed without its label (a line
of its own under the heading, or in brackets at a title's end), 来源 that is not the
publisher, a page that closes `</html>` early, every spelling of the validity label, and labels
no table lists ending the value before them; generated spellings of each."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from connectors.families.detail import parse_detail_page
from connectors.families.docno import doc_no_in_title, doc_no_line, with_doc_no
from connectors.normalize import label_field

ISSUERS = st.text(alphabet="粤发改能源国办闽政浙江省府委局厅", min_size=1, max_size=8)
BRACKETS = st.sampled_from([("〔", "〕"), ("[", "]"), ("【", "】"), ("（", "）"), ("(", ")"), ("﹝", "﹞")])
SPACE = st.sampled_from(["", " ", "\u3000"])
URL = "http://x.gov.cn/ywtz/content/post_1.html"


@st.composite
def doc_nos(draw) -> str:
    opening, closing = draw(BRACKETS)
    year, number, sp = draw(st.integers(1990, 2030)), draw(st.integers(1, 99999)), draw(SPACE)
    return f"{draw(ISSUERS)}{sp}{opening}{year}{closing}{sp}{number}号"


@given(doc_nos(), SPACE)
def test_a_line_that_is_only_a_doc_no_is_one(doc_no: str, sp: str) -> None:
    assert doc_no_line(f"{sp}{doc_no}{sp}") == doc_no


@given(doc_nos(), st.sampled_from(["按照《通知》（{}）要求", "根据{}文件精神", "{}等文件", "（{}）的附件"]))
def test_a_doc_no_cited_in_running_text_is_not_the_page_s(doc_no: str, sentence: str) -> None:
    assert doc_no_line(sentence.format(doc_no)) is None


@given(doc_nos(), st.sampled_from(["(", "（"]), st.sampled_from([")", "）"]), SPACE)
def test_a_title_ending_in_its_doc_no_gives_it_and_keeps_it(doc_no: str, opening: str, closing: str, sp: str) -> None:
    title = f"关于印发《实施方案》的通知{opening}{sp}{doc_no}{sp}{closing}"
    assert doc_no_in_title(title) == doc_no
    assert with_doc_no({"title": title}) == {"title": title, "doc_no": doc_no}
    assert with_doc_no({"title": title, "doc_no": "表中的文号"})["doc_no"] == "表中的文号"  # a column wins
    assert doc_no_in_title(f"关于转发《办法》{opening}{doc_no}{closing}的通知") is None  # cited, not closing


def page(meta: str, box: str, body: str) -> str:
    return (
        f"<html><head><meta name='ArticleTitle' content='关于印发方案的通知'>{meta}</head><body>"
        f"<div class='info'>{box}</div><div class='content'>{body}</div></body></html>"
    )


@given(doc_nos(), st.sampled_from(["p style='text-align:center'", "div", "p"]))
def test_the_doc_no_line_under_a_heading_fills_the_doc_no(doc_no: str, tag: str) -> None:
    name = tag.split()[0]
    body = f"<p><strong>关于印发方案的通知</strong></p><{tag}>{doc_no}</{name}><p>各有关单位：现将方案印发给你们。</p>"
    assert parse_detail_page(page("", "<span>时间：2026-09-24</span>", body), URL, {}).fields["doc_no"] == doc_no
    labelled = page("", "<p>文号：闽政〔2012〕1号</p>", body)
    assert parse_detail_page(labelled, URL, {}).fields["doc_no"] == "闽政〔2012〕1号"  # a label wins


@given(
    st.sampled_from(["来源", "信息来源", "来　　源"]), st.sampled_from(["价格管理和成本监审处", "某某市人民政府网站"])
)
def test_the_source_is_not_the_publisher(label: str, source: str) -> None:
    meta = f"<meta name='ContentSource' content='{source}'>"
    fields = parse_detail_page(
        page(meta, f"<span>{label}：{source}</span><span>时间：2026-09-24</span>", ""), URL, {}
    ).fields
    assert "publisher_name" not in fields and fields["published_date"] == "2026-09-24"
    box = f"<p>发布机构：某某市发展改革委</p><p>{label}：{source}</p>"
    assert parse_detail_page(page(meta, box, ""), URL, {}).fields["publisher_name"] == "某某市发展改革委"


def test_a_page_whose_header_closes_html_early_is_read_whole() -> None:
    text = (
        "<html><head><title>x</title></head><body><div class='header'>头部</div></body></html>\n<!--end header-->"
        "<div class='box'><table><tr><td>发文机关：</td><td>国务院办公厅</td></tr>"
        "<tr><td>成文日期：</td><td>2026年09月25日</td></tr></table></div></body></html>"
    )
    fields = parse_detail_page(text, "https://www.gov.cn/zhengce/content_1.htm", {}).fields
    assert fields == {"publisher_name": "国务院办公厅", "written_date": "2026年09月25日"}


VALIDITY_LABELS = st.sampled_from(["有效性", "效力状态", "效力状况", "时效性", "有效状态", "是否有效"])
#: labels no synonym table lists: two to six Chinese characters
UNKNOWN_LABELS = st.text(alphabet="公开时限范围统一编号阅读次数审核人录入施行载体形式", min_size=2, max_size=6)


@given(VALIDITY_LABELS, st.sampled_from(["有效", "失效", "废止", "已修订"]), SPACE)
def test_every_spelling_of_the_validity_label_fills_the_validity(label: str, value: str, sp: str) -> None:
    box = f"<table><tr><td>文件编号</td><td>政府令187号</td><td>{label}{sp}</td><td>{value}</td></tr></table>"
    assert parse_detail_page(page("", box, "<p>正文。</p>"), URL, {}).fields["validity"] == value


@given(doc_nos(), UNKNOWN_LABELS, st.sampled_from(["：", ":", " ："]), SPACE)
def test_a_label_no_table_knows_still_ends_the_value_before_it(doc_no: str, other: str, colon: str, sp: str) -> None:
    assume(label_field(other, weak=True) is None)  # a label of a field's is no unknown one
    box = (
        f"<p>文件编号：{doc_no} {other}{colon}长期公开</p>"
        f"<p>发布机构：{sp}某市人民政府{sp} {other}{colon}某某</p><p>效力状况：有效</p>"
    )
    fields = parse_detail_page(page("", box, "<p>正文。</p>"), URL, {}).fields
    assert (fields["doc_no"], fields["publisher_name"], fields["validity"]) == (doc_no, "某市人民政府", "有效")


@given(
    st.sampled_from(["某某办法 实施细则：试行", "人民日报评论员 时评：稳字当头", "关于 公开征求意见：第二稿"]), SPACE
)
def test_a_title_keeps_a_colon_after_a_space(title: str, sp: str) -> None:
    box = f"<p>标题：{sp}{title}</p><p>发布机构：某市人民政府</p>"
    fields = parse_detail_page(page("", box, "<p>正文。</p>"), URL, {}).fields
    assert (fields["title"], fields["publisher_name"]) == (title, "某市人民政府")
