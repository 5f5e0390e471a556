"""Serve the nightly flow as a Prefect deployment on a cron schedule.

Prefect's temporary (ephemeral) server registers schedules but never runs them, so serving
without a real server would wait forever for nothing: `require_server` refuses early with
the two commands that fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
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


def build_deployment(config_path: Path, cron: str = "0 2 * * *", timezone: str = "Asia/Shanghai") -> RunnerDeployment:
    """The nightly flow as a deployment with the config's absolute path and the cron schedule.

    Raises ValueError naming the bad cron expression or time zone.
    """
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.deployments.runner import EntrypointType
    from pydantic import ValidationError

    from flows.nightly import nightly

    try:
        schedule = CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as exc:
        problems = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        raise ValueError(f"bad schedule (cron {cron!r}, timezone {timezone!r}): {problems}") from None
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
