"""Shared test setup: Prefect offline and quiet with a home of each process's own, one Prefect
test server for the whole run, the demo world harvested once, and the groups that pytest-xdist
deals to its workers.

Prefect reads its settings when first imported, so the environment is set in
`pytest_configure`, before any test module is collected. Only tests that run a flow ask for
`prefect_harness`: the first process to ask starts the run's one server (SQLite, as Prefect's
own test harness starts one), every other process talks to it, and the run's end stops it
(tests/helpers/prefect_server.py: `shared_test_server`).

Tests that talk HTTP get a real loopback server (`server`) and a client without politeness
delays and with quick retries (`client`, two attempts); a module needing another client
defines its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers.loopback import LoopbackServer
from hypothesis import settings

from connectors.http import HttpClient
from flows import prefect_env

if TYPE_CHECKING:
    from sim.server import SimServer

# The suite runs on shared 2-core machines, often beside other work: an example's wall time
# says nothing about the code, so hypothesis judges results only, never deadlines.
settings.register_profile("xxgk", deadline=None)
settings.load_profile("xxgk")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Tests never touch the user's Prefect home or server: each process (the xdist
    controller and every worker) gets a home under its own temporary folder. Output is
    formatted alike in every process."""
    # the tmpdir plugin hands its factory out at configure time for hooks such as this one
    home = config._tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.pop("PREFECT_API_URL", None)
    prefect_env.configure()
    # An xdist worker starts with COLUMNS=80 and LINES=24 in its environment; without them
    # the CLI's output is as wide in every process as in any redirected run (160 columns).
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Deal each module to one xdist worker whole (`--dist loadgroup`): a test without an
    `xdist_group` of its own joins its module's group, or `demo-world` when it reads the demo
    world (`demo_world`, built once per process). Module fixtures are then built once,
    and tests that build on one another's state run in order on one worker. Tests that
    measure CPU time or wall-clock bounds share the group `timing`: one at a time.

    Groups are dealt in the order of their first test (`--no-loadscope-reorder`), and the
    groups marked `first` (each runs for a minute or more) come first: a worker that
    started one of them last would keep the whole run waiting."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            # the demo world is built once per process: every test that reads it goes with it
            group = "demo-world" if "demo_world" in getattr(item, "fixturenames", ()) else item.module.__name__
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.get_closest_marker("first") is None)  # stable: else as collected


def _run_folder(config: pytest.Config) -> Path:
    """A folder of the whole run, the same in every process: the controller's temporary
    folder (each xdist worker's is one inside it)."""
    base = config._tmp_path_factory.getbasetemp()
    return (base.parent if hasattr(config, "workerinput") else base) / "prefect-server"


@pytest.fixture(scope="session")
def prefect_harness(request):
    """The run's Prefect test server, this process's API for the session."""
    from helpers.prefect_server import drain_prefect_services, shared_test_server
    from prefect.context import _temporary_global_settings_context, get_settings_context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # as Prefect's own harness does: the settings also made the process's global context, so
    # code running in a context copied earlier talks to the server too
    url = shared_test_server(_run_folder(request.config))
    with temporary_settings({PREFECT_API_URL: url}), _temporary_global_settings_context(get_settings_context()):
        yield
        drain_prefect_services()


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run is over (in the controller: every worker is done): stop the shared server."""
    if not hasattr(config, "workerinput"):
        from helpers.prefect_server import stop_shared_test_server

        stop_shared_test_server(_run_folder(config))


@pytest.fixture(scope="session")
def demo_sim() -> Iterator[SimServer]:
    """The simulated Longyan 2012 world the demo world was harvested from, serving for the
    session: a test can take a night on from the harvest (the reports step reads the files the
    catalog links to; a later night lists the portals again)."""
    from sim.server import start

    with start(port=0) as sim:
        yield sim


@pytest.fixture(scope="session")
def demo_world(demo_sim, prefect_harness, tmp_path_factory) -> Path:
    """The folder of the demo world's first night (tests/helpers/demo_world.py), built once
    per process; its tests share the xdist group `demo-world`, so once per run."""
    from helpers.demo_world import build_demo_world

    folder = tmp_path_factory.mktemp("demo-world")
    build_demo_world(folder, demo_sim)
    return folder


@pytest.fixture
def demo_copy(demo_world, tmp_path) -> tuple[Path, Path]:
    """(config path, published warehouse path) of this test's own copy of the demo world."""
    from helpers.demo_world import copy_demo_world

    return copy_demo_world(demo_world, tmp_path / "demo-world")


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A real HTTP server on loopback, routes set by the test."""
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def client(tmp_path: Path) -> Iterator[HttpClient]:
    """A client for a loopback server: no politeness delay, quick backoff, two attempts."""
    http = HttpClient(tmp_path / "data", per_host_delay=0, backoff=0.01, backoff_max=0.02, max_attempts=2, timeout=5)
    yield http
    http.close()
