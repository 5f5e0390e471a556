-- Every sighting's publisher is resolved to a unit, or listed in rpt_unmatched_publishers.
SELECT s.portal_id, s.item_key, s.publisher_name
FROM fct_sightings AS s
WHERE s.unit_source IS DISTINCT FROM 'publisher'
  AND (s.publisher_name IS NOT NULL OR s.unit_id IS NULL)
  AND NOT EXISTS (
      SELECT 1
      FROM rpt_unmatched_publishers AS r
      WHERE r.portal_id = s.portal_id AND r.publisher_name IS NOT DISTINCT FROM s.publisher_name
  )
