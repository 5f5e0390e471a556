-- materialized: table
-- grain: one row per (rule, name key, unit): every unit's name and aliases as the keys each
-- publisher resolution rule compares (int_name_keys; docs/matching.md): exact (exact_key),
-- normalized (loose_key), qualified (the loose_key of a department's short name behind its
-- bureau's name, or of a name with the unit's province and city in front:
-- int_unit_name_forms) and missing_level (dropped_key: the unit's name without its place
-- name's 省/市/县/区, for a publisher printed without it). Matching is whole keys, never
-- prefix or fuzzy, so 某市工商业联合会 never becomes 某市工商局.
WITH keyed AS (
    SELECT f.unit_id, f.kind, k.exact_key, k.loose_key, k.dropped_key
    FROM int_unit_name_forms AS f
    JOIN int_name_keys AS k ON k.name = f.name
)
SELECT DISTINCT 'exact' AS rule, exact_key AS name_key, unit_id FROM keyed WHERE kind = 'name' AND exact_key IS NOT NULL
UNION
SELECT DISTINCT 'normalized', loose_key, unit_id FROM keyed WHERE kind = 'name' AND loose_key IS NOT NULL
UNION
SELECT DISTINCT 'qualified', loose_key, unit_id FROM keyed WHERE kind <> 'name' AND loose_key IS NOT NULL
UNION
SELECT DISTINCT 'missing_level', dropped_key, unit_id FROM keyed WHERE kind = 'name' AND dropped_key IS NOT NULL
