-- materialized: view
-- grain: one row per sighting that ever fetched its detail page (portal × item_key): its latest
-- landing row that did, as the load keeps it in the state database (warehouse/state.py).
SELECT
    portal_id,
    item_key,
    run_id,
    seen_at,
    {{ fields: {field} }},
    detail_sha256,
    has_body,
    n_attachments
FROM state.raw_sighting_details
