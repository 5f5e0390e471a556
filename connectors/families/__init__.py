"""The CMS families: each module reads one platform's listing and detail pages.

Every module has `first_request(url, options)`, `parse_listing(text, request, options)` and
`parse_detail(text, url, options)`; a portal's `platform` names its module here.
"""

from connectors.families import hanweb, ssp, trs

FAMILIES = {"trs": trs, "hanweb": hanweb, "ssp": ssp}

__all__ = ["FAMILIES", "hanweb", "ssp", "trs"]
