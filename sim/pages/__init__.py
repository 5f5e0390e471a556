"""Pages of the simulated portals, in the wire shapes of the real platform families.

Each `Site` answers the requests of one portal: TRS static catalogs (`sim.pages.trs`, seven
listing styles), Hanweb jpaas columns with their data proxy (`sim.pages.hanweb`) and the
Fujian SSP JSON search API (`sim.pages.ssp`); the Guangdong world's families in
`sim.pages.gkmlpt`, `.govcn`, `.hanweb_xxgk` and `.gd_trs`. `SITES` and
`GUANGDONG_SITES` say which class serves each family; sim.registry says which table
serves each world. Pages are cheap string templates rendered per request. What a portal
shows of a document (its spelling of the index number and publisher, its dates, its URL)
comes from `sim.shown`, which the ground truth uses too.
"""

from __future__ import annotations

from sim.pages.gd_trs import GdTrsSite
from sim.pages.gkmlpt import GkmlptSite
from sim.pages.govcn import GovcnSite
from sim.pages.hanweb import HanwebSite
from sim.pages.hanweb_xxgk import HanwebXxgkSite
from sim.pages.ssp import SspSite
from sim.pages.trs import TrsSite

#: platform family -> the Site class that serves it (the last three: the Guangdong world)
SITES: dict[str, type] = {
    "trs": TrsSite,
    "hanweb": HanwebSite,
    "ssp": SspSite,
    "gkmlpt": GkmlptSite,
    "govcn": GovcnSite,
    "hanweb-xxgk": HanwebXxgkSite,
}
#: the Guangdong world's own classes where a family serves both worlds
GUANGDONG_SITES: dict[str, type] = {**SITES, "trs": GdTrsSite}
