"""What the distributed night's tests share: a config of some of the simulated world's
portals, `xxgk deploy`, the night's batch runs as Prefect has them, what the state
database loaded, and whether a host was ever asked by two processes at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import duckdb
from typer.testing import CliRunner

from sim.annual.reports import report_of
from sim.catalog import PORTAL_BY_ID
from sim.catalog import PORTALS as WORLD_PORTALS
from sim.shown import detail_path

PORTALS = ("ly-yd-aic-site", "ly-ct-aic-site", "ly-zp-aic-site", "ly-sh-aic-site", "ly-wp-aic-site", "ly-lc-aic-site")
DELAY = 0.03  # seconds between two requests to one host: six portals harvest for ~10 s


def write_config(
    sim,
    folder: Path,
    portals: tuple[str, ...] = PORTALS,
    delay: float = DELAY,
    concurrency: int = 8,
    harvest: str = "",
    name: str = "xxgk.toml",
) -> Path:
    """A config of `portals` of the sim's world (`ly-zp-aic-site`, when there, also allowed
    on `ly-wp-aic-site`'s host), with `harvest` lines added to its `[harvest]` table."""
    folder.mkdir(parents=True)
    text = sim.config_text(folder / "data", exclude=[p.id for p in WORLD_PORTALS if p.id not in portals])
    text = text.replace("per_host_delay = 0", f"per_host_delay = {delay}\nparse_processes = 0\n{harvest}")
    text = text.replace("concurrency = 8", f"concurrency = {concurrency}")
    if "ly-zp-aic-site" in portals:
        zp_url, wp_host = sim.portals["ly-zp-aic-site"], sim.origins["ly-wp-aic-site"].split("://", 1)[1]
        text = text.replace(
            f"url = {json.dumps(zp_url)}", f"url = {json.dumps(zp_url)}\nhosts = [{json.dumps(wp_host)}]"
        )
        assert "hosts = " in text
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def deploy(config: Path, pool: str, batch_size: int, progress_timeout: float) -> dict:
    """`xxgk deploy --pool`, then the orchestrator deployment's parameters as registered."""
    from prefect.client.orchestration import get_client

    from flows.cli.app import app

    args = ["deploy", "--config", str(config), "--pool", pool, "--batch-size", str(batch_size)]
    outcome = CliRunner().invoke(app, [*args, "--progress-timeout", str(progress_timeout)])
    assert outcome.exit_code == 0, outcome.output
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(f"xxgk-distributed/xxgk-{config.stem}")
    return dict(deployment.parameters)


def runs_loaded(data: Path, run_id: str | None = None) -> list[tuple[str, int]]:
    """(portal, rows) of every run in the state database (of one run id when given)."""
    with duckdb.connect(str(data / "state.duckdb"), read_only=True) as con:
        where, args = ("WHERE run_id = ?", [run_id]) if run_id else ("", [])
        return sorted(con.execute(f"SELECT portal_id, rows FROM raw_runs {where}", args).fetchall())


def batch_runs(run_id: str) -> dict[str, list[tuple[str, str]]]:
    """Each batch's flow runs in order: (flow run id, state type)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"xxgk-run-{run_id}"])))
    found: dict[str, list[tuple[str, str, str]]] = {}
    for run in runs:
        _, batch_id, number = run.name.rsplit("-", 2)
        found.setdefault(batch_id, []).append((int(number), str(run.id), run.state.type.value))
    return {batch_id: [(rid, state) for _, rid, state in sorted(rows)] for batch_id, rows in found.items()}


def senders(rows: list[tuple[float, float, int]]) -> list[int]:
    """The processes that asked one host, one entry per run of consecutive requests."""
    runs: list[int] = []
    for _, _, pid in rows:
        if not runs or runs[-1] != pid:
            runs.append(pid)
    return runs


def impolite(rows: list[tuple[float, float, int]]) -> list[str]:
    """What broke one host's politeness across processes: two processes taking turns, or a
    process asking while another's request was still being answered."""
    broken = []
    if 0 in senders(rows):
        broken.append("a request whose sender was not found")
    if len(senders(rows)) != len(set(senders(rows))):
        broken.append(f"processes took turns: {senders(rows)}")
    for (_, answered, pid), (arrived, _, next_pid) in zip(rows, rows[1:], strict=False):
        if pid != next_pid and arrived < answered:
            broken.append(f"pid {next_pid} asked while pid {pid}'s request was in flight")
    return broken


def harvest_only(world) -> Callable[[str, str], bool]:
    """A `RequestLog.by_portal` filter keeping the harvest's requests: it drops the reading of
    the units' annual reports (each report document's page and its DOCX and PDF files),
    which the night's build step does from the orchestrator's own process once every batch
    is done (docs/reports.md), so a portal showing a report is asked by that process too."""
    reports = [doc for doc in world.docs() if report_of(doc) is not None]
    pages = {
        (portal_id, detail_path(PORTAL_BY_ID[portal_id], doc, duplicate, migrated))
        for doc in reports
        for portal_id in doc.portals
        if portal_id in PORTAL_BY_ID
        for duplicate in (False, True)
        for migrated in (False, True)
    }

    def keep(portal_id: str, target: str) -> bool:
        path = urlsplit(target).path
        return (portal_id, path) not in pages and PurePosixPath(path).suffix not in (".docx", ".pdf")

    return keep
