"""Score the warehouse's document clusters against the simulated world's ground truth.

A sighting is one portal's listing row, keyed `(portal_id, item_key)` on both sides (the
truth's sightings carry the item key the pipeline computes). Over the sightings both sides
know, the warehouse's clusters (`fct_sightings.doc_id`) are compared with the true
documents:

- pairwise precision and recall: of the sighting pairs the warehouse puts in one document,
  the share that are one true document; of the pairs that are one true document, the share
  the warehouse puts together;
- B-cubed precision, recall and F1 (per sighting: the share of its cluster that is its true
  document, and of its true document that is its cluster; averaged);
- the wrong merges (a warehouse document holding sightings of several true documents) and
  missed merges (a true document split over several warehouse documents), each with the
  `match_rule` of the sightings involved and, for the planted documents, their trap;
- the count errors of the reference system: `fct_totals` against the truth's figures.

Sightings only the truth knows (not harvested) and only the warehouse knows (not a listing
row of the world) are counted apart: they are harvest errors, not matching errors.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

Key = tuple[str, str]
#: The figures compared per level.
FIGURES = ("held", "new", "official_held", "official_new")


@dataclass
class Merge:
    """One wrong or missed merge: the warehouse document(s), the true document(s), the match
    rules of the sightings involved and the planted traps among the true documents."""

    docs: list[str]
    truths: list[str]
    rules: list[str]
    traps: list[str]
    titles: list[str]
    portals: list[str]


@dataclass
class Score:
    """The comparison of one warehouse with one truth (see the module's docstring)."""

    precision: float
    recall: float
    b3_precision: float
    b3_recall: float
    b3_f1: float
    compared: int
    missing: list[Key] = field(default_factory=list)
    spurious: list[Key] = field(default_factory=list)
    wrong: list[Merge] = field(default_factory=list)
    missed: list[Merge] = field(default_factory=list)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)  # level -> figure -> wh - truth

    def error(self, figure: str) -> int:
        """The absolute count error of `figure` summed over the levels (not `all`, their sum)."""
        return sum(abs(v[figure]) for level, v in self.errors.items() if level != "all")

    def line(self) -> str:
        """The one-line summary the bench ends with."""
        return (
            f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.b3_f1:.4f} "
            f"held_error={self.error('held')} new_error={self.error('new')}"
        )


def truth_sightings(
    rows: Iterable[Mapping], served: Iterable[Key] | None = None
) -> tuple[dict[Key, str], dict[str, Mapping]]:
    """(portal_id, item_key) -> true doc id, and doc id -> its truth row; only the rows
    `served` (the listing rows of the night harvested) when given."""
    keys: dict[Key, str] = {}
    docs: dict[str, Mapping] = {}
    for row in rows:
        docs[row["doc_id"]] = row
        for s in row["sightings"]:
            keys[(s["portal_id"], s["item_key"])] = row["doc_id"]
    if served is not None:
        wanted = set(served)
        keys = {k: v for k, v in keys.items() if k in wanted}
    return keys, docs


def warehouse_sightings(db_path: str | Path) -> dict[Key, tuple[str, str]]:
    """(portal_id, item_key) -> (warehouse doc id, match_rule) from the published file."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        got = con.execute("SELECT portal_id, item_key, doc_id, coalesce(match_rule, 'none') FROM fct_sightings")
        return {(p, k): (str(d), r) for p, k, d, r in got.fetchall()}


def warehouse_totals(db_path: str | Path, system: str, year: int) -> dict[str, dict[str, int]]:
    """level -> figure -> count of `fct_totals` for one system and year."""
    import duckdb

    cols = ", ".join(FIGURES)
    with duckdb.connect(str(db_path), read_only=True) as con:
        got = con.execute(
            f"SELECT level, {cols} FROM fct_totals WHERE system_id = ? AND year = ?", [system, year]
        ).fetchall()
    return {row[0]: dict(zip(FIGURES, row[1:], strict=True)) for row in got}


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _clusters(labels: Mapping[Key, str]) -> dict[str, list[Key]]:
    out: dict[str, list[Key]] = defaultdict(list)
    for key, label in labels.items():
        out[label].append(key)
    return out


def _merge(keys: list[Key], truth: Mapping[Key, str], pred: Mapping[Key, tuple[str, str]], docs) -> Merge:
    truths = sorted({truth[k] for k in keys})
    return Merge(
        docs=sorted({pred[k][0] for k in keys}),
        truths=truths,
        rules=sorted({pred[k][1] for k in keys}),
        traps=sorted({docs[t].get("trap") or "-" for t in truths}),
        titles=sorted({docs[t]["title"] for t in truths}),
        portals=sorted({k[0] for k in keys}),
    )


def score(
    truth: Mapping[Key, str],
    docs: Mapping[str, Mapping],
    pred: Mapping[Key, tuple[str, str]],
    truth_figures: Mapping[str, Mapping[str, int]] | None = None,
    wh_figures: Mapping[str, Mapping[str, int]] | None = None,
) -> Score:
    """Compare the warehouse's clusters `pred` with `truth` over the sightings both know."""
    common = [k for k in truth if k in pred]
    t_of = {k: truth[k] for k in common}
    p_of = {k: pred[k][0] for k in common}
    cells = Counter((p_of[k], t_of[k]) for k in common)
    p_sizes, t_sizes = Counter(p_of.values()), Counter(t_of.values())
    together = sum(_pairs(n) for n in cells.values())
    p_pairs, t_pairs = sum(map(_pairs, p_sizes.values())), sum(map(_pairs, t_sizes.values()))
    b3p = sum(cells[(p_of[k], t_of[k])] / p_sizes[p_of[k]] for k in common) / max(len(common), 1)
    b3r = sum(cells[(p_of[k], t_of[k])] / t_sizes[t_of[k]] for k in common) / max(len(common), 1)
    wrong = [_merge(ks, truth, pred, docs) for ks in _clusters(p_of).values() if len({t_of[k] for k in ks}) > 1]
    missed = [_merge(ks, truth, pred, docs) for ks in _clusters(t_of).values() if len({p_of[k] for k in ks}) > 1]
    errors = {}
    for level in sorted(set(truth_figures or {}) | set(wh_figures or {})):
        mine, theirs = (wh_figures or {}).get(level, {}), (truth_figures or {}).get(level, {})
        errors[level] = {f: mine.get(f, 0) - theirs.get(f, 0) for f in FIGURES}
    return Score(
        precision=together / p_pairs if p_pairs else 1.0,
        recall=together / t_pairs if t_pairs else 1.0,
        b3_precision=b3p,
        b3_recall=b3r,
        b3_f1=2 * b3p * b3r / (b3p + b3r) if b3p + b3r else 0.0,
        compared=len(common),
        missing=sorted(k for k in truth if k not in pred),
        spurious=sorted(k for k in pred if k not in truth),
        wrong=wrong,
        missed=missed,
        errors=errors,
    )


def by_cause(merges: Iterable[Merge]) -> list[tuple[str, int]]:
    """Merges grouped by cause: the match rules involved and the planted trap, most first."""
    counts = Counter(f"rules={'+'.join(m.rules)} trap={'+'.join(m.traps)}" for m in merges)
    return counts.most_common()
