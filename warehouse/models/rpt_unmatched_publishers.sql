-- materialized: table
-- grain: one row per publisher name × portal that matched no unit name or alias (publisher_name
-- NULL: sightings that name no publisher on a portal without a unit). fallback_unit_id is
-- the portal's unit the sightings were counted under instead (NULL: not counted anywhere).
SELECT
    publisher_name,
    portal_id,
    any_value(portal_unit_id) AS fallback_unit_id,
    count(*) AS n_sightings
FROM int_sightings
WHERE publisher_unit_id IS NULL AND (publisher_name IS NOT NULL OR unit_id IS NULL)
GROUP BY publisher_name, portal_id
