"""Recognition from many marks, over generated pages of each family: document links in their
spellings, pager scripts of any kind or none, meta tags, template names, API shells; pages of
no family with a dated list are generic; one shared mark alone (a pager script) names nothing."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.families.recognise import recognise

EXT = st.sampled_from(["html", "htm", "shtml"])
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
NOISE = st.lists(st.sampled_from(["首页", "机构概况", "政策文件", "互动交流", "办事服务"]), max_size=5)


def menu(names: list[str]) -> str:
    """A navigation menu: links without dates, to pages of no family's shape."""
    return "<ul class='nav'>" + "".join(f"<li><a href='/{i}/'>{n}</a></li>" for i, n in enumerate(names)) + "</ul>"


def html(head: str, body: str, noise: list[str]) -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>目录</title>{head}</head><body>{menu(noise)}{body}</body></html>"


@st.composite
def trs_links(draw, least: int, most: int) -> str:
    """Rows linking `./YYYYMM/tYYYYMMDD_ID.ext` documents, relative or absolute."""
    out = []
    for n in range(draw(st.integers(least, most))):
        day, ext = draw(DAYS), draw(EXT)
        path = f"{day:%Y%m}/t{day:%Y%m%d}_{1000 + n}.{ext}"
        href = draw(st.sampled_from([f"./{path}", f"http://www.x.gov.cn/zwgk/zcwj/{path}", f"../zcwj/{path}"]))
        out.append(f"<li><a href='{href}' title='第{n}号'>第{n}号</a><span>{day:%m-%d}</span></li>")
    return "<div class='list'><ul>" + "".join(out) + "</ul></div>"


PAGERS = st.sampled_from(
    [
        "",  # a column that pages with a script of its own, or not at all
        "<script src='../../js/fenye.js'></script>",
        '<div class=\'page\'><script>createPageHTML(12, 0, "index", "html");</script></div>',
        "<script>var currentPage = 0;//所在页从0开始\nvar countPage = 16//共多少页</script>",
        "<script>var pageChnlInfo={recordCount:'107', prepage:15};</script>",
    ]
)
TRS_HEADS = st.sampled_from(
    [
        "<meta name='ChnlId' content='1780'>",
        '<meta name="DocId" content="97999"/>',
        "",
    ]
)


@settings(max_examples=60)
@given(trs_links(5, 25), PAGERS, TRS_HEADS, NOISE)
def test_a_column_of_trs_document_links_is_trs_whatever_its_pager(rows: str, pager: str, head: str, noise) -> None:
    found = recognise(html(head, rows + pager, noise), "http://www.x.gov.cn/zwgk/zcwj/")
    assert (found.family, found.platform) == ("trs", "trs"), found.evidence
    assert any("tYYYYMMDD_ID" in mark for mark in found.marks)


@settings(max_examples=60)
@given(trs_links(1, 4), NOISE, st.data())
def test_a_few_trs_links_need_other_trs_marks(rows: str, noise, data) -> None:
    extra = data.draw(
        st.lists(
            st.sampled_from(
                [
                    "<script>createPageHTML(3, 0, 'index', 'htm');</script>",
                    "<a href='./' class='CurrChnlCls'>通知</a>",
                    "<meta name='ChnlId' content='12'>",
                    "<a href='./202001/P020200101123456789.pdf'>附件</a>",
                ]
            ),
            min_size=2,
            max_size=4,
            unique=True,
        )
    )
    found = recognise(html("", rows + "".join(extra), noise), "http://www.x.gov.cn/zwgk/zcwj/index.html")
    assert found.family == "trs", found.evidence


@settings(max_examples=40)
@given(st.sampled_from(["createPageHTML(20, 0, 'index', 'html');", "var countPage = 5;"]), NOISE)
def test_a_pager_script_alone_names_no_family(pager: str, noise) -> None:
    links = "".join(f"<a href='index_{n}.html'>{n + 1}</a>" for n in range(1, 5))
    found = recognise(html("", f"<div class='page'>{links}<script>{pager}</script></div>", noise), "http://a.gov.cn/x/")
    assert found.family is None and found.platform is None


@settings(max_examples=40)
@given(st.integers(3, 30), st.sampled_from(["[{d}]", "{d}", "({d})"]), NOISE)
def test_a_dated_list_of_no_family_is_generic_even_with_a_trs_style_pager(rows: int, shape: str, noise) -> None:
    # the Guangdong department sites: post_N links, ' [YYYY-MM-DD]', createPageHTML and index_N
    items = "".join(
        f"<li><a href='https://drc.x.gov.cn/ywtz/content/post_{4900000 + n}.html' title='通知{n}'>通知{n}</a>"
        f"<span>{shape.format(d=f'2026-0{n % 9 + 1}-1{n % 9}')}</span></li>"
        for n in range(rows)
    )
    pager = "<div class='page'><a href='index_2.html'>2</a><script>createPageHTML(totalPage, 0, 'index', 'html');</script></div>"
    found = recognise(
        html("", f"<ul class='comlist'>{items}</ul>{pager}", noise), "https://drc.x.gov.cn/ywtz/index.html"
    )
    assert found.family == "generic", found.evidence
    assert found.marks[0] == f"a list of {rows} sibling rows, each one link and one date"


@st.composite
def datastore(draw) -> str:
    records = "".join(
        f"<record><![CDATA[<li><a href='/art/{d.year}/{d.month}/{d.day}/art_{col}_{n}.html' title='文{n}'>文{n}</a>"
        f"<span>{d}</span></li>]]></record>"
        for n, d in enumerate(draw(st.lists(DAYS, min_size=1, max_size=15)))
        for col in [draw(st.integers(1, 99999))]
    )
    return f"<div id='1'><script type='text/xml'><datastore><recordset>{records}</recordset></datastore></script></div>"


@settings(max_examples=40)
@given(datastore(), NOISE)
def test_a_column_with_a_jpage_datastore_is_hanweb(store: str, noise) -> None:
    found = recognise(html("<meta name='WebId' content='3'>", store, noise), "http://x.gov.cn/col/col284/index.html")
    assert (found.family, found.platform) == ("hanweb", "hanweb"), found.evidence


@settings(max_examples=40)
@given(
    st.permutations(
        ["id='0d3d'", "src='/cms_files/default/script/AuthorizedRead/unitbuild.js'", "webId='3185'", "URL"]
    ),
    st.sampled_from(["'", '"']),
    NOISE,
)
def test_a_jpaas_shell_is_recognised_in_any_attribute_order(attributes, quote: str, noise) -> None:
    query = "{'parseType':'bulidstatic','webId':'3185','tagId':'信息列表','pageId':'1229565788'}"
    other = '"' if quote == "'" else "'"
    url = f"url={quote}/api-gateway/jpaas-publish-server/front/page/build/unit{quote} queryData={other}{query}{other}"
    script = "<script " + " ".join(url if a == "URL" else a for a in attributes) + "></script>"
    found = recognise(
        html("<meta name='ColId' content='1229565788'>", script, noise), "https://x.gov.cn/col/col1229565788/index.html"
    )
    assert (found.family, found.platform) == ("jpaas", "jpaas"), found.evidence


@given(st.sampled_from(["2", "'2'", '"2"']), st.sampled_from(["", " ", "\n  "]))
def test_a_gkmlpt_index_names_its_entry(sid: str, space: str) -> None:
    page = html(f"<script>window._CONFIG = {{{space}SID:{space}{sid},{space}TREE: []}};</script>", "", [])
    found = recognise(page, "http://www.x.gov.cn/gkmlpt/index?x=1")
    assert (found.family, found.platform, found.url) == ("gkmlpt", "gkmlpt", "http://www.x.gov.cn/gkmlpt/index")


@given(st.sampled_from(["2", "'2'", '"2"']), st.sampled_from(["yjzj", "zxts", "wsdc"]))
def test_a_config_object_with_a_sid_is_gkmlpt_only_beside_its_paths(sid: str, section: str) -> None:
    """Guangdong's 互动平台 prints a `_CONFIG` with a SID on its consultation pages too."""
    config = f"<script>window._CONFIG = {{SID: {sid}, SITE_NAME: '广东省发展和改革委员会'}};</script>"
    elsewhere = recognise(html(config, "<p>意见征集</p>", []), f"http://drc.gd.gov.cn/hdjlpt/{section}/answer/1")
    assert elsewhere.family != "gkmlpt", elsewhere.evidence
    script = "<script src='/gkmlpt/static/js/app.js'></script>"
    beside = recognise(html(config + script, "", []), f"http://www.x.gov.cn/hdjlpt/{section}/answer/1")
    assert beside.family == "gkmlpt", beside.evidence


def test_detail_pages_name_their_family_but_no_entry() -> None:
    trs = html("<meta name='ArticleTitle' content='甲'>", "<div class='TRS_Editor'><p>正文</p></div>", [])
    found = recognise(trs, "http://x.gov.cn/zwgk/202001/t20200101_1.html")
    assert (found.family, found.platform) == ("trs", None) and "listing" in found.note
    govcn = html("", "<div class='policyLibraryOverview_header'><table><tr><td>标题：</td></tr></table></div>", [])
    found = recognise(govcn, "https://www.gov.cn/zhengce/zhengceku/202609/content_7082302.htm")
    assert (found.family, found.platform) == ("govcn", None) and "search-gov" in found.note


def test_api_answers_are_named_by_their_json() -> None:
    assert recognise(json.dumps({"code": 200, "searchVO": {}}), "https://x.gov.cn/s").platform == "govcn"
    assert recognise(json.dumps({"error": False, "datas": []}), "https://x.gov.cn/s").platform == "ssp"
    unit = {
        "success": True,
        "data": {"html": "<table unitUrl='/api-gateway/jpaas-publish-server/front/page/build/unit'>"},
    }
    found = recognise(json.dumps(unit), "https://x.gov.cn/api")
    assert (found.family, found.platform) == ("jpaas", None) and "column shell" in found.note


@given(st.integers(2, 4), st.integers(3, 8), NOISE)
def test_a_proposal_joining_several_panes_says_so(panes: int, rows: int, noise) -> None:
    """Tab panes of one template (one shown, the others hidden by a style) are several lists;
    a rows selector reading them all reads more than the largest run of sibling rows."""

    def pane(p: int) -> str:
        style = "" if p == 0 else " style='display: none;'"
        items = "".join(
            f"<li><span class='date'>2019-02-1{i}</span><a href='/xxgk/col{p}/content_{p}{i}'>栏目{p}第{i}号</a></li>"
            for i in range(rows)
        )
        return f"<ul{style}>{items}</ul>"

    page = html("", "<div class='bd5'>" + "".join(pane(p) for p in range(panes)) + "</div>", noise)
    found = recognise(page, "http://www.x.gov.cn/")
    assert found.platform == "generic", found.evidence
    assert found.note is not None and f"reads {panes * rows} rows" in found.note and f"holds {rows}" in found.note
    single = recognise(html("", "<div class='bd5'>" + pane(0) + "</div>", noise), "http://www.x.gov.cn/")
    assert single.platform == "generic" and single.note is None
