-- materialized: table
-- grain: one row per configured portal: the config's fields renamed, nothing else.
SELECT
    id AS portal_id,
    name AS portal_name,
    level,
    region AS region_code,
    platform,
    url,
    unit AS unit_id,
    details
FROM cfg_portals
