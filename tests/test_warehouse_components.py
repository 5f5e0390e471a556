"""The one connected-components routine (`warehouse.components.connected_components`).

It labels the free sightings' components in the build and the portals that share hosts in
the distributed plan. Checked against a plain graph walk, and as a property over generated
graphs: the labels partition the nodes, every edge lies inside one component, and two nodes
share a component only when a path joins them.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.components import connected_components


def walk_labels(n_nodes: int, left: list[int], right: list[int]) -> list[int]:
    """Each node's component by depth-first walks from the smallest node up."""
    neighbours: dict[int, list[int]] = {node: [] for node in range(n_nodes)}
    for a, b in zip(left, right, strict=True):
        neighbours[a].append(b)
        neighbours[b].append(a)
    labels = [-1] * n_nodes
    for start in range(n_nodes):  # ascending, so each component is labelled by its smallest node
        if labels[start] >= 0:
            continue
        labels[start], stack = start, [start]
        while stack:
            for other in neighbours[stack.pop()]:
                if labels[other] < 0:
                    labels[other] = start
                    stack.append(other)
    return labels


def test_components_agree_with_a_plain_graph_walk():
    rng = np.random.default_rng(3)
    n_nodes = 2_000
    left = rng.integers(0, n_nodes, 1_500)
    right = rng.integers(0, n_nodes, 1_500)
    # a long chain numbered against the hooking direction, the slowest case for min-labels
    chain = np.arange(n_nodes - 1, n_nodes - 400, -1)
    left, right = np.concatenate([left, chain[:-1]]), np.concatenate([right, chain[1:]])
    labels = connected_components(n_nodes, left, right)
    assert labels.tolist() == walk_labels(n_nodes, left.tolist(), right.tolist())


@st.composite
def graphs(draw) -> tuple[int, list[int], list[int]]:
    """A graph of 0..40 nodes and up to 60 edges (self-loops and repeats included)."""
    n_nodes = draw(st.integers(0, 40))
    if n_nodes == 0:
        return 0, [], []
    node = st.integers(0, n_nodes - 1)
    edges = draw(st.lists(st.tuples(node, node), max_size=60))
    return n_nodes, [a for a, _ in edges], [b for _, b in edges]


def reachable(n_nodes: int, left: list[int], right: list[int], start: int) -> set[int]:
    """The nodes a path from `start` reaches, by repeated relaxation over the edge list."""
    seen = {start}
    grew = True
    while grew:
        grew = False
        for a, b in zip(left, right, strict=True):
            if (a in seen) != (b in seen):
                seen |= {a, b}
                grew = True
    return seen


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_components_are_a_partition_closed_over_edges_and_joined_only_by_paths(graph):
    n_nodes, left, right = graph
    labels = connected_components(n_nodes, left, right).tolist()
    assert len(labels) == n_nodes
    components: dict[int, set[int]] = {}
    for node, label in enumerate(labels):
        components.setdefault(label, set()).add(node)
    # a partition: each node in exactly one component, labelled by its smallest member
    assert sorted(node for members in components.values() for node in members) == list(range(n_nodes))
    assert all(label == min(members) for label, members in components.items())
    # every edge inside one component
    assert all(labels[a] == labels[b] for a, b in zip(left, right, strict=True))
    # no merge without a path: a component is exactly what its label reaches
    for label, members in components.items():
        assert members == reachable(n_nodes, left, right, label)


def test_no_edges_leave_every_node_alone_and_lists_are_taken_as_edges():
    assert connected_components(3, [], []).tolist() == [0, 1, 2]
    assert connected_components(4, [3, 1], [2, 1]).tolist() == [0, 1, 2, 2]
