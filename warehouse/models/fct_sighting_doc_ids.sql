-- materialized: table
-- grain: one row per sighting (portal_id, item_key): the doc_id of its document. The doc_id
-- registry: the next build reads it back (prev_sighting_doc_ids, warehouse/registry.py) to
-- give every document the id its sightings held (docs/matching.md, "Document ids").
SELECT k.portal_id, k.item_key, d.doc_id
FROM int_document_keys AS k
JOIN int_doc_ids AS d ON d.doc_key = k.doc_key
