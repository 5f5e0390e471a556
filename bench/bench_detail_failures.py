"""What a portal whose detail pages all fail costs a night, next to a clean night, in one run.

    .venv/bin/python bench/bench_detail_failures.py [--portals A,B,...] [--fail PORTAL]

Two first full nights of the simulated world, each in a fresh data dir: a clean one, then one
where every detail page of one portal answers 500 (`PORTAL:detail-fail:1`, docs/sim.md).
Each night harvests the portals on threads as the nightly flow does (flows.night.steps:
`harvest_portal`, the config's client and parser pool), then loads, builds and publishes.
Prints both wall times and their ratio (the detail debt's circuit breaker keeps it under 2:
the failing portal stops asking after a few failures, each retried once, quickly), and the
failing portal's line of each night.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from flows.config.load import load_config
from flows.night.debt import debt_policy
from flows.night.publish import build_warehouse
from flows.night.steps import PortalOutcome, harvest_portal, make_client, make_parser_pool
from sim.registry import build_world
from sim.server import start

FAIL = "ly-hongdun"


def one_night(sim, folder: Path, portal_ids: list[str] | None) -> tuple[float, dict[str, PortalOutcome]]:
    """Seconds for one first full night of the chosen portals (harvest, load, build)."""
    folder.mkdir(parents=True)
    config = load_config(sim.write_config(folder / "xxgk.toml", folder / "data"))
    portals = [p for p in config.portals if portal_ids is None or p.id in portal_ids]
    data_dir = config.warehouse.data_dir
    debt = debt_policy(config.harvest, datetime.now(UTC).date())
    started = time.perf_counter()
    client, parser = make_client(config.harvest, data_dir), make_parser_pool(config.harvest)
    with client, parser or contextlib.nullcontext(), ThreadPoolExecutor(config.harvest.concurrency) as pool:
        futures = {
            p.id: pool.submit(
                harvest_portal,
                p,
                client,
                data_dir=data_dir,
                run_id="20130101T020000Z",
                mode="full",
                parser=parser,
                debt=debt,
            )
            for p in portals
        }
        outcomes = {portal_id: future.result() for portal_id, future in futures.items()}
    build = build_warehouse(config)
    elapsed = time.perf_counter() - started
    if not build.ok:
        raise SystemExit(f"build failed: {build.reason}")
    return elapsed, outcomes


def describe(outcome: PortalOutcome) -> str:
    return (
        f"{outcome.portal_id}: {outcome.status}, {outcome.pages} listing pages, "
        f"{outcome.rows} rows, {outcome.requests} requests, {outcome.details_owed} owed, "
        f"{outcome.duration:.1f} s; {outcome.reason or 'no reason'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", help="comma-separated portal ids (default: every portal)")
    parser.add_argument("--fail", default=FAIL, help=f"the portal whose detail pages fail ({FAIL})")
    args = parser.parse_args()
    portal_ids = args.portals.split(",") if args.portals else None
    with start(build_world()) as sim, tempfile.TemporaryDirectory() as tmp:
        clean, clean_outcomes = one_night(sim, Path(tmp) / "clean", portal_ids)
        sim.set_faults([f"{args.fail}:detail-fail:1"])
        failing, failing_outcomes = one_night(sim, Path(tmp) / "failing", portal_ids)
    n = len(clean_outcomes)
    print(f"clean night          {clean:7.1f} s  ({n} portals)")
    print(f"detail-fail night    {failing:7.1f} s  (every detail page of {args.fail} answers 500)")
    print(f"ratio failing/clean  {failing / clean:7.2f}  (target <= 2)")
    print(f"clean   {describe(clean_outcomes[args.fail])}")
    print(f"failing {describe(failing_outcomes[args.fail])}")


if __name__ == "__main__":
    main()
