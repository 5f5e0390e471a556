"""The generic family: rows read by a portal's CSS selectors, and the selectors
`propose_selectors` proposes for a list page no family knows.

Generated list pages (ul/li, div/div or table/tr rows, unclassed, of one class or of classes
taken in turn, in blocks of random classes, with a menu of links without dates, a smaller
side box of dated links, a "more" link and a pager) must give a proposal that reads exactly
the generated rows; so must the real saved pages of the NDRC, the MOF's Zhejiang office, the
Guangdong DRC and Pingtan, checked against their hand labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urljoin

import pytest
from helpers.corpus import real_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import LayoutChanged, NoRows, PageError
from connectors.families import generic
from connectors.families.base import soup
from connectors.families.generic.pager import next_request, page_index
from connectors.families.generic.propose_pager import propose_pager
from connectors.families.selected import SELECTOR_OPTIONS, row_title, selector_problem
from connectors.normalize import canonical_url, parse_date
from connectors.records import Request

URL = "http://www.example.gov.cn/xxgk/tzgg/index.html"
CLASS_NAMES = ["list", "news", "con_list", "lb", "zwgk-list", "item", "main", "side", "hot", "nav", "menu", "box"]
CHARS = "关于通知印发工作方案年度报告的开展做好公告县市政府办公室实施意见规划"
#: (printed form, what a date found in bare text reads as)
DATE_FORMS = [
    ("{y}-{m:02d}-{d:02d}", "{y}-{m:02d}-{d:02d}"),
    ("{y}/{m:02d}/{d:02d}", "{y}/{m:02d}/{d:02d}"),
    ("{y}年{m}月{d}日", "{y}年{m}月{d}日"),
    ("[{y}-{m:02d}-{d:02d}]", "{y}-{m:02d}-{d:02d}"),
    ("{y}.{m:02d}.{d:02d}", "{y}.{m:02d}.{d:02d}"),
]
HREFS = ["./2012{m:02d}/t2012{m:02d}{d:02d}_{i}.html", "/art/2012/{m}/{d}/art_12_{i}.html", "content.jsp?id={i}"]


@dataclass(frozen=True)
class Row:
    href: str
    title: str
    shown: str  # the link's text: the title, or its start cut with an ellipsis
    attribute: bool  # whether the link carries the title attribute
    printed: str  # the date as printed
    bare: bool  # printed in the row's text, not in an element of its own
    date_tag: str
    bare_value: str

    def html(self, shape: str, date_class: str, row_class: str) -> str:
        title = f' title="{escape(self.title)}"' if self.attribute else ""
        link = f'<a href="{self.href}"{title} target="_blank">{escape(self.shown)}</a>'
        date = f"<{self.date_tag}{date_class}>{self.printed}</{self.date_tag}>"
        if shape == "table":
            return f"<tr{row_class}><td>{link}</td><td>{self.printed}</td></tr>"
        row_tag = "li" if shape == "ul" else "div"
        return f"<{row_tag}{row_class}>{link} {self.printed if self.bare else date}</{row_tag}>"


@st.composite
def rows(draw, shape: str) -> list[Row]:
    count = draw(st.integers(3, 15))
    form, bare_form = draw(st.sampled_from(DATE_FORMS))
    href = draw(st.sampled_from(HREFS))
    bare = shape != "table" and draw(st.booleans())
    date_tag = draw(st.sampled_from(["span", "em", "i", "b", "font"]))
    out = []
    for i in range(count):
        title = draw(st.text(alphabet=CHARS, min_size=4, max_size=30))
        cut = len(title) > 8 and draw(st.booleans())
        shown = (
            title[: draw(st.integers(2, len(title) - 2))] + draw(st.sampled_from(["...", "…", "……", ".."]))
            if cut
            else title
        )
        m, d = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        out.append(
            Row(
                href=href.format(m=m, d=d, i=1000 + i),
                title=title,
                shown=shown,
                attribute=cut or draw(st.booleans()),
                printed=form.format(y=2012, m=m, d=d),
                bare=bare,
                date_tag=date_tag,
                bare_value=bare_form.format(y=2012, m=m, d=d),
            )
        )
    return out


PAGERS = {
    "none": "",
    "next": '<div class="page"><a href="index_1.html">下一页</a> <a href="index_4.html">尾页</a></div>',
    "numbered": '<div class="page"><span>1</span> <a href="index_1.html">2</a> <a href="index_2.html">3</a></div>',
    "script": '<div class="page"><script>createPageHTML(5, 0, "index", "html");</script></div>',
}


@st.composite
def list_pages(draw) -> tuple[str, list[Row], str]:
    shape = draw(st.sampled_from(["ul", "div", "table"]))
    names = draw(st.lists(st.sampled_from(CLASS_NAMES), min_size=4, max_size=4, unique=True))
    main, side, nav, date_class = names
    listed = draw(rows(shape))
    pager = draw(st.sampled_from(sorted(PAGERS)))
    date_attr = f' class="{date_class}"' if draw(st.booleans()) else ""
    menu = "".join(f'<li><a href="/col{i}/">栏目{i}</a></li>' for i in range(draw(st.integers(3, 30))))
    side_rows = "".join(
        f'<li><a href="/zxxx/{i}.html">县政府召开第{i}次常务会议</a><span>2011-12-{i + 1:02d}</span></li>'
        for i in range(draw(st.integers(1, len(listed) - 1)))
    )
    row_classes = draw(st.sampled_from([("",), (' class="item"',), (' class="odd"', ' class="even"')]))
    body = "".join(row.html(shape, date_attr, row_classes[i % len(row_classes)]) for i, row in enumerate(listed))
    more = '<a href="more.html">更多&gt;&gt;</a>'
    if shape == "ul":
        block = f"<h2>通知公告{more}</h2><ul>{body}</ul>"
    elif shape == "div":
        block = f'<div class="lm">通知公告</div>{body}<div class="more">{more}</div>'
    else:
        block = f'<table width="100%">{body}<tr><td colspan="2">{more}</td></tr></table>'
    columns = [f'<div class="{side}"><h3>最新信息</h3><ul>{side_rows}</ul></div>']
    columns.insert(draw(st.integers(0, 1)), f'<div class="{main}">{block}{PAGERS[pager]}</div>')
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
        f'<div class="{nav}"><ul>{menu}</ul></div><div class="wrap">{"".join(columns)}</div>'
        "<div>版权所有：某县人民政府 地址：某县某路1号</div></body></html>"
    )
    return page, listed, pager


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(list_pages())
def test_the_proposal_reads_exactly_the_generated_rows(generated) -> None:
    page, listed, pager = generated
    options = generic.propose_selectors(page.encode("utf-8"), URL)
    assert options is not None, page
    read = generic.parse_listing(page, Request(URL), options)
    assert [row.url for row in read.rows] == [canonical_url(row.href, URL) for row in listed]
    assert [row.fields["title"] for row in read.rows] == [row.title for row in listed]
    assert [row.fields["published_date"] for row in read.rows] == [
        row.bare_value if row.bare else row.printed for row in listed
    ]
    assert read.unreadable_rows == ()
    following = read.next_request.url if read.next_request else None
    assert following == (None if pager == "none" else urljoin(URL, "index_1.html"))
    if pager in ("numbered", "script"):
        assert (options["pager"], options["first_page"]) == ("index_{n}.html", "1")


# -- the real saved pages -----------------------------------------------------------------------

REAL_NEXT = {
    "06_ndrc_listing.html": "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html",
    "09_mof-zj_listing.html": "https://zj.mof.gov.cn/caizhengjiancha/index_1.htm",
    "10_mof-zj_listing.html": "https://zj.mof.gov.cn/caizhengjiancha/index_2.htm",
    "11_gd-drc_listing.html": "https://drc.gd.gov.cn/ywtz/index_2.html",
    "13_pingtan_listing.html": None,
}


def label_of(name: str) -> dict:
    """The hand label of a real saved page (expected.json beside the pages)."""
    labels = json.loads(real_page("expected.json").read_text("utf-8"))
    return next(entry for entry in labels if entry["file"] == f"pages/{name}")


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(REAL_NEXT))
def test_a_real_list_page_is_proposed_and_read_as_labelled(name: str) -> None:
    label = label_of(name)
    body = real_page(f"pages/{name}").read_bytes()
    options = generic.propose_selectors(body, label["url"])
    assert options is not None
    read = generic.parse_listing(body.decode("utf-8"), Request(label["url"]), options)
    assert len(read.rows) == label["rows"] and read.unreadable_rows == ()
    by_url = {row.url: row for row in read.rows}
    for sample in label["samples"]:
        row = by_url[canonical_url(sample["href"], label["url"])]
        assert row.fields["title"] == sample["title"]
        assert str(parse_date(row.fields["published_date"])[0]) == sample["date"]
    assert (read.next_request.url if read.next_request else None) == REAL_NEXT[name]


@pytest.mark.corpus
def test_the_ndrc_proposal_skips_the_related_reading_and_the_spacers() -> None:
    label = label_of("06_ndrc_listing.html")
    options = generic.propose_selectors(real_page("pages/06_ndrc_listing.html").read_bytes(), label["url"])
    assert options == {
        "rows": "ul.u-list > li",
        "title": "a",
        "date": "span",
        "pager": "index_{n}.html",
        "first_page": "1",
    }
    read = generic.parse_listing(
        real_page("pages/06_ndrc_listing.html").read_text("utf-8"), Request(label["url"]), options
    )
    assert read.page_count == label["pages"] == 20
    assert not any("/jd/" in row.url for row in read.rows)  # the pop-ups' 解读 links are no rows


# -- the recorded pages: the proposal reads what the hand-written options read -----------------

FIXTURES = Path(__file__).parent / "fixtures" / "generic"
LISTINGS = [
    path
    for path in sorted(FIXTURES.glob("*.expected.json"))
    if json.loads(path.read_text("utf-8"))["kind"] == "listing" and "raises" not in path.read_text("utf-8")
]


@pytest.mark.parametrize("path", LISTINGS, ids=lambda p: p.name)
def test_the_proposal_for_a_recorded_page_reads_its_rows(path: Path) -> None:
    spec = json.loads(path.read_text("utf-8"))
    body = (FIXTURES / spec["page"]).read_bytes()
    options = generic.propose_selectors(body, spec["request"]["url"])
    assert options is not None
    read = generic.parse_listing(body.decode(spec.get("encoding", "utf-8")), Request(spec["request"]["url"]), options)
    wanted = [(row["url"], row["fields"]["title"], row["fields"]["published_date"]) for row in spec["rows"]]
    assert [(row.url, row.fields["title"], row.fields["published_date"]) for row in read.rows] == wanted
    assert (read.next_request.url if read.next_request else None) == (spec["next_request"] or {}).get("url")


# -- the rules, one by one ---------------------------------------------------------------------


@given(
    title=st.text(alphabet=CHARS, min_size=6, max_size=40),
    cut=st.integers(1, 5),
    ellipsis=st.sampled_from(["...", "…", "……", "..", "⋯", ""]),
)
def test_the_title_attribute_wins_over_cut_text(title: str, cut: int, ellipsis: str) -> None:
    shown = title[: len(title) - cut] + ellipsis
    link = soup(f'<a href="/a.html" title="{title}">{shown}</a>').a
    assert row_title(link, link) == title


@pytest.mark.parametrize("attribute", ["点击查看", "详细内容", "通知公告"])
def test_a_title_attribute_that_is_not_the_title_loses_to_the_whole_text(attribute: str) -> None:
    link = soup(f'<a href="/a.html" title="{attribute}">关于开展2012年春季植树造林活动的通知</a>').a
    assert row_title(link, link) == "关于开展2012年春季植树造林活动的通知"


@given(
    words=st.one_of(
        st.builds(
            str.format,
            st.sampled_from(["{}", " {} ", "{}>>", "{} >", "{}»", "\u3000{}", "{}&gt;"]),
            st.sampled_from(["下一页", "下页", "下一頁", "next", "Next", "NEXT"]),
        ),
        st.builds(str.format, st.sampled_from(["{}", " {} ", "\u3000{}"]), st.sampled_from(["&gt;", ">", "›"])),
    )
)
def test_a_next_link_is_known_by_its_words(words: str) -> None:
    doc = soup(f'<div class="pg"><a href="index.html">上一页</a><a href="index_2.html">{words}</a></div>')
    options = propose_pager(doc, "", "http://a.gov.cn/x/index_1.html", set())
    assert "next" in options
    read = next_request(doc, Request("http://a.gov.cn/x/index_1.html"), options, None)
    assert read is not None and read.url == "http://a.gov.cn/x/index_2.html"


@pytest.mark.parametrize("words", ["上一页", "尾页", "末页", ">>", "更多>>", "首页"])
def test_other_pager_words_are_no_next_link(words: str) -> None:
    doc = soup(f'<div class="pg"><a href="list.jsp?p=7">{words}</a></div>')
    assert propose_pager(doc, "", "http://a.gov.cn/x/list.jsp?p=1", set()) == {}


@pytest.mark.parametrize(
    ("url", "template", "first", "index"),
    [
        ("http://a.gov.cn/x/", "index_{n}.html", 1, 0),
        ("http://a.gov.cn/x/index.html", "index_{n}.html", 1, 0),
        ("http://a.gov.cn/x/index_1.html", "index_{n}.html", 1, 1),
        ("http://a.gov.cn/x/index_7.html", "index_{n}.html", 1, 7),
        ("http://a.gov.cn/x/index_2.html", "index_{n}.html", 2, 1),
        ("http://a.gov.cn/x/myindex_3.html", "index_{n}.html", 1, 0),
        ("http://a.gov.cn/x/list.jsp?cat=4&page=3", "?cat=4&page={n}", 1, 3),
    ],
)
def test_the_page_number_is_read_from_the_url_asked_for(url: str, template: str, first: int, index: int) -> None:
    assert page_index(url, template, first) == index


def test_a_pager_with_a_count_stops_at_the_last_page_and_without_one_needs_a_link() -> None:
    doc = soup('<ul class="l"><li><a href="a.html">甲</a><span>2012-03-05</span></li></ul>')
    options = {"rows": "ul.l li", "pager": "index_{n}.html"}
    asked = Request("http://a.gov.cn/x/index_3.html")
    following = next_request(doc, asked, options, 5)
    assert following is not None and following.url == "http://a.gov.cn/x/index_4.html"
    assert next_request(doc, Request("http://a.gov.cn/x/index_4.html"), options, 5) is None
    assert next_request(doc, asked, options, None) is None  # no count, no link to index_4


def test_rows_that_moved_are_no_rows_naming_the_selector() -> None:
    page = (
        "<html><body>" + "<p>通知公告</p>" * 80 + '<ul class="new"><li><a href="a.html">甲</a></li></ul></body></html>'
    )
    with pytest.raises(NoRows, match="rows selector 'ul.old li' selects no row"):
        generic.parse_listing(page, Request(URL), {"rows": "ul.old li", "date": "span"})


def test_rows_whose_dates_moved_are_a_changed_layout_naming_the_date_selector() -> None:
    rows = "".join(f'<li><a href="{i}.html">第{i}号通知</a><em>2012-03-0{i}</em></li>' for i in range(1, 6))
    page = f"<html><body>{'<p>通知公告</p>' * 60}<ul class='l'>{rows}</ul></body></html>"
    with pytest.raises(LayoutChanged, match=r"no date ×5 \(date selector 'span.time' finds nothing usable\)"):
        generic.parse_listing(page, Request(URL), {"rows": "ul.l li", "date": "span.time"})
    read = generic.parse_listing(page, Request(URL), {"rows": "ul.l li"})  # the date in the row's text
    assert [row.fields["published_date"] for row in read.rows] == [f"2012-03-0{i}" for i in range(1, 6)]


@pytest.mark.parametrize(
    "page",
    [
        b'{"error": false, "datas": []}',
        "<html><body><ul><li><a href='/a/'>首页</a></li><li><a href='/b/'>政务公开</a></li></ul>"
        "<ul><li><a href='/c.html'>甲</a><span>2012-03-05</span></li>"
        "<li><a href='/d.html'>乙</a><span>2012-03-04</span></li></ul></body></html>".encode(),
        ("<div>" * 300 + "</div>" * 300).encode(),
    ],
    ids=["json", "two-dated-links", "too-deep"],
)
def test_no_proposal_without_a_list_of_three_dated_links(page: bytes) -> None:
    assert generic.propose_selectors(page, URL) is None


HOSTILE = st.sampled_from(
    [
        "<li>",
        "</li>",
        "<tr><td>",
        "</ul>",
        "<a href=",
        '"./201203/t20120305_1.htm"',
        '<a href="javascript:void(0)">',
        "<span>2012-03-05</span>",
        "<span>2012-13-45</span>",
        "下一页",
        '<a class="next" href="index.html">',
        "更多>>",
        "createPageHTML(",
        "9" * 30,
        "var countPage=",
        "安全验证",
        "<div>" * 300,
        "<!--",
        "\x00",
        "\ud7ff",
        "http://[::1",
        "　",
    ]
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LISTINGS), st.data())
def test_a_cut_or_spliced_page_is_read_or_refused_with_a_reason(path: Path, data: st.DataObject) -> None:
    spec = json.loads(path.read_text("utf-8"))
    page = (FIXTURES / spec["page"]).read_bytes().decode(spec.get("encoding", "utf-8"))
    start = data.draw(st.integers(0, len(page)))
    end = data.draw(st.integers(start, len(page)))
    text = page[:start] + "".join(data.draw(st.lists(HOSTILE, max_size=8))) + page[end:]
    try:
        read = generic.parse_listing(text, Request(spec["request"]["url"]), spec["options"])
    except PageError:
        pass
    else:
        assert read.rows  # a page without a readable row says why instead
    proposal = generic.propose_selectors(text.encode("utf-8", "surrogatepass"), spec["request"]["url"])
    assert proposal is None or proposal["rows"]


#: Element names a broken page parses into that no CSS selector can name as they are.
UNNAMEABLE = st.from_regex(r"[a-z]{1,3}[<:.#\[\]()*+~=,'][a-z0-9]{0,3}", fullmatch=True)


def _boxed_listing(wrapper: str, n_rows: int) -> str:
    """A box holding a menu of linked items and, inside `wrapper`, the dated rows: the rows
    are told from the menu's items only by the path from the box down to them."""
    rows = "".join(
        f'<li><a href="/doc/{i}.html">第{i}号通知</a><span>2012-0{1 + i % 9}-1{i % 10}</span></li>'
        for i in range(n_rows)
    )
    menu = "<ul>" + "".join(f'<li><a href="/col/{i}/">栏目{i}</a></li>' for i in range(n_rows)) + "</ul>"
    footer = "<p>主办单位：某市人民政府办公室 版权所有 联系我们 网站地图</p>" * 12  # a page, not a stub
    box = f'<div class="box">{menu}<{wrapper}><ul>{rows}</ul></{wrapper}></div>'
    return f"<html><body>{box}{footer}</body></html>"


@settings(max_examples=30, deadline=None)
@given(name=UNNAMEABLE, n_rows=st.integers(5, 12))
def test_no_proposal_names_an_element_a_selector_cannot_name(name, n_rows):
    # The rows under an element named like `h<tr` (a tag cut by a splice): the path a
    # selector would take to them cannot be written. With a nameable wrapper the proposal is
    # that path and reads every row; with this one it proposes nothing, or selectors that
    # name other elements and read every row, never the broken name.
    url = "http://example.gov.cn/tzgg/index.html"
    want = sorted(f"http://example.gov.cn/doc/{i}.html" for i in range(n_rows))
    named = _boxed_listing("section", n_rows)
    assert generic.propose_selectors(named.encode(), url)["rows"] == "div.box > section > ul > li"
    html = _boxed_listing(name, n_rows)
    proposal = generic.propose_selectors(html.encode(), url)
    if proposal is not None:
        assert all(selector_problem(css) is None for key, css in proposal.items() if key in SELECTOR_OPTIONS)
        assert not any(name in css for css in proposal.values())
        assert sorted(row.url for row in generic.parse_listing(html, Request(url), proposal).rows) == want


SHORT_FORMS = st.sampled_from(["{m:02d}-{d:02d}", "[{m:02d}-{d:02d}]", "{m}月{d}日", "{m:02d}/{d:02d}"])
FULL_FORMS = st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}.{m:02d}.{d:02d}", "[{y}-{m:02d}-{d:02d}]", "{y}年{m}月{d}日"])


@settings(max_examples=60, deadline=None)
@given(st.lists(SHORT_FORMS, min_size=1, max_size=3), st.lists(FULL_FORMS, min_size=1, max_size=3), st.integers(0, 3))
def test_rows_that_print_their_date_with_and_without_the_year_are_read_with_it(
    shorts: list[str], fulls: list[str], at: int
) -> None:
    """Templates print a row's date in several forms, the style sheet showing one
    (`<span class="shortdate">11-09</span><span class="longdate">2023-11-09</span>`): the
    proposal must land on a form that holds the year, wherever it stands among them."""
    days = [(2023, 11, 9 - i) for i in range(5)]
    rows = []
    for i, (y, m, d) in enumerate(days):
        spans = [f'<span class="short{k}">{form.format(m=m, d=d)}</span>' for k, form in enumerate(shorts)]
        full = [f'<span class="long{k}">{form.format(y=y, m=m, d=d)}</span>' for k, form in enumerate(fulls)]
        spans[min(at, len(spans)) : min(at, len(spans))] = full
        rows.append(
            f'<li class="inc_list_li"><a href="/gk/20231{i}/t2023110{i}_{i}.html">第{i}号通知</a>{"".join(spans)}</li>'
        )
    page = (
        "<html><head><title>通知公告</title></head><body><ul class='list_base'>" + "".join(rows) + "</ul>"
        "<div>版权所有：某县人民政府 地址：某县某路1号 主办单位：某县人民政府办公室</div></body></html>"
    )
    options = generic.propose_selectors(page.encode(), URL)
    assert options is not None
    read = generic.parse_listing(page, Request(URL), options)
    dates = [parse_date(row.fields["published_date"])[0] for row in read.rows]
    assert [(d.year, d.month, d.day) if d else None for d in dates] == days


@settings(max_examples=40, deadline=None)
@given(
    boxes=st.integers(2, 3),
    rows_each=st.integers(3, 7),
    other_rows=st.integers(3, 5),
    box_class=st.sampled_from(["win2", "list-box", "newsBox"]),
    list_class=st.sampled_from(["winB", "news", ""]),
    other_first=st.booleans(),
)
def test_rows_of_several_boxes_of_one_template_are_proposed_without_a_common_classed_ancestor(
    boxes: int, rows_each: int, other_rows: int, box_class: str, list_class: str, other_first: bool
) -> None:
    """Boxes of one template (`div.win2 > ul > li`) beside another box, all in an unclassed
    wrapper: no ancestor with a class holds only the template's rows, so the selector is
    anchored at the class each row's own box has."""

    def items(prefix: str, n: int, offset: int) -> str:
        return "".join(
            f'<li><a href="/{prefix}/201704/t2017040{i % 9 + 1}_{offset + i}.html" title="{prefix}第{offset + i}号">'
            f"{prefix}第{offset + i}号</a><span class='date'>2017-04-0{i % 9 + 1}</span></li>"
            for i in range(n)
        )

    ul = f"<ul class='{list_class}'>" if list_class else "<ul>"
    template = "".join(
        f"<div class='{box_class} fl'>{ul}{items('ggyw', rows_each, b * 10)}</ul></div>" for b in range(boxes)
    )
    other = f"<div class='fr box1C2'><ul class='side'>{items('tzgg', other_rows, 100)}</ul></div>"
    blocks = other + template if other_first else template + other
    page = (
        "<html><head><title>政务公开</title></head><body><div>"
        f"{blocks}</div><div>版权所有：某市人民政府 地址：某市某路1号 主办单位：某市人民政府办公室</div></body></html>"
    )
    options = generic.propose_selectors(page.encode(), URL)
    assert options is not None
    read = generic.parse_listing(page, Request(URL), options)
    wanted = [f"ggyw第{b * 10 + i}号" for b in range(boxes) for i in range(rows_each)]
    assert [row.fields["title"] for row in read.rows] == wanted
