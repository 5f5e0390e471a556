"""The CMS families: each module reads one platform's listing and detail pages.

Every module has `first_request(url, options)`, `parse_listing(text, request, options)` and
`parse_detail(text, url, options)`; a portal's `platform` names its module here.

`[portal.options]` a family understands (all optional; detection needs none of them):
- trs listings: `rows` (CSS selector of the rows), then within a row `link`, `title`, `date`
  and any field name (`index_no = "td:nth-of-type(2)"`, …);
- ssp listings: `datas` (rows per page, default 20);
- gkmlpt: `categories` (comma-separated category ids to walk; default every category of the
  tree with posts), `first_page` (0 or 1, default 1);
- govcn: `n` (results per category and page, default 10);
- generic (required: `rows`): `title`, `link`, `date`, `index_no`, `publisher`, `doc_no`
  within a row, as for trs; `next` (CSS selector of the next-page link) or `pager` (a URL
  template such as `index_{n}.html`) with `first_page` (default 1);
- jpaas: `tag` (the `tagId` of the unit to read when a shell builds several), `page_size`
  (the page size asked of the unit API, default 15), and the trs row selectors;
- every detail page: `body` (CSS selector of the body) and `label:<printed label>` = field
  (`"label:分类" = "topic"` lets a combined 分类 cell fill the topic scheme).
"""

from connectors.families import generic, gkmlpt, govcn, hanweb, hanweb_xxgk, jpaas, ssp, trs

FAMILIES = {
    "trs": trs,
    "hanweb": hanweb,
    "ssp": ssp,
    "gkmlpt": gkmlpt,
    "govcn": govcn,
    "hanweb-xxgk": hanweb_xxgk,
    "jpaas": jpaas,
    "generic": generic,
}

__all__ = ["FAMILIES", "generic", "gkmlpt", "govcn", "hanweb", "hanweb_xxgk", "jpaas", "ssp", "trs"]
