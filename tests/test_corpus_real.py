"""The real saved pages of the shared corpus, served at their own paths and read page by page.

Every page that `expected.json` labels is served on a real loopback HTTP server at its
original URL's path (an API's JSON at its path and query), fetched with the project's HTTP
client, recognised, and read by the reader of its labelled family (a page labelled `other`
is `generic`, read with the selectors recognition proposed for it). Checked against the hand labels: the family recognition names; the rows read
(how many, and the labelled first, middle and last rows: title, link, date, and 索引号,
发布机构, 文号 where labelled); the advertised total; every labelled detail field (a null
label means the reader must give none).

Two rules of the project decide how a label is compared: text fields as printed, white space
collapsed (the titles' `title_attr`, not the cut `title_shown`); a www.gov.cn 主题分类 printed
as levels (`A\\B`) fills the topic with its top level A (docs/platforms.md, govcn). The govcn
search API prints no single total: its total is its largest category's (docs/platforms.md).

A score table is printed. Under `XXGK_REQUIRE_CORPUS=1` every page must pass, except the
pages `tests/corpus_known_misses.toml` lists with a reason (they count as misses).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers.corpus import REAL_CORPUS, real_page
from helpers.loopback import LoopbackServer

from connectors.families import FAMILIES
from connectors.families.recognise import recognise
from connectors.http import HttpClient, allowed_hosts
from connectors.normalize import canonical_url, normalize_fields
from connectors.records import Request

pytestmark = pytest.mark.corpus

KNOWN_MISSES = Path(__file__).parent / "corpus_known_misses.toml"
_TEXT_FIELDS = {"title": "title", "index_no": "index_no", "publisher": "publisher_name", "doc_no": "doc_no"}
_DETAIL_FIELDS = {
    **_TEXT_FIELDS,
    "published": "published_date",
    "written": "written_date",
    "topic": "topic",
    "validity": "validity",
}


def _entries() -> list[dict | None]:
    path = REAL_CORPUS / "expected.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else [None]


ENTRIES = _entries()


def known_misses() -> dict[str, str]:
    """file -> reason of the pages known not to read yet."""
    data = tomllib.loads(KNOWN_MISSES.read_text(encoding="utf-8"))
    return {miss["file"]: miss["reason"] for miss in data.get("miss", [])}


@dataclass
class Score:
    """How one page read: each check True (ok), False (missed) or None (not labelled)."""

    file: str
    family: bool | None = None
    rows: bool | None = None
    samples: bool | None = None
    total: bool | None = None
    fields: bool | None = None
    problems: list[str] = field(default_factory=list)

    def check(self, column: str, ok: bool, problem: str) -> None:
        setattr(self, column, bool(ok) and getattr(self, column) is not False)
        if not ok:
            self.problems.append(f"{column}: {problem}")

    @property
    def passed(self) -> bool:
        return not self.problems


@pytest.fixture(scope="module")
def served():
    """One loopback server answering every labelled page at its original path."""
    if ENTRIES == [None]:
        real_page("expected.json")  # skips, or fails under XXGK_REQUIRE_CORPUS=1
    with LoopbackServer() as server:
        for entry in ENTRIES:
            body = (REAL_CORPUS / entry["file"]).read_bytes()
            kind = "application/json" if entry["file"].endswith(".json") else "text/html"
            headers = {"Content-Type": f"{kind}; charset={entry.get('charset') or 'utf-8'}"}
            server.routes[_path(entry["url"])] = lambda handler, body=body, headers=headers: (200, headers, body)
        yield server


@pytest.fixture(scope="module")
def scores(served) -> dict[str, Score]:
    client = HttpClient(None, per_host_delay=0, jitter=0, timeout=10, max_attempts=1)
    return {entry["file"]: score_page(entry, served, client) for entry in ENTRIES}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def score_page(entry: dict, server: LoopbackServer, client: HttpClient) -> Score:
    """Fetch one labelled page from the server, recognise and read it, compare with its labels."""
    url = server.url(_path(entry["url"]))
    page = client.fetch(Request(url), allowed_hosts(url))
    score = Score(entry["file"])
    found = recognise(page.text, page.final_url)
    expected = "generic" if entry["family"] == "other" else entry["family"]
    score.check("family", found.family == expected, f"recognised {found.family!r} ({found.evidence})")
    family = FAMILIES[expected]
    options = found.options
    if entry["kind"] == "detail":
        _score_detail(score, family.parse_detail(page.text, page.final_url, options), entry, page.final_url)
    else:
        listing = family.parse_listing(page.text, Request(page.final_url), options)
        _score_listing(score, listing, entry, page.final_url)
    return score


def _score_listing(score: Score, listing, entry: dict, url: str) -> None:
    rows = listing.rows
    score.check("rows", len(rows) == entry["rows"], f"{len(rows)} rows, labelled {entry['rows']}")
    if listing.passing:  # a shell without rows by design: the walk must go on from it
        score.check("rows", listing.next_request is not None, "a passing page with no next request")
    by_url = {row.url: i for i, row in enumerate(rows)}
    samples = entry["samples"]
    for n, sample in enumerate(samples):
        target = canonical_url(sample["href"], url)
        at = by_url.get(target)
        where = {0: 0, len(samples) - 1: len(rows) - 1}.get(n, at)
        if at is None or at != where:
            score.check("samples", False, f"{sample['href']} at row {at}, labelled at {where}")
            continue
        _score_sample(score, rows[at], sample)
    total = entry["advertised_total"]
    if total is None and entry.get("advertised_total_by_category"):
        total = max(entry["advertised_total_by_category"].values())
    score.check("total", listing.advertised_total == total, f"{listing.advertised_total}, labelled {total}")


def _score_sample(score: Score, row, sample: dict) -> None:
    normalized = normalize_fields(row.fields, row.url)
    date = normalized["published_date"]
    got = {"title": row.fields.get("title"), "date": date.isoformat() if date else None}
    want = {"title": sample["title"], "date": sample["date"]}
    for label, name in _TEXT_FIELDS.items():
        if label in sample and label != "title":
            got[label], want[label] = row.fields.get(name), sample[label]
    for key, value in want.items():
        score.check("samples", _same(got[key], value), f"{sample['href']} {key}: {got[key]!r}, labelled {value!r}")


def _score_detail(score: Score, detail, entry: dict, url: str) -> None:
    normalized = normalize_fields(detail.fields, url)
    for label, name in _DETAIL_FIELDS.items():
        want = entry["fields"][label]
        value = normalized[name]
        if name.endswith("_date"):
            got = value.isoformat() if value else None
        else:  # as printed; a value that says nothing (无, -) is none
            got = normalized[f"{name}_raw"] if value is not None else None
        if label == "topic" and want and entry["family"] == "govcn":
            want = want.split("\\", 1)[0]
        score.check("fields", _same(got, want), f"{label}: {got!r}, labelled {want!r}")


def _same(got: str | None, want: str | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return " ".join(got.split()) == " ".join(want.split())


def _cell(value: bool | None) -> str:
    return "-" if value is None else "ok" if value else "MISS"


def score_table(scores: dict[str, Score], misses: dict[str, str]) -> str:
    """The printed score: one line per page, then the pages passed and the known misses."""
    lines = [f"{'page':<36} {'family':>6} {'rows':>5} {'samples':>7} {'total':>5} {'fields':>6}"]
    for name, s in scores.items():
        cells = (_cell(s.family), _cell(s.rows), _cell(s.samples), _cell(s.total), _cell(s.fields))
        mark = "  (known miss)" if name in misses else ""
        lines.append(
            f"{Path(name).name:<36} {cells[0]:>6} {cells[1]:>5} {cells[2]:>7} {cells[3]:>5} {cells[4]:>6}{mark}"
        )
    passed = sum(s.passed for s in scores.values())
    lines.append(f"{passed} of {len(scores)} pages pass; {len(misses)} known misses")
    return "\n".join(lines)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: Path(e["file"]).stem if e else "absent")
def test_real_page_reads_as_labelled(entry: dict | None, scores: dict[str, Score], request) -> None:
    misses = known_misses()
    if entry["file"] in misses:
        request.node.add_marker(pytest.mark.xfail(reason=misses[entry["file"]], strict=True))
    score = scores[entry["file"]]
    assert score.passed, "\n".join(score.problems)


def test_score_table(scores: dict[str, Score], capsys) -> None:
    misses = known_misses()
    with capsys.disabled():
        print("\n" + score_table(scores, misses))
    assert set(misses) <= set(scores), f"known misses that are no labelled page: {set(misses) - set(scores)}"
    assert all(reason.strip() for reason in misses.values()), "every known miss needs its reason"
    if os.environ.get("XXGK_REQUIRE_CORPUS") == "1":
        failing = {name for name, s in scores.items() if not s.passed}
        assert failing <= set(misses), f"pages that miss and are not known misses: {sorted(failing - set(misses))}"
