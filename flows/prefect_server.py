"""Prefect's temporary server for a night run without a server of the user's.

Without PREFECT_API_URL, Prefect starts a temporary server itself the first time a flow
runs: uvicorn serving its API application in a child process, with the UI and the
background services off. It does so from inside the flow's process by importing its whole
server application there, about 2 s of CPU a night for a process that then only talks to
that server over HTTP. `temporary_server` starts the same server the same way (our factory
below asks Prefect's `create_app` for an ephemeral application, which is what turns the
services off), points Prefect's settings at it for the run, and stops it when the run ends. The server keeps its database in Prefect's home
(`prefect_env.configure` puts it under the data dir), as Prefect's own temporary server does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flows.collector import paused_for_startup

#: Seconds a new server may take to answer (its database may have to be migrated first).
START_TIMEOUT = 180.0
#: Seconds each of this process's Prefect services may take to send what it holds.
DRAIN_SECONDS = 10.0

#: The names Prefect reads its "register block types on start" setting from.
REGISTER_BLOCKS = ("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "PREFECT_API_BLOCKS_REGISTER_ON_START")

logger = logging.getLogger(__name__)


class ServerStartError(RuntimeError):
    """Prefect's temporary server did not start; the message says why (its log's last lines)."""


def server_environment(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The temporary server's environment: the caller's, without the UI, and without
    registering Prefect's block types unless the caller asks for it. Registering them costs
    about 0.9 s of CPU on a new database (every new data dir's first night), and nothing a
    night does uses a block."""
    env = {**environ, "PREFECT_UI_ENABLED": "0"}
    if not any(name in environ for name in REGISTER_BLOCKS):
        env[REGISTER_BLOCKS[0]] = "false"
    return env


def create_app() -> Any:  # noqa: ANN401 - a FastAPI application, for uvicorn's --factory
    """The server's application, in the server's own process: Prefect's API as an ephemeral
    server (no background services), which is what Prefect's own temporary server runs. Made
    with the collector paused: all of it lives as long as the server (flows/collector.py)."""
    with paused_for_startup():
        from prefect.server.api.server import create_app as prefect_app

        return prefect_app(ephemeral=True, final=True)


@contextlib.contextmanager
def temporary_server(log_folder: Path) -> Iterator[str | None]:
    """Unless Prefect has a server to talk to (PREFECT_API_URL, from the environment, a
    profile or a settings file), serve Prefect's API from a child process and point Prefect's
    settings at it while the block runs; yield its URL (None: the user's server is used). The
    server's log is `log_folder/temporary-server.log`."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield None
        return
    log_folder.mkdir(parents=True, exist_ok=True)
    log_path = log_folder / "temporary-server.log"
    port = _free_port()
    with open(log_path, "wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"{__name__}:create_app"]
            + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
            env=server_environment(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(child, url, log_path)
        with temporary_settings({PREFECT_API_URL: url}):
            try:
                yield url
            finally:
                drain_prefect_services()  # while the server still answers: a stopped one never does
    finally:
        _stop(child)


def drain_prefect_services(timeout: float = DRAIN_SECONDS) -> None:
    """Stop this process's Prefect log and event services, waiting at most `timeout` seconds
    for each to send what it holds.

    Prefect drains them itself at exit, but without a bound, and only then: a server stopped
    before would keep the process waiting for sends that never finish. Drained, they are gone
    from the services' registry (the next flow starts its own), and the exit's drain finds
    nothing left to wait for."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        _, pending = service.drain_all(timeout=timeout)
        if pending:
            logger.warning(
                "%s: %d instance(s) still sending after %.0f s; left", service.__name__, len(pending), timeout
            )


def _free_port() -> int:
    """A loopback port no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(child: subprocess.Popen, url: str, log_path: Path) -> None:
    """Return once the server answers its health check; raise if it exits or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise ServerStartError(f"Prefect's temporary server exited ({child.returncode}): {_tail(log_path)}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.1)
    _stop(child)
    raise ServerStartError(f"Prefect's temporary server did not answer within {START_TIMEOUT:.0f} s: {_tail(log_path)}")


def _stop(child: subprocess.Popen) -> None:
    """Stop the server: SIGTERM (uvicorn shuts down cleanly), SIGKILL after 10 s."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _tail(path: Path, lines: int = 15) -> str:
    """The last lines of the server's log, or a note that it has none."""
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    return "\n".join(text.splitlines()[-lines:]) or f"(nothing in {path})"
