-- The doc_id registry (fct_sighting_doc_ids, read back by the next build) gives every
-- sighting the doc_id fct_sightings shows, and holds no other sighting.
SELECT coalesce(s.portal_id, r.portal_id) AS portal_id, coalesce(s.item_key, r.item_key) AS item_key,
    s.doc_id AS doc_id, r.doc_id AS registered_doc_id
FROM fct_sightings AS s
FULL JOIN fct_sighting_doc_ids AS r ON r.portal_id = s.portal_id AND r.item_key = s.item_key
WHERE r.doc_id IS DISTINCT FROM s.doc_id
