-- materialized: view
-- grain: one row per sighting (portal × item_key): its latest state, first and last seen.
-- The latest state is the latest row, overlaid field by field by the latest row that
-- fetched the detail page, because incremental nights list known rows without their detail.
-- Both rows are named by int_listing_spans and fetched back by row id (a narrow aggregate
-- and an integer join cost far less than carrying every field through the aggregate); the
-- detail row is fetched only where it is not the latest row. (The *_raw texts stay in the
-- state database's raw_listings, next to every landing row, with listing_hash, flags and
-- detail_sha256.)
WITH latest AS (
    SELECT r.*, s.detail_row, s.first_seen_at, s.last_seen_at, s.first_run_id, s.last_run_id
    FROM stg_listings AS r
    JOIN int_listing_spans AS s ON s.latest_row = r.listing_row
),
detail AS (
    SELECT r.*
    FROM stg_listings AS r
    JOIN int_listing_spans AS s ON s.detail_row = r.listing_row
    WHERE s.detail_row <> s.latest_row
)
SELECT
    l.portal_id,
    l.item_key,
    l.url,
    l.list_url,
    {{ fields: coalesce(d.{field}, l.{field}) AS {field} }},
    l.detail_row IS NOT NULL AS is_detail_fetched,
    CASE WHEN l.is_detail_fetched THEN l.has_body ELSE d.has_body END AS has_body,
    CASE WHEN l.is_detail_fetched THEN l.n_attachments ELSE d.n_attachments END AS n_attachments,
    l.first_seen_at,
    l.last_seen_at,
    l.first_run_id,
    l.last_run_id
FROM latest AS l
LEFT JOIN detail AS d ON d.listing_row = l.detail_row
