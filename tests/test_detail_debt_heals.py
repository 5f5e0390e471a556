"""Detail debt that heals (docs/reliability.md, "Detail debt"): a third of three portals'
detail pages fail one night; once the portals answer again, every owed page is paid within
the next two nights (a read tonight makes every owed page due, whatever its backoff; the
budget is seconds paced by the per-host delay), and every figure of the reference system is
exact against the ground truth.

The small simulated world (one document in ten), harvested night by night with the nightly
flow's own steps (flows/night: the portals' states, modes, owed pages and the debt's budget
read before the harvest; `harvest_task_batch`; `build_warehouse`) on a simulated clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from helpers.warehouse import query

from flows.config.clock import starting_at
from flows.config.load import load_config
from flows.night.batches import Night, TaskBatch, harvest_task_batch
from flows.night.debt import as_owed, debt_policy
from flows.night.housekeeping import night_of, unused_run_id
from flows.night.publish import build_warehouse
from flows.night.steps import make_client, mode_for
from sim.figures import figures_as_of
from sim.registry import build_world
from sim.server import start
from warehouse.portal_state import portal_states

CHINA = timezone(timedelta(hours=8))
SYSTEM, YEAR = "ly-aic", 2012
MEASURES = ("held", "official_held", "new", "official_new", "fulltext_held")
#: The three portals that list the city level's documents (the province and city platforms
#: and the 红盾网): a city document loses every detail page only when all three fail it.
FAILING = ("fj-aic-ssp", "ly-aic-xxgk", "ly-hongdun")
FIRST = date(2013, 2, 1)

pytestmark = pytest.mark.timeout(1200)


def one_night(sim, config, day: date, faults: list[str]) -> dict:
    """The night of `day` at 02:00 China time, as the nightly flow runs it (without Prefect):
    each portal's outcome."""
    sim.set_faults(faults)
    clock = starting_at(datetime(day.year, day.month, day.day, 2, tzinfo=CHINA))
    data_dir, now = config.warehouse.data_dir, clock()
    run_id = unused_run_id(data_dir, now)
    states = portal_states(config.warehouse.state_path, [p.id for p in config.portals])
    night = Night(
        client=make_client(config.harvest, data_dir, clock),
        data_dir=data_dir,
        run_id=run_id,
        modes={pid: mode_for(s.last_full, config.harvest.full_every_days, now=now) for pid, s in states.items()},
        known={pid: s.known for pid, s in states.items()},
        owed={pid: as_owed(s.owed) for pid, s in states.items()},
        debt=debt_policy(config.harvest, night_of(run_id)),
    )
    batch = TaskBatch(list(config.portals))
    with night.client:
        harvest_task_batch(batch, night, attempt=1)
    assert build_warehouse(config).ok
    return batch.outcomes


def published_figures(path) -> dict[str, dict[str, int]]:
    rows = query(
        path, f"SELECT level, {', '.join(MEASURES)} FROM fct_totals WHERE system_id = ? AND year = ?", [SYSTEM, YEAR]
    )
    return {level: dict(zip(MEASURES, values, strict=True)) for level, *values in rows}


def test_a_failing_night_is_paid_within_two_nights_and_every_figure_is_exact(tmp_path):
    world = build_world(small=True)
    with start(world) as sim:
        config = load_config(sim.write_config(tmp_path / "xxgk.toml", tmp_path / "data"))
        levels = figures_as_of(world, sim.as_of, SYSTEM, [YEAR])[YEAR]["levels"]
        expected = {level: {m: figures[m] for m in MEASURES} for level, figures in levels.items()}
        failing = one_night(sim, config, FIRST, [f"{p}:detail-fail:0.33" for p in FAILING])
        first_figures = published_figures(config.warehouse.path)
        nights = [one_night(sim, config, FIRST + timedelta(days=n), []) for n in (1, 2)]
    owed = {p: failing[p].details_owed for p in FAILING}
    # The failing night leaves each of the three portals owing pages, and the figures short.
    assert all(owed.values()), owed
    assert first_figures != expected, first_figures
    # The next night pays what each owes (its portal answers again, so every owed page is
    # due, and the sim's per_host_delay of 0 leaves only the seconds to bound the requests);
    # nothing is owed after either night, by any portal.
    assert {p: nights[0][p].details_paid for p in FAILING} == owed
    assert {(o.details_owed, o.details_given_up, o.details_gone) for n in nights for o in n.values()} == {(0, 0, 0)}
    assert not any(s.owed for s in portal_states(config.warehouse.state_path, [p.id for p in config.portals]).values())
    # Held, new, official and full text, per level, exactly as the truth says.
    assert published_figures(config.warehouse.path) == expected
