"""`xxgk portal probe`: which CMS family a portal's entry page belongs to, from what the page
itself shows, and the `[[portal]]` entry that follows.

Nothing is guessed: each family is named only by a mark its pages carry (a pager script, a
datastore, a config object, a JSON shape, a search form). A page with none is "not a family
I know", with what was seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: (platform, what shows it, pattern), in the order they are tried on an HTML page.
_HTML_MARKS = (
    ("gkmlpt", "window._CONFIG with a SID (gkmlpt index)", re.compile(r"window\._CONFIG\s*=[\s\S]{0,2000}?\bSID\s*:")),
    ("hanweb-xxgk", "a form posting to /module/xxgk/search.jsp", re.compile(r"/module/xxgk/search\.jsp")),
    ("hanweb", "a <datastore> or dataproxy.jsp (Hanweb jpage)", re.compile(r"<datastore\b|dataproxy\.jsp", re.I)),
    (
        "trs",
        "a TRS pager script (createPageHTML / var countPage)",
        re.compile(r"createPageHTML\s*\(|var\s+countPage\b"),
    ),
)
_GOVCN_DETAIL = re.compile(r"policyLibraryOverview_header|class=\"bd1\"")
_SSP_LINK = re.compile(r"/ssp/search/api/apiSearch")
_TITLE = re.compile(r"<title[^>]*>([^<]{1,200})</title>", re.I)
_SITE_NAME = re.compile(r"""SITE_NAME\s*:\s*["']([^"']{1,100})""")


@dataclass
class Recognition:
    """What the entry page showed: its family (None when unknown) and why."""

    url: str
    platform: str | None
    evidence: str
    name: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)  # what was looked at, for an unknown page
    note: str | None = None  # a family recognised on a page that is not an entry page


def recognise(text: str, url: str) -> Recognition:
    """The family of a fetched entry page (`url` after redirects)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return _json(stripped, url)
    name = _name(text)
    if "/module/xxgk/search.jsp" in urlsplit(url).path:
        return Recognition(url, "hanweb-xxgk", "the URL is the Hanweb 信息公开 search page", name)
    for platform, evidence, pattern in _HTML_MARKS:
        if pattern.search(text):
            entry = url.split("/gkmlpt/", 1)[0] + "/gkmlpt/index" if platform == "gkmlpt" else url
            return Recognition(entry, platform, evidence, name)
    if _GOVCN_DETAIL.search(text):
        return Recognition(
            url,
            None,
            "a www.gov.cn policy detail page",
            name,
            note=(
                "the govcn family lists through the search API (sousuo.www.gov.cn/search-gov/data?…); "
                "probe that URL instead of a detail page"
            ),
        )
    if _SSP_LINK.search(text):
        return Recognition(
            url,
            None,
            "a page that calls the ssp search API",
            name,
            note=("the ssp family lists through /ssp/search/api/apiSearch?…; probe that URL"),
        )
    return Recognition(url, None, "not a family I know", name, seen=_seen(text))


def _json(text: str, url: str) -> Recognition:
    try:
        data = json.loads(text, strict=False)
    except json.JSONDecodeError:
        return Recognition(url, None, "not a family I know", seen=["a body that starts like JSON but is not"])
    keys = sorted(data)[:12] if isinstance(data, dict) else []
    if isinstance(data, dict) and "searchVO" in data:
        return Recognition(url, "govcn", "JSON with searchVO (the www.gov.cn search API)")
    if isinstance(data, dict) and "datas" in data and "error" in data:
        return Recognition(url, "ssp", "JSON with error and datas (the ssp search API)")
    if isinstance(data, dict) and "articles" in data and "classify" in data:
        return Recognition(url, None, "a gkmlpt API page", note="probe the site's /gkmlpt/index instead")
    return Recognition(url, None, "not a family I know", seen=[f"JSON with keys {keys}"])


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
        "no TRS pager, no Hanweb datastore or search form, no gkmlpt config, no gov.cn or ssp JSON",
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
    portal_id: str, name: str, level: str, platform: str, url: str, hosts: list[str], options: dict[str, str]
) -> str:
    """A `[[portal]]` entry as TOML text."""

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
        lines.append(f"hosts = {q(hosts)}")
    if options:
        lines.append("[portal.options]")
        lines += [f"{q(k)} = {q(v)}" for k, v in options.items()]
    return "\n".join(lines) + "\n"


def default_id(url: str, platform: str) -> str:
    """`host-platform` with dots and colons as dashes (e.g. `www-gd-gov-cn-gkmlpt`)."""
    host = re.sub(r"[^0-9A-Za-z]+", "-", urlsplit(url).netloc).strip("-")
    return f"{host}-{platform}"
