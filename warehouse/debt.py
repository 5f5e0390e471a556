"""Detail debt: the detail pages a portal still owes, read from the landing rows of the state
database (docs/reliability.md, "Detail debt").

Every landing row records what became of its detail page when one was wanted: read
(`detail_fetched`), failed (`detail_attempted`, with `detail_error`) or not asked
(`detail_error` only: the circuit breaker was open). A sighting is owed while its latest
such row is not a read; its attempts are the failed requests since its last read. The
harvest passes this to the crawl as plain data; the warehouse never imports the connectors.
"""

from __future__ import annotations

import os
from datetime import date
from typing import NamedTuple

from warehouse.load import _read_state

_OWED_SQL = """
WITH events AS (
    SELECT l.item_key, l.url, l.seen_at, coalesce(l.detail_fetched, false) AS is_read,
           coalesce(l.detail_attempted, false) AS is_attempted,
           CAST(r.started_at AS DATE) AS night
    FROM raw_listings AS l
    JOIN raw_runs AS r ON r.run_id = l.run_id AND r.portal_id = l.portal_id
    WHERE l.portal_id = ? AND (l.detail_fetched OR l.detail_error IS NOT NULL)
),
last_read AS (
    SELECT item_key, max(seen_at) FILTER (WHERE is_read) AS read_at
    FROM events
    GROUP BY item_key
)
SELECT
    e.item_key,
    arg_max(e.url, e.seen_at) AS url,
    count(*) FILTER (WHERE e.is_attempted) AS attempts,
    max(e.night) FILTER (WHERE e.is_attempted) AS last_attempt,
    min(e.night) AS owed_since
FROM events AS e
JOIN last_read AS r ON r.item_key = e.item_key
WHERE NOT e.is_read AND (r.read_at IS NULL OR e.seen_at > r.read_at)
GROUP BY e.item_key
"""


class OwedDetail(NamedTuple):
    """One owed detail page: where it is, failed requests since its last read, the night
    (UTC date the run started) of the latest of them, and the night it became owed."""

    url: str
    attempts: int
    last_attempt: date | None
    owed_since: date


def owed_details(state_path: str | os.PathLike, portal_id: str) -> dict[str, OwedDetail]:
    """The portal's owed detail pages by item key ({} when the state database is new)."""
    rows = _read_state(state_path, _OWED_SQL, [portal_id]) or []
    return {key: OwedDetail(url, attempts, last, since)
            for key, url, attempts, last, since in rows}
