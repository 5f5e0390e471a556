-- A normalized unit name or alias points at one unit only, or publishers could not resolve.
SELECT name_key, list(unit_id ORDER BY unit_id) AS unit_ids
FROM int_unit_names
GROUP BY name_key
HAVING count(*) > 1
