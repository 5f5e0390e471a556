"""Which CMS family a page belongs to, from the marks it shows (`xxgk portal probe`), and the
`[[portal]]` entry that follows.

Nothing is guessed from one sign: each family is weighed by several marks (`marks.py`: its
document URLs, pager and list scripts, template names, meta tags, API shapes), and the
family whose marks weigh most is named when they reach `RECOGNISED`. What was seen is kept
(`Recognition.marks`) so the probe can print it. A page of no family that still holds a dated
list is `generic`; a detail page names its family but is no entry page; any other page is "not
a family I know", with what was seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from connectors.families.base import soup
from connectors.families.dated_list import largest_dated_group
from connectors.families.generic import propose_selectors
from connectors.families.marks import RECOGNISED, Mark, score, seen_marks
from connectors.families.selected import select_rows

#: A page holds a list when this many sibling elements each hold one link and one date.
LIST_ROWS = 3
_SSP_LINK = re.compile(r"/ssp/search/api/apiSearch")
_TITLE = re.compile(r"<title[^>]*>([^<]{1,200})</title>", re.I)
_SITE_NAME = re.compile(r"""SITE_NAME\s*:\s*["']([^"']{1,100})""")
_ARTICLE_META = re.compile(r"<meta\s[^>]*?name\s*=\s*[\"']?ArticleTitle[\"'\s>]", re.I)
_DOCUMENT_URL = re.compile(
    r"/t\d{8}_\d+\.\w+$|/art_\d+_\d+\.\w+$|/art_[0-9a-f]{32}\.\w+$|/content_\d+\.\w+$|/post_\d+\.\w+$", re.I
)


@dataclass
class Recognition:
    """What a page showed: the platform to configure (None when it is no entry page or no
    family), its family, the marks seen and their score, and why."""

    url: str
    platform: str | None
    evidence: str
    name: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)  # what was looked at, for an unknown page
    note: str | None = None  # what to probe instead (a detail page, an API page)
    family: str | None = None  # the family the page belongs to, entry page or not
    marks: list[str] = field(default_factory=list)  # the family's marks, as the probe prints them
    score: float = 0.0


def recognise(text: str, url: str) -> Recognition:
    """The family of a fetched page (`url` after redirects)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return _json(stripped, url)
    name = _name(text)
    if "/module/xxgk/search.jsp" in urlsplit(url).path:
        shown = "the URL is the Hanweb 信息公开 search page"
        return Recognition(url, "hanweb-xxgk", shown, name, family="hanweb-xxgk", marks=[shown], score=RECOGNISED)
    seen = seen_marks(text, url)
    ranked = sorted(seen, key=lambda fam: score(seen[fam]), reverse=True)  # ties: the order of MARKS
    if ranked and score(seen[ranked[0]]) >= RECOGNISED:
        return _family_page(text, url, name, ranked[0], seen[ranked[0]])
    if _SSP_LINK.search(text):
        return Recognition(
            url,
            None,
            "a page that calls the ssp search API",
            name,
            family="ssp",
            note="the ssp family lists through /ssp/search/api/apiSearch?…; probe that URL",
        )
    return _generic(text, url, name, seen)


def _family_page(text: str, url: str, name: str | None, family: str, marks: list[tuple[Mark, int]]) -> Recognition:
    """A page whose marks name `family`: an entry page, or a detail page (no entry)."""
    printed, weight = _printed(marks), score(marks)
    evidence = f"score {weight} from {len(printed)} marks"
    if _is_detail(text, url):
        note = "a detail page: probe the listing (column) page that lists it"
        if family == "govcn":
            note = "the govcn family lists through the search API (sousuo.www.gov.cn/search-gov/data?…); probe that URL"
        return Recognition(
            url, None, f"a {family} detail page", name, note=note, family=family, marks=printed, score=weight
        )
    entry = url.split("/gkmlpt/", 1)[0] + "/gkmlpt/index" if family == "gkmlpt" else url
    return Recognition(entry, family, evidence, name, family=family, marks=printed, score=weight)


def _generic(text: str, url: str, name: str | None, seen: dict[str, list[tuple[Mark, int]]]) -> Recognition:
    """A page no family's marks claim: generic when it holds a dated list (or is a detail
    page the label reader can read), else not a family at all."""
    below = [f"{fam} (score {score(marks)}): " + "; ".join(_printed(marks)) for fam, marks in seen.items()]
    rows = largest_dated_group(text, url)
    proposal = propose_selectors(text.encode("utf-8"), url)
    shown = [f"a list of {rows} sibling rows, each one link and one date", *below]
    if proposal:
        evidence = f"no family's marks, but a list of dated links (rows {proposal['rows']!r}): selectors proposed"
        read = len(select_rows(soup(text), url, proposal)[0])
        note = (
            f"the proposed rows selector reads {read} rows where the largest run of sibling rows holds {rows}: "
            "it may join several boxes or tab panes of the page; check the rows below"
            if read > rows
            else None
        )
        return Recognition(url, "generic", evidence, name, dict(proposal), note=note, family="generic", marks=shown)
    if rows >= LIST_ROWS:
        note = 'no selectors could be proposed: set platform = "generic" with rows, title and date options'
        return Recognition(url, None, "no family's marks; " + shown[0], name, note=note, family="generic", marks=shown)
    if _is_detail(text, url):
        return Recognition(
            url,
            None,
            "a detail page of no known family",
            name,
            family="generic",
            marks=below,
            note="a detail page: probe the listing page that lists it",
        )
    return Recognition(url, None, "not a family I know", name, seen=[*_seen(text), *below])


def _printed(marks: list[tuple[Mark, int]]) -> list[str]:
    return [mark.shows + (f" ×{times}" if times > 1 else "") for mark, times in marks]


def _is_detail(text: str, url: str) -> bool:
    """A document's page, not a list: an ArticleTitle meta (the 2017 site norm puts it on
    articles only) or a URL of a document's shape (tYYYYMMDD_ID, art_…, content_N, post_N)."""
    return bool(_ARTICLE_META.search(text) or _DOCUMENT_URL.search(urlsplit(url).path))


def _json(text: str, url: str) -> Recognition:
    try:
        data = json.loads(text, strict=False)
    except json.JSONDecodeError:
        return Recognition(url, None, "not a family I know", seen=["a body that starts like JSON but is not"])
    if not isinstance(data, dict):
        return Recognition(url, None, "not a family I know", seen=["JSON that is not an object"])
    inner = data.get("data")
    if "searchVO" in data:
        return _api(url, "govcn", "JSON with searchVO (the www.gov.cn search API)", entry=True)
    if "datas" in data and "error" in data:
        return _api(url, "ssp", "JSON with error and datas (the ssp search API)", entry=True)
    if "articles" in data and "classify" in data:
        return _api(url, "gkmlpt", "a gkmlpt API page", note="probe the site's /gkmlpt/index instead")
    if isinstance(inner, dict) and isinstance(inner.get("html"), str) and "front/page/build/unit" in inner["html"]:
        note = "probe the column shell (/col/colN/index.html) whose unit script sends this request"
        return _api(url, "jpaas", "JSON with data.html and a unit pager (the jpaas unit API)", note=note)
    return Recognition(url, None, "not a family I know", seen=[f"JSON with keys {sorted(data)[:12]}"])


def _api(url: str, family: str, shown: str, *, entry: bool = False, note: str | None = None) -> Recognition:
    return Recognition(url, family if entry else None, shown, note=note, family=family, marks=[shown], score=RECOGNISED)


def _name(text: str) -> str | None:
    found = _SITE_NAME.search(text) or _TITLE.search(text)
    return " ".join(found.group(1).split()) if found else None


def _seen(text: str) -> list[str]:
    """A few facts about an unknown page, so the operator can tell what it was."""
    scripts = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", text, re.I)[:5]
    links = len(re.findall(r"<a\b", text, re.I))
    return [
        f"{len(text)} characters",
        f"title {_name(text)!r}",
        f"{links} links",
        f"scripts {scripts}",
        "no family's marks reach a score of 1, and no list of links with dates",
    ]


def hosts_seen(row_urls: list[str], entry: str) -> list[str]:
    """The hosts (with port) of row URLs other than the entry URL's, in order of appearance."""
    own = urlsplit(entry).netloc
    out: list[str] = []
    for url in row_urls:
        host = urlsplit(url).netloc
        if host and host != own and host not in out:
            out.append(host)
    return out


def toml_entry(
    portal_id: str,
    name: str,
    level: str,
    platform: str,
    url: str,
    hosts: list[str],
    options: dict[str, str],
    refused: list[str] | None = None,
) -> str:
    """A `[[portal]]` entry as TOML text. The hosts seen in the page's links are written as
    a comment for the operator to confirm, never as an active `hosts` key: the page chose
    them. `refused` hosts (IP literals, internal addresses) are named as refused."""

    def q(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = [
        "[[portal]]",
        f"id = {q(portal_id)}",
        f"name = {q(name)}",
        f"level = {q(level)}  # not shown by the page: check it",
        f"platform = {q(platform)}",
        f"url = {q(url)}",
    ]
    if hosts:
        lines.append("# the rows link to other hosts: check they are the portal's, then allow them")
        lines.append(f"# hosts = {q(hosts)}")
    if refused:
        lines.append(f"# refused, an IP literal or an internal address: {q(refused)}")
    if options:
        lines.append("[portal.options]")
        lines += [f"{q(k)} = {q(v)}" for k, v in options.items()]
    return "\n".join(lines) + "\n"


def default_id(url: str, platform: str) -> str:
    """`host-platform` with dots and colons as dashes (e.g. `www-gd-gov-cn-gkmlpt`)."""
    host = re.sub(r"[^0-9A-Za-z]+", "-", urlsplit(url).netloc).strip("-")
    return f"{host}-{platform}"
