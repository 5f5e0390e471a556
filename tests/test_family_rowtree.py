"""A listing row read on an lxml tree (connectors/families/rowtree.py, tree.py) gives the text
its bs4 twin (rowtext.py, base.text_of) gives, over generated rows: links, dates printed bare,
comments, scripts, templates and ruby, nested lists, broken markup. The readers that find rows
themselves walk lxml trees while the selector readers walk bs4's, and a date or a title must
not depend on which tree a page was read from.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.families.base import date_in_text, soup, tags, text_of
from connectors.families.hanweb import parse_listing as hanweb_listing
from connectors.families.rowtext import bare_strings as bs4_bare
from connectors.families.rowtree import bare_strings, elements
from connectors.families.tree import Texts, parse_tree
from connectors.records import Request

PIECES = [
    "<a href='/a/t1.html' title='关于某事的通知'>关于某事…</a>",
    "<a href='#'>更多</a>",
    "2012-03-05",
    " [2013年4月6日] ",
    "<span>2011-01-02</span>",
    "<!-- 2010-10-10 -->",
    "<script>var d='2009-09-09';</script>",
    "<style>.x{}</style>",
    "<template>2008-08-08</template>",
    "<ruby>字<rt>2007-07-07</rt></ruby>",
    "<ul><li><a href='/r.html'>相关</a><span>2006-06-06</span></li></ul>",
    "<em>",
    "</em>",
    "<b>",
    "</div>",
    "\u3000",
    "\n      ",
    " 2005年5月 5 日",
    "&nbsp;",
    "&lt;li&gt;",
    "文号：龙工商〔2012〕1号",
]


def _collapse(strings: list[str]) -> str:
    return " ".join(" ".join(strings).split())


@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_a_rows_bare_text_and_element_texts_are_the_same_on_either_tree(pieces: list[str]) -> None:
    html = f"<ul><li>{''.join(pieces)}</li></ul>"
    root = parse_tree(html)
    texts = Texts(root)
    lxml_rows = list(root.iter("li"))
    bs4_rows = list(tags(soup(html), frozenset({"li"})))
    assert len(lxml_rows) == len(bs4_rows)
    for ours, theirs in zip(lxml_rows, bs4_rows, strict=True):
        assert _collapse(bare_strings(ours, texts)) == _collapse(bs4_bare(theirs))
        # the raw date a row prints bare is the same string, however the trees cut its text
        assert date_in_text(" ".join(bare_strings(ours, texts))) == date_in_text(" ".join(bs4_bare(theirs)))
        assert texts.text(ours) == text_of(theirs)
        names = ("a", "span", "em", "b", "li")
        assert [texts.text(e) for e in elements(ours, names)] == [text_of(e) for e in tags(theirs, frozenset(names))]


def test_a_date_in_a_records_title_is_not_its_date_and_the_text_after_the_link_is_kept() -> None:
    # the title names one date, the record prints its own after the link, bare, with no space
    record = "<td><a href='/art/2017/4/24/art_1_2.html' title='2012-01-01会议'>2012-01-01会议</a>2017-04-24</td>"
    xml = f"<datastore><totalrecord>1</totalrecord><recordset><record><![CDATA[{record}]]></record></recordset></datastore>"
    page = hanweb_listing(
        xml, Request("http://h.example.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45", "POST"), {}
    )
    (row,) = page.rows
    assert row.fields["published_date"] == "2017-04-24" and row.fields["title"] == "2012-01-01会议"


@given(st.sampled_from(["-", "/", ".", "年"]), st.text(" \t\n\u3000\xa0", max_size=6), st.text(" \u3000", max_size=2))
def test_a_bare_dates_raw_value_ends_with_its_day_or_its_ri(sep: str, after: str, gap: str) -> None:
    # the white space a page puts after a bare date is not part of it; before 日 it is
    month = "月" if sep == "年" else sep
    printed = f"2012{sep}3{month}5"
    assert date_in_text(f"关于某事 [{printed}]{after}") == printed
    assert date_in_text(f"关于某事 {printed}{gap}日{after}") == f"{printed}{gap}日"
