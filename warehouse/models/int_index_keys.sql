-- materialized: temp
-- grain: one row per sighting with index_no: the key of the index_no document it belongs to.
-- An index_no is scoped by the units its sightings print (docs/matching.md, rule index_no).
-- It is one document, 'i|<index_no>', unless two of its printed publisher units are in no
-- one ancestry line (neither is the other's ancestor, int_unit_ancestry): then it is not one
-- publication's number but a short number each unit counts on its own, each unit's
-- sightings are a document of their own, 'i|<index_no>|<unit_id>', and those naming no unit,
-- which cannot tell which, one more, 'i|<index_no>|'. A parent and its department are one
-- line: portals print a department's document under its parent's name. Only the printed
-- publisher scopes: a portal's own unit (the fallback unit) says who listed the item, not
-- who published it, and portals relay their parents' and children's documents; a name that
-- does not resolve names no unit.
WITH index_units AS (
    SELECT DISTINCT index_no, publisher_unit_id AS unit_id
    FROM int_sightings
    WHERE index_no IS NOT NULL AND publisher_unit_id IS NOT NULL
),
split_index_nos AS (
    -- two printed units of which neither is an ancestor of the other
    SELECT DISTINCT a.index_no
    FROM index_units AS a
    JOIN index_units AS b ON b.index_no = a.index_no AND b.unit_id > a.unit_id
    ANTI JOIN int_unit_ancestry AS up ON up.unit_id = a.unit_id AND up.ancestor_id = b.unit_id
    ANTI JOIN int_unit_ancestry AS down ON down.unit_id = b.unit_id AND down.ancestor_id = a.unit_id
)
SELECT
    s.sighting_id,
    s.index_no,
    CASE
        WHEN x.index_no IS NULL THEN 'i|' || s.index_no
        ELSE 'i|' || s.index_no || '|' || coalesce(s.publisher_unit_id, '')
    END AS index_key
FROM int_sightings AS s
LEFT JOIN split_index_nos AS x ON x.index_no = s.index_no
WHERE s.index_no IS NOT NULL
