-- Every sighting belongs to exactly one document, and that document exists. fct_sightings
-- has one row per sighting (keys_unique), so: each portal's rows number the sightings
-- dim_portals counted, and each document's rows number its n_sightings, both ways round.
WITH per_portal AS (
    SELECT portal_id, count(*) AS n FROM fct_sightings GROUP BY portal_id
),
per_document AS (
    SELECT doc_id, count(*) AS n FROM fct_sightings GROUP BY doc_id
)
SELECT 'portal' AS kind, coalesce(p.portal_id, c.portal_id) AS id, p.n_sightings AS expected,
    c.n AS found
FROM dim_portals AS p
FULL JOIN per_portal AS c ON c.portal_id = p.portal_id
WHERE p.n_sightings IS DISTINCT FROM coalesce(c.n, 0)
UNION ALL
SELECT 'document', coalesce(d.doc_id, c.doc_id), d.n_sightings, c.n
FROM fct_documents AS d
FULL JOIN per_document AS c ON c.doc_id = d.doc_id
WHERE d.n_sightings IS DISTINCT FROM c.n
