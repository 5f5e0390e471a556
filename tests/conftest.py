"""Shared test setup: Prefect offline and quiet, and one Prefect test server per session.

Prefect reads its settings when first imported, so the environment is set here, before any
test module is collected. Only tests that run a flow ask for `prefect_harness`; it costs a
server start (about 20 s), paid once per session.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import settings

from flows import prefect_env

# The suite runs on shared 2-core machines, often beside other work: an example's wall time
# says nothing about the code, so hypothesis judges results only, never deadlines.
settings.register_profile("xxgk", deadline=None)
settings.load_profile("xxgk")

# Tests never touch the user's Prefect home or server.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="xxgk-test-prefect-")
os.environ.pop("PREFECT_API_URL", None)
prefect_env.configure()


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server and database for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
