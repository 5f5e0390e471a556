-- materialized: temp
-- grain: one row per unit × form of its name that a publisher may print: its name and aliases
-- (kind 'name'), a department's short name behind any name of its bureau ('department'), and
-- any of those with the unit's province and the places of its ancestors in front ('place')
-- (docs/matching.md, Publisher resolution). Forms are written without white space; the
-- resolution compares their keys (int_name_keys), and only whole keys, so a form is never a
-- prefix or a part of another name.
-- department: a unit whose name or alias starts with a name or alias of its parent (龙岩市工商
-- 行政管理局 + 办公室) has its short name (办公室) behind every name of the parent: 龙岩市工商局
-- 办公室; printed as 龙岩市工商局（办公室） or 龙岩市工商局 办公室, whose loose key it is.
-- place: the unit's upper places are its province (seed_provinces, by the first two digits
-- of its region code) and the place each ancestor's name starts with (2 to 7 Han characters
-- and 省/市/县/区: 福建省, 龙岩市), less its own; one or two of them, top first, go in
-- front of a form that does not start with them: 福建省龙岩市新罗区工商行政管理局.
WITH units AS (
    SELECT unit_id, parent_unit_id, region_code, regexp_replace(nfkc(unit_name), '[\s\p{Z}]', '', 'g') AS unit_name
    FROM stg_units
),
names AS (
    SELECT unit_id, unit_name AS name FROM units
    UNION
    SELECT unit_id, regexp_replace(nfkc(alias), '[\s\p{Z}]', '', 'g')
    FROM (SELECT unit_id, unnest(aliases) AS alias FROM stg_units)
    WHERE alias IS NOT NULL
),
departments AS (
    SELECT DISTINCT u.unit_id, bureau.name || substr(n.name, length(p.name) + 1) AS name
    FROM units AS u
    JOIN names AS n ON n.unit_id = u.unit_id
    JOIN names AS p ON p.unit_id = u.parent_unit_id AND starts_with(n.name, p.name) AND length(n.name) > length(p.name)
    JOIN names AS bureau ON bureau.unit_id = u.parent_unit_id
),
bases AS (
    SELECT unit_id, name, 'name' AS kind FROM names
    UNION
    SELECT unit_id, name, 'department' FROM departments
),
places AS (
    SELECT unit_id, nullif(regexp_extract(unit_name, '^\p{Han}{2,7}?[省市县区]'), '') AS place FROM units
),
upper_places AS (
    -- the unit's province (above every ancestor) and its ancestors' places, but its own
    SELECT unit_id, place, max(height) AS height
    FROM (
        SELECT u.unit_id, p.name AS place, 1000 AS height
        FROM units AS u
        JOIN seed_provinces AS p ON p.code = substr(u.region_code, 1, 2)
        UNION ALL
        SELECT a.unit_id, p.place, a.depth
        FROM int_unit_ancestry AS a
        JOIN places AS p ON p.unit_id = a.ancestor_id
        WHERE a.depth > 0 AND p.place IS NOT NULL
    ) AS above
    WHERE NOT EXISTS (SELECT 1 FROM places AS own WHERE own.unit_id = above.unit_id AND own.place = above.place)
    GROUP BY unit_id, place
),
prefixes AS (
    SELECT unit_id, place AS prefix, place AS first_place, place AS last_place FROM upper_places
    UNION
    SELECT a.unit_id, a.place || b.place, a.place, b.place
    FROM upper_places AS a
    JOIN upper_places AS b ON b.unit_id = a.unit_id AND b.height < a.height
)
SELECT unit_id, name, kind FROM bases
UNION
SELECT b.unit_id, p.prefix || b.name, 'place'
FROM bases AS b
JOIN prefixes AS p ON p.unit_id = b.unit_id
WHERE NOT starts_with(b.name, p.first_place) AND NOT starts_with(b.name, p.last_place)
