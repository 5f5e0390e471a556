"""The repository stands alone: no file cites a design document or a folder outside it.

Every rule the code relies on is written in `docs/`; code comments and docs point there.
The one file allowed to name the folder beside the checkout is `tests/helpers/corpus.py`,
which locates the real saved pages the corpus tests read as data.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FOLDERS = ("connectors", "warehouse", "flows", "sim", "tests", "bench", "docs")
SUFFIXES = {".py", ".sql", ".yml", ".md", ".toml"}
ALLOWED = {Path("tests/helpers/corpus.py")}

# The words are built from parts so that this file does not hold what it looks for.
DESIGN = "DES" + "IGN"
PLATFORMS = "PLAT" + "FORMS.md"
SHARED = "../" + "shared"
# "<design> section 7" also when a comment wraps it over two lines.
CITATIONS = {
    f"{DESIGN} section": re.compile(DESIGN + r"(?:\s|#|--|//|\*)*sections?\b"),
    f"{DESIGN}.md": re.compile(re.escape(f"{DESIGN}.md")),
    PLATFORMS: re.compile(re.escape(PLATFORMS)),
    SHARED: re.compile(re.escape(SHARED)),
}


def checked_files() -> list[Path]:
    """Every source and documentation file of the repository the rule applies to."""
    files = [ROOT / "README.md"]
    for folder in FOLDERS:
        files += (p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    return sorted(p for p in files if p.relative_to(ROOT) not in ALLOWED)


def citations(text: str) -> list[str]:
    """The outside citations a text holds, by name."""
    return [name for name, pattern in CITATIONS.items() if pattern.search(text)]


def test_no_file_cites_outside_the_repository() -> None:
    offences = [
        f"{path.relative_to(ROOT)}: {', '.join(found)}"
        for path in checked_files()
        if (found := citations(path.read_text(encoding="utf-8", errors="replace")))
    ]
    assert offences == []


def test_the_check_sees_a_citation() -> None:
    assert citations(f"# see {DESIGN} section 7") == [f"{DESIGN} section"]
    assert citations(f"-- ({DESIGN}\n-- sections 4, 5)") == [f"{DESIGN} section"]
    assert citations(f"the rules in {DESIGN}.md") == [f"{DESIGN}.md"]
    assert citations(f'Path("{SHARED}/corpus")') == [SHARED]
    assert citations(f"as {PLATFORMS} 2.4 shows") == [PLATFORMS]
    assert citations("see docs/counting.md") == []


def test_the_rule_docs_exist() -> None:
    for name in ("architecture", "fields", "matching", "counting", "withdrawal", "reliability", "platforms", "config"):
        assert (ROOT / "docs" / f"{name}.md").is_file(), name
