"""The suite's own dealing to pytest-xdist workers (tests/conftest.py): under `--dist loadgroup`
every test carries its group in its node id, the group the scheduler deals whole to one
worker. A pytest or pytest-xdist that stopped doing so would split modules whose tests
build on one another (and build their module fixtures twice) without a word."""

from __future__ import annotations

import pytest


def test_a_test_without_a_group_of_its_own_goes_with_its_module(request) -> None:
    loadgroup = bool(request.config.getoption("loadgroup", False))  # set in each xdist worker
    assert request.node.nodeid.endswith("@test_xdist_groups") == loadgroup, request.node.nodeid


@pytest.mark.xdist_group("timing")
def test_a_test_with_a_group_of_its_own_keeps_it(request) -> None:
    loadgroup = bool(request.config.getoption("loadgroup", False))
    assert request.node.nodeid.endswith("@timing") == loadgroup, request.node.nodeid


def test_a_test_reading_the_demo_world_goes_with_the_others_that_do(request, demo_world) -> None:
    # the demo world is harvested once per process: a module of its own would harvest it again
    loadgroup = bool(request.config.getoption("loadgroup", False))
    assert (demo_world / "xxgk.toml").is_file()
    assert request.node.nodeid.endswith("@demo-world") == loadgroup, request.node.nodeid
