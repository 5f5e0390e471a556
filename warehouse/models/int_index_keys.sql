-- materialized: temp
-- grain: one row per sighting with index_no: the key of the index_no document it belongs to.
-- An index_no is scoped by the unit its sightings print (docs/matching.md, rule index_no):
-- an index_no whose sightings name one publisher unit (or none, or one and some that name
-- none) is one document, 'i|<index_no>'. An index_no printed under two or more publisher
-- units is not one publication's number but a short number each unit counts on its own:
-- each unit's sightings are a document of their own, 'i|<index_no>|<unit_id>', and those
-- naming no unit, which cannot tell which, one more, 'i|<index_no>|'. Only the printed
-- publisher scopes: a portal's own unit (the fallback unit) says who listed the item, not
-- who published it, and portals relay their parents' and children's documents.
WITH index_units AS (
    SELECT index_no, count(DISTINCT publisher_unit_id) AS n_units
    FROM int_sightings
    WHERE index_no IS NOT NULL
    GROUP BY index_no
)
SELECT
    s.sighting_id,
    s.index_no,
    u.n_units,
    CASE
        WHEN u.n_units <= 1 THEN 'i|' || s.index_no
        ELSE 'i|' || s.index_no || '|' || coalesce(s.publisher_unit_id, '')
    END AS index_key
FROM int_sightings AS s
JOIN index_units AS u ON u.index_no = s.index_no
