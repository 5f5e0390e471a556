-- materialized: view
-- grain: one row per landing row (portal × item × run), renamed and cast, nothing else.
-- listing_row is the state database's row id: a row picked by an aggregate comes back by
-- one integer instead of by its key columns.
SELECT
    rowid AS listing_row,
    portal_id,
    item_key,
    run_id,
    url,
    list_url,
    page_no,
    row_no,
    CAST(seen_at AS TIMESTAMP) AS seen_at,
    listing_hash,
    {{ fields: {field}, {name}_raw }},
    flags,
    coalesce(detail_fetched, false) AS is_detail_fetched,
    detail_sha256,
    has_body,
    n_attachments
FROM state.raw_listings
