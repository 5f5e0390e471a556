"""HTML into blocks: paragraphs of text and tables with their merged cells expanded.

Word-exported pages are the usual case: `rowspan`/`colspan`, `&nbsp;` for a blank cell,
`<br>` inside a header, and often no charset declared (decoded as connectors/http decodes
any page: declared charsets, then UTF-8, then gb18030). The tree is lxml's, parsed with no
network access and the element and depth caps of connectors/families/tree.
"""

from __future__ import annotations

from lxml import etree

from connectors.annual_report.cells import clean
from connectors.annual_report.errors import ReportError
from connectors.annual_report.grid import RawCell, expand
from connectors.annual_report.model import Block, Para
from connectors.errors import LayoutChanged
from connectors.families.tree import parse_tree
from connectors.http.charset import decode_body

_BLOCK = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "dd",
        "dt",
    ]
)
_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title"})


def html_blocks(body: bytes, content_type: str | None = None) -> tuple[list[Block], str]:
    """The page's blocks in reading order, and its decoded text."""
    text, _ = decode_body(body, content_type)
    try:
        root = parse_tree(text)
    except LayoutChanged as error:
        raise ReportError(f"unreadable HTML: {error}") from None
    if root is None:
        raise ReportError("an empty HTML page")
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    return walker.blocks, text


def _int(value: str | None) -> int:
    try:
        return int((value or "1").strip())
    except ValueError:
        return 1


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.n_tables = 0

    def flush(self) -> None:
        line = clean("".join(self.buffer))
        if line:
            self.blocks.append(Para(line, f"paragraph {sum(isinstance(b, Para) for b in self.blocks) + 1}"))
        self.buffer.clear()

    def walk(self, node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP or not tag:
            if node.tail:
                self.buffer.append(node.tail)
            return
        if tag == "table":
            self.flush()
            self.table(node)
        else:
            if tag in _BLOCK:
                self.flush()
            if node.text:
                self.buffer.append(node.text)
            for child in node:
                self.walk(child)
            if tag in _BLOCK:
                self.flush()
        if node.tail:
            self.buffer.append(node.tail)

    def table(self, node: etree._Element) -> None:
        self.n_tables += 1
        rows: list[list[RawCell]] = []
        for tr in node.iter("tr"):
            if next(tr.iterancestors("table")) is not node:
                continue  # a nested table's rows belong to its cell's text
            rows.append(
                [
                    (_cell_text(td), _int(td.get("rowspan")), _int(td.get("colspan")))
                    for td in tr
                    if isinstance(td.tag, str) and td.tag in ("td", "th")
                ]
            )
        self.blocks.append(expand(rows, f"table {self.n_tables}"))


def _cell_text(td: etree._Element) -> str:
    parts: list[str] = []
    for piece in td.itertext():
        parts.append(piece)
    return clean(" ".join(parts))
