"""Where the real saved portal pages are, and what a test does when they are absent.

The pages live beside the checkout (``../shared/corpus/real``), not in the repository: they
are other people's pages, read as data. A user's clone has no such folder, so the tests that
read them skip with the reason; CI sets ``XXGK_REQUIRE_CORPUS=1`` so a missing folder fails
there instead of passing unseen.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"


def real_page(name: str) -> Path:
    """The path of one real saved page; skips (or fails under XXGK_REQUIRE_CORPUS=1) when absent."""
    path = REAL_CORPUS / name
    if path.is_file():
        return path
    reason = f"real saved page {path} is absent (the corpus folder sits beside the checkout)"
    if os.environ.get("XXGK_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{reason}; XXGK_REQUIRE_CORPUS=1 requires it")
    pytest.skip(reason)


REPORTS_CORPUS = REAL_CORPUS.parent / "reports"


def reports_corpus() -> Path:
    """The folder of real annual reports with their labels (expected.json); skips (or fails
    under XXGK_REQUIRE_CORPUS=1) when absent."""
    if (REPORTS_CORPUS / "expected.json").is_file():
        return REPORTS_CORPUS
    reason = f"real annual reports {REPORTS_CORPUS} are absent (the corpus folder sits beside the checkout)"
    if os.environ.get("XXGK_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{reason}; XXGK_REQUIRE_CORPUS=1 requires it")
    pytest.skip(reason)
