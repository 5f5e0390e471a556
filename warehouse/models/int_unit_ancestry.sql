-- materialized: table
-- grain: one row per (unit, ancestor): every unit with itself (depth 0) and each ancestor above it.
-- A system is a unit and all its descendants, i.e. every unit_id with that ancestor_id.
WITH RECURSIVE ancestry(unit_id, ancestor_id, depth) AS (
    SELECT unit_id, unit_id, 0 FROM stg_units
    UNION ALL
    SELECT a.unit_id, u.parent_unit_id, a.depth + 1
    FROM ancestry AS a
    JOIN stg_units AS u ON u.unit_id = a.ancestor_id
    WHERE u.parent_unit_id IS NOT NULL
      AND a.depth < 64  -- a parent cycle is refused in the config; this only bounds the walk
)
SELECT unit_id, ancestor_id, depth FROM ancestry
