"""Detail debt: the detail pages a portal still owes, read from the state database's
`raw_detail_attempts` (docs/reliability.md, "Detail debt"; warehouse/state.py keeps it).

Every landing row records what became of its detail page when one was wanted: read
(`detail_fetched`), failed (`detail_attempted`, with `detail_error`) or not asked
(`detail_error` only: the circuit breaker was open). A sighting is owed while its latest
such row is not a read; its attempts are the failed requests since its last read. The load
keeps exactly the rows that are not reads and are later than the sighting's last read. The
harvest passes this to the crawl as plain data; the warehouse never imports the connectors.
"""

from __future__ import annotations

import os
from datetime import date
from typing import NamedTuple

from warehouse.load import _read_state

_OWED_SQL = """
SELECT
    a.item_key,
    arg_max(a.url, a.seen_at) AS url,
    count(*) FILTER (WHERE coalesce(a.detail_attempted, false)) AS attempts,
    max(CAST(r.started_at AS DATE)) FILTER (WHERE coalesce(a.detail_attempted, false))
        AS last_attempt,
    min(CAST(r.started_at AS DATE)) AS owed_since
FROM raw_detail_attempts AS a
JOIN raw_runs AS r ON r.run_id = a.run_id AND r.portal_id = a.portal_id
WHERE a.portal_id = ?
GROUP BY a.item_key
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
    rows = _read_state(state_path, _OWED_SQL, [portal_id], "raw_detail_attempts") or []
    return {key: OwedDetail(url, attempts, last, since) for key, url, attempts, last, since in rows}
