-- materialized: table
-- grain: one row per (normalized name, unit): every unit's name and aliases as publisher keys.
-- Normalization is NFKC without any white space; matching is exact, never prefix or fuzzy,
-- so 某市工商业联合会 never becomes 某市工商局.
SELECT DISTINCT
    regexp_replace(nfkc(name), '[\s\p{Z}]', '', 'g') AS name_key,
    unit_id
FROM (
    SELECT unit_id, unit_name AS name FROM stg_units
    UNION ALL
    SELECT unit_id, unnest(aliases) AS name FROM stg_units
)
WHERE name IS NOT NULL
  AND regexp_replace(nfkc(name), '[\s\p{Z}]', '', 'g') <> ''
