-- Every sighting belongs to exactly one document, and that document exists.
SELECT s.portal_id, s.item_key, count(f.doc_id) AS n_documents
FROM int_sightings AS s
LEFT JOIN fct_sightings AS f ON f.portal_id = s.portal_id AND f.item_key = s.item_key
LEFT JOIN fct_documents AS d ON d.doc_id = f.doc_id
GROUP BY s.portal_id, s.item_key
HAVING count(f.doc_id) <> 1 OR count(d.doc_id) <> 1
