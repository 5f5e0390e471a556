"""Each real annual report's figures against its hand labels (corpus/reports/expected.json):
nothing read wrong, nothing invented, and every labelled figure read but the one a
flattened text cannot place (11: a single 0 under three columns whose blanks were lost)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers.corpus import REPORTS_CORPUS, reports_corpus

from connectors.annual_report import as_dict, extract

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from reported_score import score  # noqa: E402

pytestmark = pytest.mark.corpus


def _labels() -> list[dict]:
    path = REPORTS_CORPUS / "expected.json"
    return json.loads(path.read_text(encoding="utf-8"))["reports"] if path.is_file() else [{"file": "absent"}]


@pytest.mark.parametrize("label", _labels(), ids=lambda label: label["file"])
def test_real_report_figures_match_their_labels(label):
    folder = reports_corpus()
    path = folder / label["file"]
    ours = as_dict(extract(path.read_bytes(), path.name))
    assert (ours["kind"], ours["year"]) == (label["kind"], label["year"])
    counts = score(label, ours)
    assert counts["wrong"] == 0 and counts["invented"] == 0
    expected_missed = 1 if label["file"].startswith("11_") else 0
    assert counts["missed"] == expected_missed
    assert counts["right"] > 0 or label["file"].startswith("11_")


def test_the_shanghai_table_identities_hold_and_blank_cells_are_not_zero():
    path = reports_corpus() / "02_shanghai-shizhengfubangongting_2019.html"
    ours = as_dict(extract(path.read_bytes(), path.name))
    # 859 + 18 = 805 + 72; 821 + 18 = 767 + 72; (七) 767 = 258 + 3 + 32 + 321 + 153
    assert ours["inconsistencies"] == []
    assert ours["checks_passed"] >= 10
    assert ours["table3"]["granted"]["total"] is None  # a blank cell, not 0
    assert ours["table2"]["central_procurement"]["amount"] == "251000元"
    located = {x["figure"]: x["where"] for x in ours["located"]}
    assert "row 4" in located["table3.new_received.natural_person"]
