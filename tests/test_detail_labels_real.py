"""Detail-page label rules that real metadata boxes need: a value that says nothing (`-`, 无)
never replaces one that does, whichever comes first or from which tier (a hidden widget's
`发布时间：-` must not erase the page's PubDate); labels written in brackets without a colon
(`[发文机构]<span>…</span>`); the publisher and date labels of more templates (制发机关,
报送单位, 制发日期 …); 主办单位 as a catalog table's cell but never in a footer's text; and a
label inside a document body that is no metadata. Generated spellings of each."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.families.detail import parse_detail_page

URL = "http://x.gov.cn/art/2026/9/9/art_1_2.html"
PLACEHOLDERS = st.sampled_from(["-", "—", "无", "暂无", "/", "－－", " "])
DATES = st.dates().map(lambda d: d.isoformat())
UNITS = st.sampled_from(["国家能源局", "天津市财政局", "北京市医疗保障局", "某县人民政府办公室"])
SPACE = st.sampled_from(["", " ", "\u3000"])


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}<div class='footer'>版权所有 某某网站</div></body></html>"


def meta(title: str = "关于印发方案的通知", date: str | None = None) -> str:
    pub = f"<meta name='PubDate' content='{date}'>" if date else ""
    return f"<meta name='ArticleTitle' content='{title}'>{pub}"


@given(DATES, PLACEHOLDERS, st.sampled_from(["发布时间", "发布日期"]))
def test_a_hidden_template_s_placeholder_does_not_erase_the_meta_date(day: str, placeholder: str, label: str) -> None:
    widget = (
        "<div class='tpl' style='display: none'><div class='row time-row'>"
        f"<span>{label}：</span> <span class='create-time'>{placeholder}</span> <span>结束时间：</span></div></div>"
    )
    fields = parse_detail_page(page(meta(date=day), widget + "<p>正文。</p>"), URL, {}).fields
    assert fields["published_date"] == day


@given(DATES, PLACEHOLDERS, st.booleans())
def test_between_two_printings_of_a_label_the_one_that_says_something_wins(
    day: str, placeholder: str, empty_first: bool
) -> None:
    values = [placeholder, day] if empty_first else [day, placeholder]
    box = "".join(f"<p>发布日期：{value}</p>" for value in values)
    assert parse_detail_page(page(meta(), box), URL, {}).fields["published_date"] == day


LABELLED = st.sampled_from(
    [
        ("发文机构", "publisher_name", "北京市医疗保障局"),
        ("成文日期", "written_date", "2026-09-01"),
        ("发文字号", "doc_no", "京医保发〔2026〕12号"),
        ("主题分类", "topic", "卫生、体育"),
        ("有效性", "validity", "有效"),
    ]
)
BRACKETS = st.sampled_from([("[", "]"), ("【", "】"), ("［", "］"), ("[ ", " ]")])


@given(st.lists(LABELLED, min_size=1, max_size=5, unique_by=lambda x: x[0]), BRACKETS, SPACE)
def test_bracketed_labels_without_a_colon_are_labels(labelled, brackets, sp: str) -> None:
    opening, closing = brackets
    items = "".join(f"<li>{opening}{label}{closing}{sp}<span>{value}</span></li>" for label, _, value in labelled)
    fields = parse_detail_page(page(meta(), f"<ol class='doc-info'>{items}</ol><p>正文。</p>"), URL, {}).fields
    assert {field: fields.get(field) for _, field, _ in labelled} == {field: value for _, field, value in labelled}


@given(
    st.sampled_from(["制发机关", "发布部门", "责任部门", "报送单位"]),
    UNITS,
    st.sampled_from(["p", "cells", "strong"]),
    SPACE,
)
def test_more_publisher_labels_name_the_publisher(label: str, unit: str, form: str, sp: str) -> None:
    box = {
        "p": f"<p>{label}：{sp}{unit}</p>",
        "cells": f"<table><tr><td>{label}：</td><td>{sp}{unit}</td></tr></table>",
        "strong": f"<p><strong>{label}：</strong>{unit}</p>",
    }[form]
    assert parse_detail_page(page(meta(), box), URL, {}).fields["publisher_name"] == unit


@given(DATES, UNITS, st.sampled_from([":", "：", ""]))
def test_a_catalog_entry_s_table_of_unit_and_dates_is_read(day: str, unit: str, colon: str) -> None:
    rows = (
        f"<tr><td><span class='STYLE10'>公开事项名称{colon}</span></td><td>关于披露的通知</td></tr>"
        f"<tr><td><span class='STYLE10'>主办单位{colon}</span></td><td>{unit}</td></tr>"
        f"<tr><td><span class='STYLE10'>制发日期{colon}</span></td><td>{day}</td></tr>"
    )
    fields = parse_detail_page(page("", f"<table>{rows}</table><p>正文。</p>"), URL, {}).fields
    assert (fields["title"], fields["publisher_name"], fields["written_date"]) == ("关于披露的通知", unit, day)


@given(UNITS, st.sampled_from(["p", "div", "td"]))
def test_the_site_operator_in_a_footer_is_no_publisher(unit: str, tag: str) -> None:
    footer = f"<{tag}>主办单位：{unit} 承办单位：某市大数据中心 网站标识码：1234</{tag}>"
    if tag == "td":
        footer = f"<table><tr>{footer}</tr></table>"
    fields = parse_detail_page(page(meta(), f"<p>正文。</p>{footer}"), URL, {}).fields
    assert fields.get("publisher_name") is None


@given(st.sampled_from(["div class='vF_detail_content'", "div class='article-content'", "div id='detailContent'"]))
def test_labels_inside_the_document_body_are_no_metadata(opening: str) -> None:
    body = (
        f"<{opening}><table><tr><td>标包：A</td></tr><tr><td>名称：6#7#9#学生公寓改造</td></tr></table>"
        "<p>发布日期：2019-01-01</p></div>"
    )
    fields = parse_detail_page(page(meta(date="2025-07-14"), body), URL, {}).fields
    assert (fields["title"], fields["published_date"]) == ("关于印发方案的通知", "2025-07-14")
