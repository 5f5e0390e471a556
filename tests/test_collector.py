"""The collector over a start-up: off inside the block, everything frozen after it, its
earlier state restored (flows/collector.py)."""

from __future__ import annotations

import gc

import pytest

from flows.collector import paused_for_startup


@pytest.fixture(autouse=True)
def _unfrozen():
    yield
    gc.unfreeze()  # the test process goes on: its objects go back to the collector
    gc.enable()


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector could free it


def test_no_collection_runs_inside_the_block_and_what_it_made_is_frozen_after():
    gc.enable()
    gc.unfreeze()
    collections_before = sum(s["collections"] for s in gc.get_stats())
    with paused_for_startup():
        assert not gc.isenabled()
        kept = [_Node() for _ in range(50_000)]  # far past the youngest generation's threshold
        assert sum(s["collections"] for s in gc.get_stats()) == collections_before
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


def test_a_collector_the_caller_had_turned_off_stays_off():
    gc.disable()
    with paused_for_startup():
        pass
    assert not gc.isenabled()


def test_the_collector_comes_back_when_the_block_raises():
    gc.enable()
    with pytest.raises(RuntimeError), paused_for_startup():
        raise RuntimeError("an import failed")
    assert gc.isenabled()
