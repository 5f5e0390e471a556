"""The two build steps that are clearer over arrays than in SQL.

Both work on aggregates or edge lists pulled out of DuckDB as Arrow and go back as Arrow,
in bulk: the withdrawal eligibility of full listings (a few rows per portal and run) and
the connected components of the sightings without index_no (linear in the edges).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: A full listing that would withdraw more than this share of a portal is quarantined.
QUARANTINE_SHARE = 0.10


def connected_components(n_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Label each node 0..n_nodes-1 with the smallest node of its connected component.

    Hook-and-compress: each round points the larger root of every edge at the smaller one,
    then flattens the trees; a handful of rounds for the star-shaped graphs the matching
    rules make, each round linear in nodes and edges.
    """
    parent = np.arange(n_nodes, dtype=np.int64)
    while True:
        root_left, root_right = parent[left], parent[right]
        differ = root_left != root_right
        if not differ.any():
            return parent
        low = np.minimum(root_left[differ], root_right[differ])
        high = np.maximum(root_left[differ], root_right[differ])
        np.minimum.at(parent, high, low)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def free_components(groups: pa.Table) -> pa.Table:
    """Components of the sightings without index_no, joined through their match groups.

    `groups` has `group_key` and `sighting_id` (only sightings without index_no). Nodes are
    the sightings and the groups; a component is labelled by its smallest sighting_id.
    """
    sightings = groups.column("sighting_id").to_numpy()
    group_index = (
        pc.dictionary_encode(groups.column("group_key")).combine_chunks().indices.to_numpy()
    )
    unique_sightings, sighting_index = np.unique(sightings, return_inverse=True)
    n_sightings = len(unique_sightings)
    # sighting nodes come first, so a component's smallest node is one of its sightings
    labels = connected_components(
        n_sightings + int(group_index.max(initial=-1)) + 1,
        sighting_index.astype(np.int64),
        (group_index + n_sightings).astype(np.int64),
    )
    return pa.table(
        {
            "sighting_id": pa.array(unique_sightings, pa.uint64()),
            "component_id": pa.array(unique_sightings[labels[:n_sightings]], pa.uint64()),
        }
    )


def _portal_eligibility(portal_id: str, runs: list[tuple], spans: pa.Table) -> list[dict]:
    """Walk one portal's complete full listings in order, quarantining those that would
    withdraw more than `QUARANTINE_SHARE` of the sightings listed before them.

    `spans` holds (first_run_id, last_run_id, n) for the portal's sightings. A sighting last
    seen at L is withdrawn by the second eligible listing after L, so listing R withdraws
    those with previous-but-one eligible <= L < previous eligible.
    """
    first = spans.column("first_run_id").to_numpy(zero_copy_only=False).astype(str)
    last = spans.column("last_run_id").to_numpy(zero_copy_only=False).astype(str)
    counts = spans.column("n").to_numpy()
    eligible: list[str] = []
    rows = []
    for run_id, started_at in runs:
        before = first < run_id
        previous = eligible[-1] if eligible else None
        previous_but_one = eligible[-2] if len(eligible) > 1 else None
        still_listed = before if previous_but_one is None else before & (last >= previous_but_one)
        n_listed = int(counts[still_listed].sum())
        n_withdraw = 0
        if previous is not None:
            withdrawn = still_listed & (last < previous)
            n_withdraw = int(counts[withdrawn].sum())
        quarantined = n_withdraw > QUARANTINE_SHARE * n_listed
        if not quarantined:
            eligible.append(run_id)
        rows.append(
            {
                "portal_id": portal_id,
                "run_id": run_id,
                "started_at": started_at,
                "ordinal": None if quarantined else len(eligible),
                "is_eligible": not quarantined,
                "is_quarantined": quarantined,
                "n_would_withdraw": n_withdraw,
                "n_listed_before": n_listed,
            }
        )
    return rows


def run_eligibility(runs: pa.Table, spans: pa.Table) -> pa.Table:
    """Eligibility of every complete full listing (portal × run) for withdrawals.

    `runs`: portal_id, run_id, started_at of the complete full runs with status ok.
    `spans`: portal_id, first_run_id, last_run_id, n, the sightings folded by first and
    last run, so this stays small however many sightings there are.
    """
    rows: list[dict] = []
    runs_by_portal: dict[str, list[tuple]] = {}
    for record in runs.to_pylist():
        runs_by_portal.setdefault(record["portal_id"], []).append(
            (record["run_id"], record["started_at"])
        )
    portal_column = spans.column("portal_id").to_numpy(zero_copy_only=False).astype(str)
    for portal_id, portal_runs in sorted(runs_by_portal.items()):
        portal_spans = spans.filter(pa.array(portal_column == portal_id))
        rows += _portal_eligibility(portal_id, sorted(portal_runs), portal_spans)
    schema = pa.schema(
        [
            ("portal_id", pa.string()),
            ("run_id", pa.string()),
            ("started_at", pa.timestamp("us")),
            ("ordinal", pa.int64()),
            ("is_eligible", pa.bool_()),
            ("is_quarantined", pa.bool_()),
            ("n_would_withdraw", pa.int64()),
            ("n_listed_before", pa.int64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)
