-- A unit name or alias, after NFKC without white space, points at one unit only, or exact
-- publisher resolution could not decide. (The looser keys may be shared: a name that finds
-- two units by them stays unresolved, int_publisher_units.)
SELECT name_key, list(unit_id ORDER BY unit_id) AS unit_ids
FROM int_unit_names
WHERE rule = 'exact'
GROUP BY name_key
HAVING count(*) > 1
