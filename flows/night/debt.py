"""Detail debt between the warehouse and the crawl: tonight's budget for asking owed detail
pages again, and the owed pages the state database holds, as the crawl takes them
(docs/reliability.md, "Detail debt")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from connectors.detail_debt import DebtPolicy, OwedDetail
from flows.config.model import Harvest
from warehouse.portal_state import OwedRow, owed_details


def debt_policy(harvest: Harvest, night: date) -> DebtPolicy:
    """Tonight's budget for asking owed detail pages again, per portal: its seconds, paced by
    the per-host delay (docs/reliability.md, "Detail debt")."""
    return DebtPolicy(
        night,
        max_seconds=harvest.detail_debt_seconds,
        per_host_delay=harvest.per_host_delay,
        max_attempts=harvest.detail_debt_max_attempts,
        max_requests=harvest.detail_debt_requests,
    )


def owed_pages(state_path: Path, portal_id: str) -> dict[str, OwedDetail]:
    """The portal's owed detail pages, from the warehouse's rows, as the crawl takes them."""
    return as_owed(owed_details(state_path, portal_id))


def as_owed(rows: dict[str, OwedRow]) -> dict[str, OwedDetail]:
    """The warehouse's owed-page rows (warehouse.portal_state) as the crawl takes them."""
    return {key: OwedDetail._make(row) for key, row in rows.items()}
