-- materialized: table
-- grain: one row per configured unit (发布机构): the config's fields renamed, nothing else.
SELECT
    id AS unit_id,
    name AS unit_name,
    level,
    region AS region_code,
    parent AS parent_unit_id,
    aliases
FROM cfg_units
