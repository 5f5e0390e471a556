"""The nightly run as Prefect deployments: served from this process on a cron schedule
(`xxgk serve`), or registered on a process work pool for workers on several machines
(`xxgk deploy --pool`: the `xxgk-distributed` orchestrator and its `xxgk-batch` flow).

Prefect's temporary (ephemeral) server registers schedules but never runs them, and workers
cannot reach it, so both need a real server: `require_server` refuses early with the two
commands that fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.deployments.runner import RunnerDeployment

SERVER_HELP = (
    "A schedule needs a running Prefect server; the temporary one Prefect starts by itself never "
    "runs schedules.\n"
    "Start one in another terminal:   prefect server start\n"
    "then point xxgk at it:           export PREFECT_API_URL=http://127.0.0.1:4200/api\n"
    "and run this command again."
)


class NoServer(RuntimeError):
    """No reachable Prefect server to register the deployment with."""


def deployment_name(config_path: Path) -> str:
    """One deployment per config file, named after it, so two configs can be served side by side."""
    return f"xxgk-{Path(config_path).stem}"


def cron_schedule(cron: str, timezone: str) -> CronSchedule:
    """The cron schedule; ValueError naming the bad cron expression or time zone."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        return CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as exc:
        problems = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        raise ValueError(f"bad schedule (cron {cron!r}, timezone {timezone!r}): {problems}") from None


def build_deployment(config_path: Path, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai") -> RunnerDeployment:
    """The nightly flow as a deployment with the config's absolute path and the cron schedule.

    Raises ValueError naming the bad cron expression or time zone.
    """
    from prefect.deployments.runner import EntrypointType

    from flows.night.flow import nightly

    schedule = cron_schedule(cron, timezone)
    return nightly.to_deployment(
        name=deployment_name(config_path),
        schedules=[schedule],
        parameters={"config_path": str(Path(config_path).resolve())},
        description=f"Nightly xxgk harvest and build of {Path(config_path).resolve()}",
        tags=["xxgk"],
        concurrency_limit=1,  # a long night must not overlap the next one (they share the data dir)
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def configured_api_url() -> str | None:
    """The server URL Prefect will talk to (environment or profile), or None for the ephemeral one."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def require_server(timeout: float = 5.0) -> str:
    """The reachable server's API URL; NoServer (with how to start one) when there is none."""
    url = configured_api_url()
    if not url:
        raise NoServer("PREFECT_API_URL is not set.\n" + SERVER_HELP)
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise NoServer(
            f"the Prefect server at PREFECT_API_URL={url} does not answer ({exc}).\n" + SERVER_HELP
        ) from None
    return url


def serve_deployment(deployment: RunnerDeployment) -> None:
    """Register the deployment and run its scheduled flow runs until interrupted."""
    from prefect import serve

    serve(deployment)


def ensure_process_pool(name: str) -> bool:
    """Create the process work pool `name` if it is missing; True when it was created.

    Raises ValueError when a pool of that name exists with another type (a process worker
    would never take its runs).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
            return True
    if pool.type != "process":
        raise ValueError(f"work pool {name!r} is of type {pool.type!r}; xxgk's batches need a 'process' pool")
    return False


def build_pool_deployments(
    config_path: Path,
    pool: str,
    batch_size: int = 4,
    cron: str = "0 2 * * *",
    timezone: str = "Asia/Shanghai",
    orchestrator_pool: str | None = None,
    progress_timeout: float = 900.0,
) -> tuple[RunnerDeployment, RunnerDeployment]:
    """(orchestrator, batch) deployments of one config on work pool `pool`.

    Both name the flows by module path, so a worker runs them from the xxgk it has
    installed. The orchestrator runs on `orchestrator_pool` when given (the machine that
    should own the state database and the build), else on `pool`; it is scheduled by the
    cron and never overlaps itself. Raises ValueError for a bad schedule or batch size.
    """
    from prefect.deployments.runner import EntrypointType

    from flows.distributed.batch import batch
    from flows.distributed.flow import distributed

    if batch_size < 1:
        raise ValueError(f"--batch-size must be at least 1, not {batch_size}")
    schedule = cron_schedule(cron, timezone)
    config = str(Path(config_path).resolve())
    name = deployment_name(config_path)
    batches = batch.to_deployment(
        name=name,
        work_pool_name=pool,
        description=f"One batch of portals of {config}, started by xxgk-distributed/{name}",
        tags=["xxgk"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    orchestrator = distributed.to_deployment(
        name=name,
        work_pool_name=orchestrator_pool or pool,
        schedules=[schedule],
        parameters={
            "config_path": config,
            "batch_deployment": f"{batch.name}/{name}",
            "batch_size": batch_size,
            "progress_timeout": progress_timeout,
        },
        description=f"Nightly xxgk harvest of {config} in batches on work pool {pool}, then one build",
        tags=["xxgk"],
        concurrency_limit=1,  # a long night must not overlap the next one (they share the data dir)
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return orchestrator, batches


def apply_pool_deployments(deployments: tuple[RunnerDeployment, ...]) -> list[str]:
    """Register the deployments with the server; their `flow/deployment` names."""
    names = []
    for deployment in deployments:
        deployment.apply()
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names
