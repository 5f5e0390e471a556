-- materialized: table
-- grain: one row per portal: every configured portal, and every portal the state database holds
-- sightings of that is no longer configured (is_configured false, config fields NULL).
-- A portal no longer configured has its sightings withdrawn, reason 'portal removed', after
-- the grace period (int_sightings, docs/withdrawal.md): removed_date is their date.
WITH held AS (
    SELECT
        portal_id,
        count(*) AS n_sightings,
        count(*) FILTER (WHERE withdrawn_date IS NULL) AS n_listed_sightings,
        max(last_seen_at) AS last_seen_at,
        min(withdrawn_date) FILTER (WHERE withdrawn_reason = 'portal removed') AS removed_date
    FROM int_sightings
    GROUP BY portal_id
)
SELECT
    coalesce(p.portal_id, h.portal_id) AS portal_id,
    p.portal_name,
    p.level,
    p.region_code,
    p.platform,
    p.url,
    p.unit_id,
    p.details,
    p.portal_id IS NOT NULL AS is_configured,
    coalesce(h.n_sightings, 0) AS n_sightings,
    coalesce(h.n_listed_sightings, 0) AS n_listed_sightings,
    h.last_seen_at,
    h.removed_date
FROM stg_portals AS p
FULL JOIN held AS h ON h.portal_id = p.portal_id
