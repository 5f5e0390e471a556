-- materialized: table
-- grain: one row per configured unit. A system is a unit and all its descendants.
SELECT
    u.unit_id,
    u.unit_name,
    u.level,
    u.region_code,
    u.parent_unit_id,
    u.aliases,
    (SELECT count(*) FROM int_unit_ancestry AS a WHERE a.ancestor_id = u.unit_id)
        AS n_system_units
FROM stg_units AS u
