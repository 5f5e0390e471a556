"""The recorded gkmlpt, govcn and hanweb-xxgk pages against the Guangdong world's truth.

The pages in `tests/fixtures/{gkmlpt,govcn,hanweb-xxgk}/` were recorded from the simulated
Guangdong world (docs/sim.md; hosts rewritten to `*.example.gov.cn`). Their `.expected.json`
files (checked by tests/test_family_fixtures.py) were written from a parse and read by eye,
so they alone prove nothing about the parser. Here the expectations come from elsewhere:

- the values: each parsed row or detail page is matched by its URL path to a sighting in
  `sim.truth.rows(world)` (the values the sim put on the page: title, 索引号, 文号,
  publisher, dates, topic, genre, validity), and every field as printed must equal the
  truth's value (dates as `parse_date` reads them);
- which fields a page carries: `SHOWN`, written by hand from the page templates
  (sim/pages/gkmlpt.py, govcn.py, hanweb_xxgk.py). A field the page does not carry must
  come out empty (the parser invents nothing), one it carries must come out as the truth;
- which rows a listing page holds: worked out from the world's documents (who lists what,
  newest first, the page size the recorded request asked for), never from the parse. The
  documents appended later (`sim.guangdong.appended`: normative documents and annual
  reports) were not in the world when the pages were recorded, so they are left out.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from test_family_fixtures import expected_files, load, run

from connectors.normalize import is_empty_value, parse_date
from sim import truth
from sim.gd_catalog import AS_OF, CITY_TREE, detail_path
from sim.guangdong import appended
from sim.registry import build_world

WORLD = build_world("guangdong")
#: The documents appended after the pages were recorded (by their 索引号).
LATER = {d.index_no for d in appended(0)}
#: truth column -> the parser's field name
FIELDS = {
    "title": "title",
    "index_no": "index_no",
    "doc_no": "doc_no",
    "publisher": "publisher_name",
    "published_date": "published_date",
    "written_date": "written_date",
    "topic": "topic",
    "genre": "genre",
    "validity": "validity",
}
ALL = frozenset(FIELDS)
#: (family, page kind) -> the truth fields the page carries in a form the family reads.
SHOWN = {
    # the API article: identifier, document_number, publisher, date (written),
    # display_publish_time, classify_theme_name, classify_genre_name, is_abolished
    ("gkmlpt", "listing"): ALL,
    # label table 索引号, 发布机构, 成文日期, 名称, 文号, 发布日期; its one 分类 cell
    # ("主题；体裁") fills nothing by design (docs/fields.md: a combined 分类 cell), the API
    # rows carry both; no validity
    ("gkmlpt", "detail"): ALL - {"topic", "genre", "validity"},
    # hit: title, pcode, puborg, index, childtype (topic\sub), pubtimeStr / pubtime
    # (published), ptime (written)
    ("govcn", "listing"): ALL - {"genre", "validity"},
    # table.bd1 (State Council): no 公文种类, no validity
    ("govcn", "bd1"): ALL - {"genre", "validity"},
    # the policy-library overview (re-published city documents): no 索引号, no validity
    ("govcn", "overview"): ALL - {"index_no", "validity"},
    # result table: 信息名称 (title attribute), 索引号, 发布日期
    ("hanweb-xxgk", "listing"): frozenset({"title", "index_no", "published_date"}),
    # box 索引号 | 分类 (政策文件 主题 体裁) / 发布机构 | 发文日期 / 文号 | 有效性, meta title and PubDate
    ("hanweb-xxgk", "detail"): ALL,
}


def _by_path() -> dict[str, tuple[str, dict]]:
    out = {}
    for row in truth.rows(WORLD):
        for sighting in row["sightings"]:
            out[sighting["url"]] = (sighting["portal_id"], row)
    return out


BY_PATH = _by_path()


def page_kind(family: str, spec: dict, path: str) -> str:
    if family == "govcn" and spec["kind"] == "detail":
        return "bd1" if "/zhengce/content/" in path else "overview"
    return spec["kind"]


def check_values(family: str, kind: str, url: str, fields: dict[str, str]) -> None:
    """Each field as printed equals the truth's value (dates: as read by `parse_date`); a
    field the page does not carry, or the document lacks, is absent or empty."""
    path = urlsplit(url).path
    assert path in BY_PATH, f"{url}: no document of the world has this URL"
    _, doc = BY_PATH[path]
    for column, name in FIELDS.items():
        want = doc[column] if column in SHOWN[family, kind] else None
        raw = fields.get(name)
        if want is None:
            assert raw is None or is_empty_value(raw), (url, name, raw)
        elif name.endswith("_date"):
            assert parse_date(raw)[0] == date.fromisoformat(want), (url, name, raw)
        else:
            assert raw == want, (url, name)


def listing_paths(family: str, request: dict) -> list[str]:
    """The detail paths a recorded listing request is served, from the world's documents."""
    url = urlsplit(request["url"])
    query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    if family == "gkmlpt":
        cat = int(url.path.rsplit("/", 1)[1])
        members = {cat} | {c for c_id, _, kids, _ in CITY_TREE if c_id == cat for c, _ in kids}
        docs = [d for d in _recorded("gd-yh-gkmlpt") if d.column in members]
        page, per = int(query["page"]) - 1, 10
    elif family == "govcn":
        listed = WORLD.listed("govcn-central", AS_OF)  # categories: own (and every 4th again), city
        own, city = [d for d in listed if d.unit_id == "gwy-bgt"], [d for d in listed if d.unit_id != "gwy-bgt"]
        page, per = int(query["p"]) - 1, int(query["n"])
        chosen = own[page * per : (page + 1) * per] + city[page * per : (page + 1) * per]
        return sorted({detail_path("govcn-central", d) for d in chosen})
    else:
        docs = _recorded("gd-xl-xxgk")
        page, per = int(dict(request["data"])["currpage"]) - 1, 10
    return [detail_path(_portal(family), d) for d in docs[page * per : (page + 1) * per]]


def _recorded(portal_id: str) -> list:
    """What the portal listed when its pages were recorded, newest first."""
    return [d for d in WORLD.listed(portal_id, AS_OF) if d.index_no not in LATER]


def _portal(family: str) -> str:
    return {"gkmlpt": "gd-yh-gkmlpt", "hanweb-xxgk": "gd-xl-xxgk"}[family]


CASES = [(family, path) for family in ("gkmlpt", "govcn", "hanweb-xxgk") for path in expected_files(family)]


@pytest.mark.parametrize("family,expected_path", CASES, ids=lambda v: getattr(v, "name", v))
def test_recorded_page_parses_to_the_truth(family: str, expected_path) -> None:
    spec, text = load(expected_path)
    result = run(family, spec, text)
    if spec["kind"] == "detail":
        check_values(family, page_kind(family, spec, urlsplit(spec["url"]).path), spec["url"], result.fields)
        assert result.has_body
        return
    for row in result.rows:
        check_values(family, "listing", row.url, row.fields)
    paths = [urlsplit(row.url).path for row in result.rows]
    if family == "govcn":
        paths = sorted(set(paths))
    if family != "gkmlpt" or "api/all" in spec["request"]["url"]:
        assert paths == listing_paths(family, spec["request"]), expected_path.name
