"""Recorded pages of every family against their hand-written `.expected.json`.

Run a recorded page through its family and compare with the hand-written `.expected.json`.

Each `tests/fixtures/<family>/<name>.expected.json` names its page (`page`), how to decode it
(`encoding`, default utf-8), whether it is a `listing` or `detail` page, the request or URL,
the portal options, and either what the parser gives or the error it `raises`.

The gkmlpt, govcn and hanweb-xxgk pages were recorded from the simulated Guangdong world:
tests/test_fixtures_truth_guangdong.py checks their parse against that world's ground truth.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from connectors import errors
from connectors.families import FAMILIES
from connectors.families.base import ListingPage, RawDetail
from connectors.normalize import normalize_fields
from connectors.records import Request

FIXTURES = Path(__file__).parent / "fixtures"


def expected_files(family: str) -> list[Path]:
    return sorted((FIXTURES / family).glob("*.expected.json"))


def load(expected_path: Path) -> tuple[dict, str]:
    spec = json.loads(expected_path.read_text(encoding="utf-8"))
    raw = (expected_path.parent / spec["page"]).read_bytes()
    return spec, raw.decode(spec.get("encoding", "utf-8"))


def request_of(spec: dict) -> Request:
    req = spec["request"]
    return Request(
        url=req["url"],
        method=req.get("method", "GET"),
        data=tuple(tuple(pair) for pair in req.get("data", [])),
        headers=tuple(tuple(pair) for pair in req.get("headers", [])),
        carry=tuple(req.get("carry", [])),
    )


def run(family: str, spec: dict, text: str) -> ListingPage | RawDetail:
    module = FAMILIES[family]
    if spec["kind"] == "listing":
        return module.parse_listing(text, request_of(spec), spec["options"])
    return module.parse_detail(text, spec["url"], spec["options"])


def _request_json(request: Request | None) -> dict | None:
    if request is None:
        return None
    return {
        k: [list(p) if isinstance(p, tuple) else p for p in v] if isinstance(v, tuple) else v
        for k, v in asdict(request).items()
        if k != "carry" or v
    }  # carry: gkmlpt only


def _normalized_json(fields: dict[str, str]) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in normalize_fields(fields).items()}


def check(family: str, expected_path: Path) -> None:
    """Parse the fixture and assert every expectation its JSON states."""
    spec, text = load(expected_path)
    if "raises" in spec:
        with pytest.raises(getattr(errors, spec["raises"])):
            run(family, spec, text)
        return
    result = run(family, spec, text)
    if spec["kind"] == "detail":
        assert result.fields == spec["fields"]
        assert result.has_body == spec["has_body"]
        assert list(result.attachments) == spec["attachments"]
        normalized = _normalized_json(result.fields)
        for name, value in spec.get("normalized", {}).items():
            assert normalized[name] == value, name
        return
    rows = [asdict(row) for row in result.rows]
    if "rows" in spec:
        assert rows == spec["rows"]
    if "rows_count" in spec:
        assert len(rows) == spec["rows_count"]
    for index, row in spec.get("rows_at", {}).items():
        assert rows[int(index)] == row
    for index, wanted in spec.get("normalized_rows", {}).items():
        normalized = _normalized_json(result.rows[int(index)].fields)
        for name, value in wanted.items():
            assert normalized[name] == value, (index, name)
    # every recorded page states the rows it cannot read; most have none
    assert [[bad.reason, bad.text] for bad in result.unreadable_rows] == spec.get("unreadable", [])
    assert result.page_count == spec["page_count"]
    assert result.advertised_total == spec["advertised_total"]
    assert result.category_total == spec.get("category_total")
    assert _request_json(result.next_request) == spec["next_request"]


@pytest.mark.parametrize(
    "family,expected_path",
    [(family, path) for family in FAMILIES for path in expected_files(family)],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_recorded_page_parses_as_written_by_hand(family: str, expected_path: Path) -> None:
    check(family, expected_path)


def test_every_family_has_fixtures_for_its_listing_and_detail_or_end_pages() -> None:
    kinds = {
        family: {json.loads(p.read_text(encoding="utf-8"))["kind"] for p in expected_files(family)}
        for family in FAMILIES
    }
    assert kinds["trs"] == {"listing", "detail"}
    assert kinds["hanweb"] == {"listing", "detail"}
    assert "listing" in kinds["ssp"]
