-- materialized: view
-- grain: one row per landing row (portal × item × run), renamed and cast, nothing else.
-- listing_row is the state database's row id: a row picked by an aggregate comes back by
-- one integer instead of by its key columns. A detail row (row_kind 'detail') is an owed
-- detail page read or tried again on a later night: it has no listing position or hash.
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
    n_attachments,
    coalesce(row_kind, 'listing') = 'listing' AS is_listing_row,
    coalesce(detail_attempted, false) AS is_detail_attempted,
    detail_error
FROM state.raw_listings
