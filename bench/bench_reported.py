"""Annual-report extraction scored against labels: the seed report and the real reports.

    PYTHONPATH=. python bench/bench_reported.py [--corpus DIR] [--seed FILE]

(by default the corpus and the seed of the shared folder beside the checkout).

Per kind (prose, template2019, template2021): figures right, wrong, missed (labelled, not
stated by us) and invented (stated by us where the label is null or absent), and the rows
the labels leave out (unlabelled, not scored). The last line is
`reported: right=R wrong=W missed=M invented=I`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from reported_score import score  # noqa: E402

from connectors.annual_report import ReportError, as_dict, extract  # noqa: E402

SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_7cc49b8b1d99bd2e.txt"
SEED_LABELS = ROOT / "bench" / "reported_seed_labels.json"


def cases(corpus: Path, seed: Path) -> list[tuple[str, Path, dict]]:
    """(name, file, label) of the seed and of every labelled real report present."""
    out = []
    if seed.is_file():
        out.append(("seed", seed, json.loads(SEED_LABELS.read_text(encoding="utf-8"))))
    expected = corpus / "expected.json"
    if expected.is_file():
        for label in json.loads(expected.read_text(encoding="utf-8"))["reports"]:
            path = corpus / label["file"]
            if path.is_file():
                out.append((label["file"], path, label))
    return out


def run(corpus: Path, seed: Path) -> tuple[dict[str, Counter], list[str]]:
    per_kind: dict[str, Counter] = defaultdict(Counter)
    lines = []
    for name, path, label in cases(corpus, seed):
        try:
            ours = as_dict(extract(path.read_bytes(), path.name))
        except ReportError as error:
            ours = {"kind": None, "year": None, "core": {}}
            lines.append(f"{name}: not read: {error.reason}")
        counts = score(label, ours)
        per_kind[label["kind"]] += counts
        flags = [f"kind {'ok' if ours['kind'] == label['kind'] else 'WRONG ' + str(ours['kind'])}"]
        flags.append(f"year {'ok' if ours['year'] == label['year'] else 'WRONG ' + str(ours['year'])}")
        lines.append(
            f"{name:<46} right={counts['right']:<4} wrong={counts['wrong']:<3} missed={counts['missed']:<3} "
            f"invented={counts['invented']:<3} unlabelled={counts['unlabelled']:<4} {', '.join(flags)}"
        )
    return per_kind, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "reports")
    parser.add_argument("--seed", type=Path, default=SEED)
    args = parser.parse_args()
    per_kind, lines = run(args.corpus, args.seed)
    for line in lines:
        print(line)
    total: Counter = Counter()
    for kind in sorted(per_kind):
        c = per_kind[kind]
        total += c
        labelled = c["right"] + c["wrong"] + c["missed"]
        print(
            f"{kind:<13} right={c['right']} wrong={c['wrong']} missed={c['missed']} invented={c['invented']} "
            f"unlabelled={c['unlabelled']} read={c['right'] / labelled:.1%} of {labelled} labelled"
        )
    labelled = total["right"] + total["wrong"] + total["missed"]
    if labelled:
        print(f"all           read={total['right'] / labelled:.1%} of {labelled} labelled figures")
    print(
        f"reported: right={total['right']} wrong={total['wrong']} missed={total['missed']} invented={total['invented']}"
    )


if __name__ == "__main__":
    main()
