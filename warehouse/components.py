"""The three build steps that are clearer over arrays than in SQL.

Each works on aggregates or edge lists pulled out of DuckDB as Arrow and goes back as Arrow,
in bulk: the withdrawal eligibility of full listings (a few rows per portal and run, with
the quarantine and its release), the connected components of the sightings without
index_no (linear in the edges) and the linked date runs of the title rule.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import ArrayLike

#: A full listing that would withdraw more than this share of a portal is quarantined.
QUARANTINE_SHARE = 0.10
#: Quarantined listings in a row (missing the same sightings) that release a quarantine, by
#: default; the build takes it from cfg_settings (`[harvest] quarantine_release_listings`).
RELEASE_LISTINGS = 3


def connected_components(n_nodes: int, left: ArrayLike, right: ArrayLike) -> np.ndarray:
    """Label each node 0..n_nodes-1 with the smallest node of its connected component.

    The graph's edges are `left[i]`-`right[i]`. The one connected-components routine of the
    project: the free sightings' components here, the portals sharing hosts in the
    distributed plan. Hook-and-compress: each round points the larger root of every edge at
    the smaller one, then flattens the trees; a handful of rounds for the star-shaped graphs
    the matching rules make, each round linear in nodes and edges.
    """
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
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
    group_index = pc.dictionary_encode(groups.column("group_key")).combine_chunks().indices.to_numpy()
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


def linked_runs(partition: np.ndarray, day: np.ndarray, window: int) -> np.ndarray:
    """The first day of the run each row belongs to, by single linkage within `window` days.

    Rows are distinct and sorted by (partition, day). A row opens a run when it is its
    partition's first or more than `window` days after the previous row; otherwise it is in
    the previous row's run (so a run is a chain of dates, each within `window` of the last).
    """
    if len(day) == 0:
        return np.zeros(0, dtype=np.int64)
    day = day.astype(np.int64)
    opens = np.r_[True, (partition[1:] != partition[:-1]) | (np.diff(day) > window)]
    first_row = np.maximum.accumulate(np.where(opens, np.arange(len(day)), 0))
    return day[first_row]


def _arrays(spans: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """first_run_id, last_run_id and n of a portal's sighting spans as numpy arrays."""
    first = spans.column("first_run_id").to_numpy(zero_copy_only=False).astype(str)
    last = spans.column("last_run_id").to_numpy(zero_copy_only=False).astype(str)
    return first, last, spans.column("n").to_numpy()


def _shares(spans: tuple, run_id: str, eligible: list[str]) -> tuple[int, int]:
    """(listed before, would withdraw) of listing `run_id` after the eligible listings so far.

    A sighting last seen at L is withdrawn by the second eligible listing after L, so the
    listing withdraws those with previous-but-one eligible <= L < previous eligible.
    """
    first, last, counts = spans
    still_listed = first < run_id
    if len(eligible) > 1:
        still_listed &= last >= eligible[-2]
    n_listed = int(counts[still_listed].sum())
    if not eligible:
        return n_listed, 0
    return n_listed, int(counts[still_listed & (last < eligible[-1])].sum())


class _Walk:
    """One portal's complete full listings in run order: the eligible ones so far, and the
    open quarantine episode (the quarantined listings since the last eligible one)."""

    def __init__(self, release_listings: int) -> None:
        self.release_listings = release_listings
        self.eligible: list[str] = []
        self.episode: list[dict] = []

    def admit(self, rows: list[dict], state: str) -> None:
        """Make listings eligible, in order; an episode they end is closed."""
        for row in rows:
            self.eligible.append(row["run_id"])
            row.update(ordinal=len(self.eligible), is_eligible=True, quarantine_state=state)
        self.episode = []

    def quarantine(self, row: dict, decision: str | None) -> None:
        """Add a quarantined listing to the episode; release it on approval or enough of them."""
        self.episode.append(row)
        row.update(quarantine_state="quarantined", n_confirmations=len(self.episode))
        if decision == "approved":
            self.admit(self.episode, "approved")
        elif self.release_listings and len(self.episode) >= self.release_listings:
            self.admit(self.episode, "released")

    def step(self, row: dict, decision: str | None) -> None:
        """Judge one listing: rejected, eligible, or quarantined (and maybe released)."""
        if row["n_would_withdraw"]:
            row["first_missed_run_id"] = self.eligible[-1]
        if decision == "rejected":  # never eligible, never a confirmation
            row["quarantine_state"] = "rejected"
        elif row["n_would_withdraw"] > QUARANTINE_SHARE * row["n_listed_before"]:
            self.quarantine(row, decision)
        else:
            self.admit([row], "none")


def _portal_eligibility(
    portal_id: str, runs: list[tuple], spans: pa.Table, decisions: dict[str, str], release_listings: int
) -> list[dict]:
    """Walk one portal's complete full listings in order (docs/withdrawal.md).

    A listing that would withdraw more than `QUARANTINE_SHARE` of the sightings listed before
    it is quarantined. The quarantined listings after one eligible listing form an episode;
    while no listing becomes eligible the previous and previous-but-one eligible listings stay
    the same, so every listing of the episode misses the same sightings: each confirms them.
    `release_listings` of them (0: never), or an operator's approval of one, make the episode's
    listings eligible. A rejected listing is skipped for good. The listings of the episode
    still open at the end are pending.
    """
    arrays = _arrays(spans)
    walk = _Walk(release_listings)
    rows = []
    for run_id, started_at in runs:
        n_listed, n_withdraw = _shares(arrays, run_id, walk.eligible)
        row = {
            "portal_id": portal_id,
            "run_id": run_id,
            "started_at": started_at,
            "ordinal": None,
            "is_eligible": False,
            "quarantine_state": "none",
            "is_pending": False,
            "n_confirmations": None,
            "first_missed_run_id": None,
            "n_would_withdraw": n_withdraw,
            "n_listed_before": n_listed,
        }
        walk.step(row, decisions.get(run_id))
        rows.append(row)
    for row in walk.episode:
        row["is_pending"] = True
    return rows


ELIGIBILITY_SCHEMA = pa.schema(
    [
        ("portal_id", pa.string()),
        ("run_id", pa.string()),
        ("started_at", pa.timestamp("us")),
        ("ordinal", pa.int64()),
        ("is_eligible", pa.bool_()),
        ("quarantine_state", pa.string()),
        ("is_pending", pa.bool_()),
        ("n_confirmations", pa.int64()),
        ("first_missed_run_id", pa.string()),
        ("n_would_withdraw", pa.int64()),
        ("n_listed_before", pa.int64()),
    ]
)


def run_eligibility(
    runs: pa.Table, spans: pa.Table, decisions: pa.Table | None = None, release_listings: int = RELEASE_LISTINGS
) -> pa.Table:
    """Eligibility of every complete full listing (portal × run) for withdrawals.

    `runs`: portal_id, run_id, started_at of the complete full runs with status ok.
    `spans`: portal_id, first_run_id, last_run_id, n, the sightings folded by first and
    last run, so this stays small however many sightings there are.
    `decisions`: portal_id, run_id, decision (approved | rejected), one per portal run.
    """
    runs_by_portal: dict[str, list[tuple]] = {}
    for record in runs.to_pylist():
        runs_by_portal.setdefault(record["portal_id"], []).append((record["run_id"], record["started_at"]))
    decided: dict[str, dict[str, str]] = {}
    for record in decisions.to_pylist() if decisions is not None else []:
        decided.setdefault(record["portal_id"], {})[record["run_id"]] = record["decision"]
    portal_column = spans.column("portal_id").to_numpy(zero_copy_only=False).astype(str)
    rows: list[dict] = []
    for portal_id, portal_runs in sorted(runs_by_portal.items()):
        portal_spans = spans.filter(pa.array(portal_column == portal_id))
        rows += _portal_eligibility(
            portal_id, sorted(portal_runs), portal_spans, decided.get(portal_id, {}), release_listings
        )
    return pa.Table.from_pylist(rows, schema=ELIGIBILITY_SCHEMA)
