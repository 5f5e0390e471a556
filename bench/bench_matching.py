"""Bench the matching against the simulated world's truth: how many listing rows the
warehouse puts in the right document.

    python bench/bench_matching.py [--profile messy] [--small] [--keep DIR]

Starts the simulator with the profile (sim, docs/sim.md; `--small`: one document in ten),
harvests every portal in full with the nightly flow's own steps (flows/night/steps.py:
`harvest_portal`, then `build_warehouse`), and compares the published warehouse's clusters
(`fct_sightings`) with the truth (bench/matching_score.py): pairwise precision and recall,
B-cubed F1, the count errors of system ly-aic in 2012 per level, and every wrong and missed
merge with the match rules involved. The province platform's sister hosts are allowed by
the block `127.0.3.0/24` on the platform's port in the config, as an operator would write
them. Ends with one line:

    precision=P recall=R f1=F held_error=E new_error=E

(f1 is B-cubed; the errors are absolute counts summed over the levels of ly-aic). A score
over a harvest that did not read everything the world serves measures the wrong thing: when
a portal's harvest is not ok or any of its detail pages was not read (owed, given up or
gone), one `FAIL` line per such portal follows, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_score import Score, by_cause, score, truth_sightings, warehouse_sightings, warehouse_totals  # noqa: E402

from flows.config.load import load_config  # noqa: E402
from flows.night.housekeeping import new_run_id  # noqa: E402
from flows.night.publish import build_warehouse  # noqa: E402
from flows.night.steps import PortalOutcome, harvest_portal, make_client  # noqa: E402
from sim import truth  # noqa: E402
from sim.figures import figures_as_of  # noqa: E402
from sim.registry import build_world  # noqa: E402
from sim.server import start  # noqa: E402
from sim.shown import detail_path, item_key  # noqa: E402
from sim.world import World  # noqa: E402

SYSTEM, YEAR = "ly-aic", 2012


def served_keys(world: World, as_of: date) -> set[tuple[str, str]]:
    """(portal_id, item_key) of every listing row the world serves on `as_of`."""
    out = set()
    for portal in world.portals:
        listing = world.listing(portal.id, as_of)
        rows = [(r, g) for r, g in listing.natural(0, listing.natural_count())]
        if listing.pinned is not None:
            rows.append((listing.pinned, listing.pinned.n))
        out |= {(portal.id, item_key(detail_path(portal, world.doc(g), row.duplicate))) for row, g in rows}
    return out


def harvest_problem(outcome: PortalOutcome) -> str | None:
    """What a portal's harvest left unread, as a line (None when it read everything)."""
    if outcome.status != "ok":
        return f"{outcome.portal_id}: harvest {outcome.status}: {outcome.reason}"
    if outcome.details_owed or outcome.details_given_up or outcome.details_gone:
        return (
            f"{outcome.portal_id}: detail pages not read: {outcome.details_owed} owed, "
            f"{outcome.details_given_up} given up, {outcome.details_gone} gone ({outcome.reason})"
        )
    return None


def measure(folder: Path, profile: str = "messy", small: bool = False, log=print) -> tuple[Score, list[str]]:
    """Harvest the world of `profile` into `folder` and score the warehouse against the truth;
    with the score, what each portal's harvest left unread (`harvest_problem`)."""
    world = build_world("messy" if profile == "messy" else "longyan", small=small)
    problems = []
    with start(world) as sim:
        config = load_config(sim.write_config(folder / "xxgk.toml"))
        client = make_client(config.harvest, config.warehouse.data_dir)
        run_id = new_run_id()
        for portal in config.portals:
            began = time.perf_counter()
            out = harvest_portal(portal, client, data_dir=config.warehouse.data_dir, run_id=run_id, mode="full")
            log(f"harvest {portal.id:16} {out.status:8} {time.perf_counter() - began:5.1f}s {out.reason or ''}")
            problems += [problem] if (problem := harvest_problem(out)) else []
        rows = list(truth.rows(world, sim.origins))
        served = served_keys(world, sim.as_of)
        figures = figures_as_of(world, sim.as_of, SYSTEM, [YEAR])[YEAR]["levels"]
    built = build_warehouse(config)
    if not built.ok:
        raise RuntimeError(f"the build failed: {built.reason}")
    keys, docs = truth_sightings(rows, served)
    pred = warehouse_sightings(config.warehouse.path)
    return score(keys, docs, pred, figures, warehouse_totals(config.warehouse.path, SYSTEM, YEAR)), problems


def report(result: Score, log=print, limit: int = 15) -> None:
    """Print the scores, the count errors, and the merges grouped by cause (a few of each)."""
    log(
        f"sightings compared {result.compared}, not harvested {len(result.missing)}, not in the world "
        f"{len(result.spurious)}"
    )
    log(
        f"pairwise precision {result.precision:.4f} recall {result.recall:.4f}; B-cubed precision "
        f"{result.b3_precision:.4f} recall {result.b3_recall:.4f} F1 {result.b3_f1:.4f}"
    )
    for level, errors in result.errors.items():
        log(f"count error {SYSTEM} {YEAR} {level:8} " + " ".join(f"{k}={v:+d}" for k, v in errors.items()))
    for name, merges in (("wrong merges", result.wrong), ("missed merges", result.missed)):
        log(f"{name}: {len(merges)}")
        for cause, n in by_cause(merges):
            log(f"  {n:5}  {cause}")
        for m in merges[:limit]:
            log(f"    {m.truths} -> {m.docs} rules {m.rules} traps {m.traps} on {m.portals} {m.titles[:2]}")
    for key in (result.missing + result.spurious)[:limit]:
        log(f"  unmatched sighting {key}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--profile", choices=("default", "messy"), default="default")
    p.add_argument("--small", action="store_true", help="one document in ten")
    p.add_argument("--keep", type=Path, default=None, help="harvest into this folder and keep it")
    args = p.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-matching-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        result, problems = measure(folder, args.profile, args.small)
    print(f"profile {args.profile}{' (small)' if args.small else ''}, {time.perf_counter() - began:.1f}s")
    report(result)
    print(result.line())
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
