-- materialized: view
-- grain: one row per sighting (portal × item_key): its latest landing row as the load keeps it
-- in the state database (warehouse/state.py), renamed and cast, with when and in which runs
-- it was first and last seen. It grows with sightings, not with nights.
SELECT
    portal_id,
    item_key,
    run_id,
    url,
    list_url,
    page_no,
    row_no,
    seen_at,
    listing_hash,
    {{ fields: {field}, {name}_raw }},
    flags,
    coalesce(detail_fetched, false) AS is_detail_fetched,
    detail_sha256,
    has_body,
    n_attachments,
    first_seen_at,
    last_seen_at,
    first_run_id,
    last_run_id
FROM state.raw_sightings
