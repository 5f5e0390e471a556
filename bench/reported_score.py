"""Score extracted annual reports against hand labels, figure by figure.

A label file gives, per report, the figures it states in the shape the extractor writes
(`table2`, `table3`, `table4`, `core`, and for the seed `detail`). Each labelled figure is
**right** (we read the same value), **wrong** (we read another), or **missed** (we state
nothing); each figure we state where the label is null, or that a labelled section does
not have, is **invented**. A table labelled null (the stored text stops before it) or as a
phrase ("all cells blank") labels every cell of it as not stated. Rows of a table the labels
do not list are counted apart as unlabelled. Category names are compared by their
canonical form (simplified, without 信息 and what follows 类), so 统计数据信息 and 统计数据 are
one category.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flows.reported.toml import canonical

SECTIONS = ("table2", "table3", "table4", "core", "detail")
_NAMED = ("categories", "proactive_by_category")


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """{dotted path: leaf}; an approximate figure ({"approx": …}) is a leaf."""
    if isinstance(tree, dict) and set(tree) != {"approx"}:
        out: dict[str, Any] = {}
        named = prefix.rpartition(".")[2] in _NAMED
        for key, value in tree.items():
            out |= flatten(value, f"{prefix}.{canonical(key) if named else key}" if prefix else key)
        return out
    return {prefix: tree}


def _same(label: Any, ours: Any) -> bool:
    if isinstance(label, dict) or isinstance(ours, dict):
        return label == ours
    if isinstance(label, int | float) and isinstance(ours, int | float):
        return abs(label - ours) < 1e-9
    return str(label) == str(ours)


def score(label: dict, ours: dict) -> Counter:
    """right, wrong, missed, invented and unlabelled counts of one report."""
    counts: Counter = Counter()
    for section in SECTIONS:
        if section not in label and section != "core":
            continue  # detail: the prose's figures past the core, labelled for the seed only
        theirs = label.get(section)
        mine = flatten(ours.get(section) or {}, section)
        if not isinstance(theirs, dict):  # null or a phrase: nothing stated
            counts["invented"] += sum(v is not None for v in mine.values())
            continue
        labelled = flatten(theirs, section)
        rows = {".".join(p.split(".")[:2]) for p in labelled}
        for path, value in labelled.items():
            got = mine.get(path)
            if value is None:
                counts["invented"] += got is not None
            elif got is None:
                counts["missed"] += 1
            else:
                counts["right" if _same(value, got) else "wrong"] += 1
        for path, value in mine.items():
            if path in labelled or value is None:
                continue
            in_labelled_row = ".".join(path.split(".")[:2]) in rows
            if section in ("core", "detail") or in_labelled_row:
                counts["invented"] += 1
            else:
                counts["unlabelled"] += 1
    return counts
