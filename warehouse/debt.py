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

from warehouse.portal_state import OwedDetail, portal_states

__all__ = ["OwedDetail", "owed_details"]


def owed_details(state_path: str | os.PathLike, portal_id: str) -> dict[str, OwedDetail]:
    """The portal's owed detail pages by item key ({} when the state database is new; for
    many portals at once: `warehouse.portal_state.portal_states`)."""
    return portal_states(state_path, [portal_id])[portal_id].owed
