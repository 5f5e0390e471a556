"""The night's progress as people read it: one overall line (portals done, failed and in
flight, pages, rows, elapsed, ETA) and a line per portal in flight only, drawn by rich into a
string; and the same counts as the Prefect progress artifact of a deployed night.

Driven by real harvests of the simulated province on loopback (no fake client, no fake
outcome): the rows the views count are the rows the province lists, and a portal asked on
a closed port is the failed one.
"""

from __future__ import annotations

import io
import re
import socket

import pytest
from rich.console import Console

from flows.config.load import load_config
from flows.night.batches import Night, TaskBatch, harvest_task_batch
from flows.night.steps import make_client
from flows.night.tally import NightTally
from flows.ui.progress import HarvestProgress, overall_line
from sim.registry import build_world
from sim.server import start


def _render(view: HarvestProgress) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(view)
    return console.file.getvalue()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Watched(NightTally):
    """The real tally, drawn by the real view each time a portal's first row arrives: what a
    person sees in the middle of the night."""

    def __init__(self, portal_ids: list[str]) -> None:
        super().__init__(portal_ids)
        self.view = HarvestProgress(Console(file=io.StringIO()), self)
        self.drawn: dict[str, str] = {}

    def update(self, portal_id: str, pages: int, rows: int, advertised: int | None) -> None:
        super().update(portal_id, pages, rows, advertised)
        if portal_id not in self.drawn:
            self.drawn[portal_id] = _render(self.view)


@pytest.fixture(scope="module")
def province():
    world = build_world("province", portals=4, seed=7)
    with start(world) as sim:
        yield world, sim


def _night(tmp_path, sim, tally: NightTally, dead: str | None = None) -> tuple[Night, list]:
    config = load_config(sim.write_config(tmp_path / "xxgk.toml", per_host_delay=0, parse_processes=0, retries=0))
    portals = list(config.portals)
    if dead is not None:  # the same portal asked on a port nobody listens on
        portals = [p.model_copy(update={"url": f"http://127.0.0.1:{_closed_port()}/"}) if p.id == dead else p
                   for p in portals]  # fmt: skip
    ids = [p.id for p in portals]
    night = Night(
        client=make_client(config.harvest.model_copy(update={"request_backoff": 0.01}), config.warehouse.data_dir),
        data_dir=config.warehouse.data_dir,
        run_id="20130101T020000Z",
        modes=dict.fromkeys(ids, "full"),
        known={pid: {} for pid in ids},
        owed={pid: {} for pid in ids},
        tally=tally,
    )
    return night, portals


def test_the_view_draws_one_overall_line_and_only_the_portals_in_flight(tmp_path, province) -> None:
    world, sim = province
    ids = [p.id for p in world.portals]
    dead = ids[1]
    tally = _Watched(ids)
    night, portals = _night(tmp_path, sim, tally, dead=dead)
    batch = TaskBatch(portals)  # one after another, as a batch task harvests them
    with night.client:
        harvest_task_batch(batch, night, attempt=1)
    listed = {pid: len(world.listing(pid, sim.as_of)) for pid in ids}
    # each portal seen in flight alone: the finished ones and the waiting ones draw no line
    # the first portal's first row: none finished; the third's: the first and the dead one
    for pid, finished in zip([ids[0], ids[2], ids[3]], [0, 2, 3], strict=True):
        drawing = tally.drawn[pid]
        lines = re.findall(r"^  \S.*$", drawing, re.M)
        assert len(lines) == 1 and lines[0].split()[0] == pid, drawing
        assert f"{finished}/4 portals" in drawing and "1 in flight" in drawing, drawing
    assert dead not in tally.drawn  # it never read a row
    # the ssp portal advertises its total on its first page: its line says of how many
    assert f"page 1  1 of {listed[ids[0]]:,} rows" in tally.drawn[ids[0]]
    final = _render(tally.view)
    rows = sum(n for pid, n in listed.items() if pid != dead)
    pages = sum(o.pages for o in batch.outcomes.values())
    assert pages > len(ids) - 1  # a full night reads more than one page of some portal
    assert f"4/4 portals: 3 done, 1 failed, 0 in flight; {pages:,} pages, {rows:,} rows;" in final
    assert "ETA 0:00:00" in final and not re.search(r"^  \S", final, re.M)


def test_a_portal_harvested_again_after_a_transient_failure_counts_once(tmp_path) -> None:
    world = build_world("province", portals=3, seed=11)
    flaky = world.portals[0].id
    # its first four requests answer 503: the first harvest's four attempts fail, the next reads
    with start(world, faults=[f"{flaky}:flaky:4"]) as sim:
        tally = NightTally(p.id for p in world.portals)
        night, portals = _night(tmp_path, sim, tally)
        batch = TaskBatch(portals)
        with night.client:
            harvest_task_batch(batch, night, attempt=1)
            first = tally.snapshot()
            harvest_task_batch(batch, night, attempt=2)
        listed = sum(len(world.listing(p.id, sim.as_of)) for p in world.portals)
    others = sum(len(world.listing(p.id, sim.as_of)) for p in world.portals[1:])
    assert (first.done, first.failed, first.rows) == (2, 1, others)
    last = tally.snapshot()
    assert (last.done, last.failed, last.rows, last.in_flight) == (3, 0, listed, ())
    assert last.pages == sum(o.pages for o in batch.outcomes.values())


def test_the_overall_line_counts_and_estimates_from_the_finished_portals() -> None:
    now = [100.0]
    tally = NightTally(["a", "b", "c", "d"], clock=lambda: now[0])
    tally.start("a")
    tally.update("a", 2, 30, 45)
    tally.start("b")
    now[0] = 160.0
    tally.finish("a", "ok", 3, 45)
    tally.update("b", 1, 15, None)
    snap = tally.snapshot()
    # one of four finished in 60 s: three more at that pace are 180 s
    assert overall_line(snap) == (
        "1/4 portals: 1 done, 0 failed, 1 in flight; 4 pages, 60 rows; 0:01:00 elapsed, ETA 0:03:00"
    )
    assert [(f.portal_id, f.seconds) for f in snap.in_flight] == [("b", 60.0)]
    assert NightTally([]).snapshot().share == 1.0 and tally.snapshot().eta == 180.0


def test_portal_ids_are_drawn_as_inert_text() -> None:
    tally = NightTally(["[red]x\x1b[2J"])
    tally.start("[red]x\x1b[2J")
    drawing = _render(HarvestProgress(Console(file=io.StringIO()), tally))
    assert "[red]x[2J" in drawing and "\x1b" not in drawing


@pytest.mark.usefixtures("prefect_harness")
def test_a_night_reports_its_counts_as_a_prefect_progress_artifact(tmp_path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.night.flow import run_nightly
    from flows.night.progress_artifact import KEY

    world = build_world("province", portals=6, seed=3)
    with start(world) as sim:
        config = sim.write_config(tmp_path / "xxgk.toml", per_host_delay=0, concurrency=2, parse_processes=0)
        result = run_nightly(config)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[KEY])))
    # the other nights of the run's Prefect server have their own: this night's names its run
    # and its six portals
    (artifact,) = [a for a in artifacts if f"run {result.run_id}: 6/6 portals" in (a.description or "")]
    assert result.ok
    assert float(artifact.data) == 100.0
    rows = world.listing_rows(sim.as_of)
    assert f"{result.run_id}: 6/6 portals: 6 done, 0 failed, 0 in flight;" in artifact.description
    assert f" {rows:,} rows;" in artifact.description
