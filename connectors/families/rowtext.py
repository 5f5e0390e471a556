"""What a listing row holds beside its item link: its bare text (where a date printed without
an element of its own is) and "more" links, which lead to another listing, not a document.

Shared by the readers that find rows themselves (TRS dated link lists) and those that are
told where rows are (CSS selectors of `[portal.options]`, the `generic` family).
"""

from __future__ import annotations

import re

from bs4.element import NavigableString, Tag

#: A "more" link (更多, more, >>): it leads to another listing, never to a document.
MORE_LINK = re.compile(r"^(更多|more|>>|»|查看更多)", re.I)
#: A badge a list prints before a title (置顶 pinned, 新 new, 图 with a picture …), bracketed:
#: a mark of the list's, not words of the document's title.
_BADGE = re.compile(
    r"^[【\[［〔(（]\s*(?:置顶|顶|新|最新|new|hot|top|热|热门|推荐|荐|图|图文|视频)\s*[】\]］〕)）]\s*", re.I
)
#: What a `title` attribute broken by a stray quote swallowed: the quote, then the next
#: attribute (`title="关于…的通知 ' target="`).
_ATTRIBUTE_DEBRIS = re.compile(r"""\s*["']\s*[A-Za-z][\w-]*\s*=.*\Z""", re.S)
#: A tooltip that prints a row's fields with their labels starts with the title's label …
_TOOLTIP_TITLE = re.compile(r"^\s*(?:标\s*题|名\s*称|文件名称|信息名称|公文标题)\s*[:：]\s*")
#: … and goes on, often without a break, with a date's or another field's label and value.
_TOOLTIP_FIELD = re.compile(
    r"\s*(?:(?:发表|发布|成文|更新|公开|生成|印发|创建)?(?:时间|日期)|发布机构|发文机关|索引号|文号|发文字号|来源)\s*[:：].*\Z",
    re.S,
)
#: Elements whose text is not the row's own bare text: its links, lists nested in it, scripts.
_NOT_BARE = frozenset({"a", "li", "tr", "script", "style"})


def parents_below(node: NavigableString | Tag, stop: Tag) -> list[Tag]:
    """The ancestors of `node` below `stop`, nearest first."""
    found = []
    for parent in node.parents:
        if parent is stop:
            break
        found.append(parent)
    return found


def bare_strings(row: Tag) -> list[str]:
    """The row's text outside its links, the lists nested in it and scripts
    (`<li><a>…</a> [2012-03-05]</li>`)."""
    return [
        str(node)
        for node in row.descendants
        if type(node) is NavigableString and not any(p.name in _NOT_BARE for p in parents_below(node, row))
    ]


def title_text(text: str) -> str:
    """A row's title without the badges its list prints before it (`【置顶】 关于…的通知`)."""
    while True:
        stripped = _BADGE.sub("", text, count=1)
        if stripped == text or not stripped:
            return text
        text = stripped


def title_attribute(value: str) -> str:
    """A `title` attribute without what a stray quote made it swallow of the tag's next
    attribute (`关于…的通知 ' target=`), and a tooltip of labelled fields cut to its title
    (`标题：关于…的意见发表时间：2019-02-15` gives `关于…的意见`); white space trimmed."""
    value = _ATTRIBUTE_DEBRIS.sub("", value)
    labelled = _TOOLTIP_TITLE.match(value)
    if labelled:
        value = _TOOLTIP_FIELD.sub("", value[labelled.end() :])
    return value.strip()
