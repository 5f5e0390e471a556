"""The marks each CMS family leaves on its pages, and how much each says.

A page is recognised from several marks, never from one: a pager script alone is shared by
many CMSs (Guangdong's own sites print `createPageHTML` too), a `col/colN` link is printed by
both Hanweb generations, and a TRS column may page with a script of its own or load its pager
from a file. Each mark has a weight; a family is recognised when the weights of the marks it
shows reach `RECOGNISED` (docs/platforms.md, "Recognising a family"). A decisive mark (the
Hanweb datastore, the jpaas unit API) weighs `RECOGNISED` alone; the
document-link shapes weigh by how many links show them.

Every test is a linear scan of the page's text (or of its URL): no parse, so a probe of a
hostile page costs what reading it does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

#: The score at which a family is taken as recognised.
RECOGNISED = 1.0

_HREF = re.compile(r"""\b(?:href|src)\s*=\s*["']?([^"'\s>]{1,2000})""", re.I)
_TRS_DOC = re.compile(r"(?:^|/)\d{6}/t\d{8}_\d+\.s?html?$", re.I)
_TRS_DOC_URL = re.compile(r"/t\d{8}_\d+\.s?html?$", re.I)
_TRS_ATTACHMENT = re.compile(r"(?:^|/)P0\d{8}\d+\.\w{2,4}$")
_INDEX_N = re.compile(r"(?:^|/)index_\d+\.s?html?$", re.I)
_HANWEB_ART = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.s?html?$", re.I)
_HANWEB_COL = re.compile(r"/col/col\d+/(?:index\.s?html?)?$", re.I)
_JPAAS_ART = re.compile(r"/art(?:/\d{4})+/art_[0-9a-f]{32}\.s?html?$", re.I)
_GOVCN_DOC = re.compile(r"/content_\d+\.s?html?$", re.I)


@dataclass(frozen=True)
class Mark:
    """One mark of a family: what it shows (printed by `portal probe`), how many times a page
    shows it (`count(text, url, hrefs)`), and its weight by that number: `tiers` are
    (at least this many, weight) pairs, the heaviest one met counting."""

    family: str
    shows: str
    tiers: tuple[tuple[int, float], ...]
    count: Callable[[str, str, list[str]], int]

    def weight(self, times: int) -> float:
        """The weight of the mark seen `times` times (0 when no tier is met)."""
        return max((w for least, w in self.tiers if times >= least), default=0.0)


def _text(pattern: str, flags: int = re.I) -> Callable[[str, str, list[str]], int]:
    compiled = re.compile(pattern, flags)
    return lambda text, url, hrefs: 1 if compiled.search(text) else 0


def _gkmlpt_paths(text: str, url: str, hrefs: list[str]) -> int:
    return int("/gkmlpt/" in urlsplit(url).path or any("/gkmlpt/" in h for h in hrefs))


def _links(pattern: re.Pattern[str]) -> Callable[[str, str, list[str]], int]:
    return lambda text, url, hrefs: sum(1 for h in hrefs if pattern.search(h))


def _own_url(pattern: re.Pattern[str]) -> Callable[[str, str, list[str]], int]:
    return lambda text, url, hrefs: 1 if pattern.search(urlsplit(url).path) else 0


def _meta(*names: str) -> Callable[[str, str, list[str]], int]:
    alternatives = "|".join(names)
    return _text(rf"<meta\s[^>]*?name\s*=\s*[\"']?(?:{alternatives})[\"'\s>]", re.I)


MARKS: tuple[Mark, ...] = (
    # TRS WCM: its document URLs, its pager scripts and the names its templates leave
    Mark("trs", "links to ./YYYYMM/tYYYYMMDD_ID documents", ((1, 0.6), (5, 1.0)), _links(_TRS_DOC)),
    Mark("trs", "the page's own URL is a tYYYYMMDD_ID document", ((1, 0.6),), _own_url(_TRS_DOC_URL)),
    Mark("trs", "TRS attachments named P0YYYYMMDD…", ((1, 0.3),), _links(_TRS_ATTACHMENT)),
    Mark(
        "trs",
        "a TRS pager script (createPageHTML / countPage / countnum)",
        ((1, 0.3),),
        _text(r"createPageHTML\s*\(|\bcountPage\s*=|\bcountnum\s*="),
    ),
    Mark(
        "trs",
        "a TRS list script (pageChnlInfo / recordCount / trsapi)",
        ((1, 0.3),),
        _text(r"\bpageChnlInfo\b|\btrsapi\b|/fjdzapp/search"),
    ),
    Mark(
        "trs",
        "TRS template names (CurrChnlCls, TRS_Editor, trs_editor_view, trt- classes)",
        ((1, 0.4),),
        _text(r"\bCurrChnlCls\b|\bTRS_(?:Editor|UEDITOR)\b|\btrs_editor_view\b|\btrt-(?:iconfont|row|col)"),
    ),
    Mark("trs", "TRS meta tags (ChnlId, DocId)", ((1, 0.3),), _meta("ChnlId", "DocId")),
    Mark("trs", "links to index_N pages", ((1, 0.1),), _links(_INDEX_N)),
    # Hanweb jcms: the jpage datastore and data proxy, /module/ scripts, col/art URLs
    Mark("hanweb", "a jpage <datastore> or dataproxy.jsp", ((1, 1.0),), _text(r"<datastore\b|dataproxy\.jsp")),
    Mark("hanweb", "links to /art/YYYY/M/D/art_COL_ID documents (3 or more)", ((3, 0.6),), _links(_HANWEB_ART)),
    Mark("hanweb", "the page's own URL is an /art/YYYY/M/D/art_COL_ID document", ((1, 0.6),), _own_url(_HANWEB_ART)),
    Mark(
        "hanweb",
        "Hanweb /module/ scripts (jslib, jpage, visitcount)",
        ((1, 0.4),),
        _text(r"/module/(?:jslib|web/jpage|visitcount)/"),
    ),
    Mark("hanweb", "links to /col/colN/ columns", ((2, 0.2),), _links(_HANWEB_COL)),
    Mark("hanweb", "Hanweb meta tag WebId", ((1, 0.2),), _meta("WebId")),
    # Hanweb jpaas (Zhejiang): a column shell whose list comes from the unit API
    Mark(
        "jpaas",
        "a jpaas unit API shell (front/page/build/unit with queryData)",
        ((1, 1.0),),
        _text(
            r"jpaas-publish-server/front/page/build/unit[\s\S]{0,400}?queryData|queryData[\s\S]{0,400}?jpaas-publish-server/front/page/build/unit"
        ),
    ),
    Mark("jpaas", "jpaas resources under /cms_files/", ((1, 0.4),), _text(r"[\"']/cms_files/")),
    Mark("jpaas", "documents /col/colN/art/YYYY/art_<hash>", ((1, 0.4),), _links(_JPAAS_ART)),
    Mark("jpaas", "the page's own URL is an art_<hash> document", ((1, 0.4),), _own_url(_JPAAS_ART)),
    Mark("jpaas", "jpaas meta tag ColId", ((1, 0.3),), _meta("ColId")),
    # Guangdong gkmlpt and the Hanweb 信息公开 search
    # other Guangdong platforms (the 互动平台's consultation pages) print a `_CONFIG` with a
    # SID too: the object says gkmlpt only beside the platform's own /gkmlpt/ paths
    Mark(
        "gkmlpt",
        "window._CONFIG with a SID (gkmlpt index)",
        ((1, 0.6),),
        _text(r"window\._CONFIG\s*=[\s\S]{0,2000}?\bSID\s*:", 0),
    ),
    Mark("gkmlpt", "the platform's /gkmlpt/ paths (own URL, scripts, links)", ((1, 0.4),), _gkmlpt_paths),
    Mark("hanweb-xxgk", "a form posting to /module/xxgk/search.jsp", ((1, 1.0),), _text(r"/module/xxgk/search\.jsp")),
    # www.gov.cn detail templates (its listing is the search API, JSON)
    Mark(
        "govcn",
        "a www.gov.cn policy box (policyLibraryOverview_header / table.bd1)",
        ((1, 1.0),),
        _text(r"policyLibraryOverview_header|class=[\"']bd1[\"']"),
    ),
    Mark("govcn", "the page's own URL is a content_N document", ((1, 0.3),), _own_url(_GOVCN_DOC)),
)


def hrefs(text: str) -> list[str]:
    """Every link and source address on a page, as written (path only, no query)."""
    return [m.group(1).split("?", 1)[0].split("#", 1)[0] for m in _HREF.finditer(text)]


def seen_marks(text: str, url: str) -> dict[str, list[tuple[Mark, int]]]:
    """family -> the marks the page shows (with how many times), those that weigh anything."""
    links = hrefs(text)
    found: dict[str, list[tuple[Mark, int]]] = {}
    for mark in MARKS:
        times = mark.count(text, url, links)
        if mark.weight(times) > 0:
            found.setdefault(mark.family, []).append((mark, times))
    return found


def score(marks: list[tuple[Mark, int]]) -> float:
    """The weight of the marks a family shows."""
    return round(sum(mark.weight(times) for mark, times in marks), 2)
