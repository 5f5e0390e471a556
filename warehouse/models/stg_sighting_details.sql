-- materialized: view
-- grain: one row per sighting that ever fetched its detail page (portal × item_key): its latest
-- landing row that did, as the load keeps it in the state database (warehouse/state.py).
-- listing_hash is the hash of the listing row read together with the detail page (NULL for
-- an owed detail page read on a later night, which has no listing row).
SELECT
    portal_id,
    item_key,
    run_id,
    seen_at,
    listing_hash,
    {{ fields: {field} }},
    detail_sha256,
    has_body,
    n_attachments
FROM state.raw_sighting_details
