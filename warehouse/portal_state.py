"""What a night needs to know of each portal before it harvests, read from the state database
in one connection for any number of portals: the items each has shown (for incremental
crawls), when it was last listed in full (for the choice of mode), and its owed detail
pages.

Owed detail pages (docs/reliability.md, "Detail debt") come from `raw_detail_attempts`
(warehouse/state.py keeps it). Every landing row records what became of its detail page
when one was wanted: read (`detail_fetched`), failed (`detail_attempted`, with
`detail_error`), gone (`detail_gone` too: it answered 404/410) or not asked (`detail_error`
only: the circuit breaker was open). A sighting has such rows while its latest one is not a
read. It is *gone* while its latest request answered 404/410, else *owed*; its attempts are
the failed requests since its last read and its last 404/410. The harvest hands them to the
crawl as plain rows: the warehouse never imports the connectors.

Opening the state database costs tens of milliseconds; asked portal by portal, three times
each, that was most of a quiet night over thousands of portals. One connection and three
grouped queries cost the same for one portal or five thousand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from warehouse.db import connect

#: The portals asked about, as a table to join (a list of thousands is no filter to scan).
_ASKED = "(SELECT DISTINCT unnest(CAST(? AS VARCHAR[])) AS portal_id) AS asked"

_KNOWN_SQL = f"SELECT portal_id, item_key, listing_hash FROM raw_sightings JOIN {_ASKED} USING (portal_id)"

_LAST_FULL_SQL = f"""
SELECT portal_id, max(started_at)
FROM raw_runs JOIN {_ASKED} USING (portal_id)
WHERE mode = 'full' AND status = 'ok' AND complete
GROUP BY portal_id
"""

_OWED_SQL = f"""
WITH attempts AS (
    SELECT
        a.portal_id, a.item_key, a.url, a.seen_at, a.run_id, a.listing_hash,
        coalesce(a.detail_attempted, false) AS requested,
        coalesce(a.detail_gone, false) AS gone,
        CAST(r.started_at AS DATE) AS night
    FROM raw_detail_attempts AS a
    JOIN {_ASKED} ON asked.portal_id = a.portal_id
    JOIN raw_runs AS r ON r.run_id = a.run_id AND r.portal_id = a.portal_id
),
marked AS (
    SELECT *,
        max(seen_at) FILTER (WHERE gone) OVER (PARTITION BY portal_id, item_key) AS last_gone_at
    FROM attempts
),
counted AS (
    SELECT
        portal_id,
        item_key,
        arg_max(url, (seen_at, run_id)) AS url,
        count(*) FILTER (WHERE requested AND NOT gone AND (last_gone_at IS NULL OR seen_at > last_gone_at))
            AS attempts,
        max(night) FILTER (WHERE requested AND NOT gone AND (last_gone_at IS NULL OR seen_at > last_gone_at))
            AS last_attempt,
        min(night) AS owed_since,
        arg_max(gone, (seen_at, run_id)) FILTER (WHERE requested) AS latest_gone,
        max(night) FILTER (WHERE gone) AS gone_night,
        arg_max(listing_hash, (seen_at, run_id)) FILTER (WHERE requested AND listing_hash IS NOT NULL)
            AS listing_hash
    FROM marked
    GROUP BY portal_id, item_key
)
SELECT
    portal_id, item_key, url, attempts, last_attempt, owed_since,
    CASE WHEN latest_gone THEN gone_night END AS gone_on,
    listing_hash
FROM counted
"""


#: One owed (or gone) detail page as the state database knows it, in the fields of
#: `connectors.detail_debt.OwedDetail`: (url, failed requests since its last read or its
#: last 404/410, the night (UTC date the run started) of the latest of them, the night of
#: the oldest kept row of its debt, the night it last answered 404/410 when that is its
#: latest answer, the listing hash of its latest request's row).
OwedRow = tuple[str, int, date | None, date, date | None, str | None]


@dataclass
class PortalState:
    """One portal's state before tonight (all empty for a portal never loaded)."""

    known: dict[str, str] = field(default_factory=dict)  # item key -> latest listing hash
    last_full: datetime | None = None  # start (UTC) of the latest complete, successful full listing
    owed: dict[str, OwedRow] = field(default_factory=dict)  # item key -> owed detail page


def portal_states(state_path: str | os.PathLike, portal_ids: list[str]) -> dict[str, PortalState]:
    """Every asked portal's state, in one read-only connection (empty states when the state
    database, or a table the next load makes, does not exist yet)."""
    states = {portal_id: PortalState() for portal_id in portal_ids}
    if not portal_ids or not Path(state_path).exists():
        return states
    con = connect(state_path, read_only=True)
    try:
        tables = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        ids = list(states)
        if "raw_sightings" in tables:
            for portal_id, key, listing_hash in con.execute(_KNOWN_SQL, [ids]).fetchall():
                states[portal_id].known[key] = listing_hash
        if "raw_runs" in tables:
            for portal_id, started in con.execute(_LAST_FULL_SQL, [ids]).fetchall():
                states[portal_id].last_full = started.replace(tzinfo=UTC)
        if "raw_detail_attempts" in tables and "raw_runs" in tables:
            for portal_id, key, *row in con.execute(_OWED_SQL, [ids]).fetchall():
                states[portal_id].owed[key] = tuple(row)
    finally:
        con.close()
    return states


def owed_details(state_path: str | os.PathLike, portal_id: str) -> dict[str, OwedRow]:
    """One portal's owed detail pages by item key ({} when the state database is new)."""
    return portal_states(state_path, [portal_id])[portal_id].owed
