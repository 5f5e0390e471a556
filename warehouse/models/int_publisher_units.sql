-- materialized: temp
-- grain: one row per distinct printed publisher name: the unit it resolves to and by which rule
-- (docs/matching.md, Publisher resolution). The rules are tried in order and the first that
-- finds any unit decides: exact (exact_key equals a unit name's or alias's), normalized
-- (loose_key equals one's), qualified (loose_key equals the loose key of a department behind
-- its bureau's name or of a name with its province and city in front, int_unit_name_forms),
-- missing_level (loose_key equals a unit name's dropped_key, or the name's dropped_key equals
-- a unit name's loose_key: a 市/县/区 missing on one side). A rule
-- that finds exactly one unit resolves the name; one that finds several leaves it
-- 'ambiguous' (candidate_unit_ids), and a name no rule finds is 'unresolved'.
WITH printed AS (
    SELECT k.*
    FROM int_name_keys AS k
    SEMI JOIN (
        SELECT publisher_name FROM stg_sightings
        UNION
        SELECT publisher_name FROM stg_sighting_details
    ) AS p ON p.publisher_name = k.name
),
candidates AS (
    SELECT p.name, 1 AS stage, 'exact' AS rule, u.unit_id
    FROM printed AS p
    JOIN int_unit_names AS u ON u.rule = 'exact' AND u.name_key = p.exact_key
    UNION ALL
    SELECT p.name, 2, 'normalized', u.unit_id
    FROM printed AS p
    JOIN int_unit_names AS u ON u.rule = 'normalized' AND u.name_key = p.loose_key
    UNION ALL
    SELECT p.name, 3, 'qualified', u.unit_id
    FROM printed AS p
    JOIN int_unit_names AS u ON u.rule = 'qualified' AND u.name_key = p.loose_key
    UNION ALL
    SELECT p.name, 4, 'missing_level', u.unit_id
    FROM printed AS p
    JOIN int_unit_names AS u ON u.rule = 'missing_level' AND u.name_key = p.loose_key
    UNION ALL
    SELECT p.name, 4, 'missing_level', u.unit_id
    FROM printed AS p
    JOIN int_unit_names AS u ON u.rule = 'normalized' AND u.name_key = p.dropped_key
),
first_rules AS (
    SELECT name, min(stage) AS stage FROM candidates GROUP BY name
),
decided AS (
    SELECT c.name, any_value(c.rule) AS rule, list(DISTINCT c.unit_id ORDER BY c.unit_id) AS unit_ids
    FROM candidates AS c
    JOIN first_rules AS f ON f.name = c.name AND f.stage = c.stage
    GROUP BY c.name
)
SELECT
    p.name AS publisher_name,
    CASE WHEN len(d.unit_ids) = 1 THEN d.unit_ids[1] END AS unit_id,
    CASE
        WHEN d.name IS NULL THEN 'unresolved'
        WHEN len(d.unit_ids) = 1 THEN d.rule
        ELSE 'ambiguous'
    END AS resolution,
    CASE WHEN len(d.unit_ids) > 1 THEN d.unit_ids END AS candidate_unit_ids
FROM printed AS p
LEFT JOIN decided AS d ON d.name = p.name
