-- One row per configured portal, with what the warehouse holds of it.
WITH held AS (
    SELECT
        portal_id,
        count(*) AS n_sightings,
        count(*) FILTER (WHERE withdrawn_date IS NULL) AS n_listed_sightings,
        max(last_seen_at) AS last_seen_at
    FROM int_sightings
    GROUP BY portal_id
)
SELECT
    p.portal_id,
    p.portal_name,
    p.level,
    p.region_code,
    p.platform,
    p.url,
    p.unit_id,
    p.details,
    coalesce(h.n_sightings, 0) AS n_sightings,
    coalesce(h.n_listed_sightings, 0) AS n_listed_sightings,
    h.last_seen_at
FROM stg_portals AS p
LEFT JOIN held AS h ON h.portal_id = p.portal_id
