-- materialized: table
-- grain: one row per (rule, name key, unit): every unit's name and aliases as the keys each
-- publisher resolution rule compares (int_name_keys; docs/matching.md): exact (exact_key),
-- normalized (loose_key) and missing_level (dropped_key: the unit's name without its place
-- name's 省/市/县/区, for a publisher printed without it). Matching is whole keys, never
-- prefix or fuzzy, so 某市工商业联合会 never becomes 某市工商局.
WITH unit_names AS (
    SELECT unit_id, unit_name AS name FROM stg_units
    UNION
    SELECT unit_id, unnest(aliases) AS name FROM stg_units
),
keyed AS (
    SELECT u.unit_id, k.exact_key, k.loose_key, k.dropped_key
    FROM unit_names AS u
    JOIN int_name_keys AS k ON k.name = u.name
)
SELECT DISTINCT 'exact' AS rule, exact_key AS name_key, unit_id FROM keyed WHERE exact_key IS NOT NULL
UNION
SELECT DISTINCT 'normalized', loose_key, unit_id FROM keyed WHERE loose_key IS NOT NULL
UNION
SELECT DISTINCT 'missing_level', dropped_key, unit_id FROM keyed WHERE dropped_key IS NOT NULL
