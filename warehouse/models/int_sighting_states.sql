-- materialized: view
-- grain: one row per sighting (portal × item_key): its latest state, first and last seen.
-- The latest state is the latest row, overlaid field by field by the latest row that
-- fetched the detail page, because incremental nights list known rows without their detail.
-- The load keeps both rows, one per sighting each (stg_sightings, stg_sighting_details);
-- the detail row's fields are read only where it is not the latest row. (The *_raw texts,
-- listing_hash, flags and detail_sha256 stay in the state database beside them.)
SELECT
    l.portal_id,
    l.item_key,
    l.url,
    l.list_url,
    {{ fields: coalesce(d.{field}, l.{field}) AS {field} }},
    l.is_detail_fetched OR d.item_key IS NOT NULL AS is_detail_fetched,
    CASE WHEN l.is_detail_fetched THEN l.has_body ELSE d.has_body END AS has_body,
    CASE WHEN l.is_detail_fetched THEN l.n_attachments ELSE d.n_attachments END AS n_attachments,
    l.first_seen_at,
    l.last_seen_at,
    l.first_run_id,
    l.last_run_id
FROM stg_sightings AS l
LEFT JOIN stg_sighting_details AS d
    ON d.portal_id = l.portal_id AND d.item_key = l.item_key AND NOT l.is_detail_fetched
