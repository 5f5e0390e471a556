"""The demo world's applications register (依申请公开), as the city bureau would keep it.

The Longyan 2012 report's section 三: no application received in 2012; over the years 4
received (三、1. "歷年來共受理依申請公開申請4件", all "網上申請"), all answered "同意公開"
(三、2. "屬於“同意公開”範疇4件，答覆率100%"); no fees (四) and no 复议 or 诉讼. The register
is written in the format of docs/applications.md (the warehouse reads and checks it; the
world imports nothing of ours, so the columns are written out here).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sim.seed import APPLICATIONS_CITY

#: The register's name beside the written config.
APPLICATIONS_FILE = "applications.csv"
COLUMNS = (
    "unit_id",
    "application_id",
    "received_date",
    "applicant_type",
    "channel",
    "outcome",
    "closed_date",
    "fee_amount",
    "review_outcome",
    "litigation_outcome",
)
#: (received, answered) of the city bureau's applications: all before 2012, all answered.
DATES = (
    (date(2009, 6, 15), date(2009, 6, 29)),
    (date(2010, 3, 8), date(2010, 3, 19)),
    (date(2010, 11, 2), date(2010, 11, 16)),
    (date(2011, 8, 23), date(2011, 9, 5)),
)
assert len(DATES) == APPLICATIONS_CITY


def register_rows() -> list[dict[str, str]]:
    """The register's rows: ly-aic, online (网上), 予以公开 (outcome 1), no fee."""
    return [
        {
            "unit_id": "ly-aic",
            "application_id": f"LY-YSQ-{received.year}-{n:03d}",
            "received_date": received.isoformat(),
            "applicant_type": "自然人",
            "channel": "网上",
            "outcome": "1",
            "closed_date": answered.isoformat(),
            "fee_amount": "",
            "review_outcome": "",
            "litigation_outcome": "",
        }
        for n, (received, answered) in enumerate(DATES, start=1)
    ]


def write_register(path: str | Path) -> Path:
    """Write the register as a UTF-8 CSV with its header."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(register_rows())
    return path
