-- materialized: table
-- grain: one row per publisher name × portal whose name did not resolve exactly to a unit name or
-- alias (publisher_name NULL: sightings that name no publisher on a portal without a unit).
-- resolution says how it went (int_publisher_units; docs/matching.md): normalized, qualified or
-- missing_level (resolved_unit_id, the unit its sightings count under), ambiguous (the rule
-- found the candidate_unit_ids, so none is taken), unresolved, or not printed.
-- fallback_unit_id is the portal's unit the sightings were counted under instead when the
-- name did not resolve (NULL: not counted anywhere).
SELECT
    s.publisher_name,
    s.portal_id,
    coalesce(any_value(n.resolution), 'not printed') AS resolution,
    any_value(n.unit_id) AS resolved_unit_id,
    any_value(n.candidate_unit_ids) AS candidate_unit_ids,
    any_value(CASE WHEN n.unit_id IS NULL THEN s.portal_unit_id END) AS fallback_unit_id,
    count(*) AS n_sightings
FROM int_sightings AS s
LEFT JOIN int_publisher_units AS n ON n.publisher_name = s.publisher_name
WHERE n.resolution IS DISTINCT FROM 'exact' AND (s.publisher_name IS NOT NULL OR s.unit_id IS NULL)
GROUP BY s.publisher_name, s.portal_id
