"""The page templates under their former module name: everything moved to `sim.pages`
(one module per platform family); the names other code imports from here stay importable."""

from __future__ import annotations

from sim.pages import SITES, make_site  # noqa: F401 (re-exported)
from sim.pages.base import Site  # noqa: F401
from sim.pages.common import CHALLENGE_PAGE, HOSTILE_PREFIXES, body_html  # noqa: F401
from sim.pages.hanweb import HanwebSite  # noqa: F401
from sim.pages.ssp import SspSite  # noqa: F401
from sim.pages.trs import TrsSite  # noqa: F401
from sim.pages.wire import Req, Response  # noqa: F401
from sim.shown import (  # noqa: F401
    DETAIL_DATE,
    LIST_DATE,
    bracketed,
    cn,
    cn_short,
    cut,
    detail_path,
    doc_id,
    dotted,
    index_spelling,
    iso,
    publisher_spelling,
    shown_date,
    shown_fields,
)
