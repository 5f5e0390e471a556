-- materialized: table
-- grain: one row per sighting without index_no whose matches reached documents of several index_no:
-- it joined the closest one (doc_no before title, then the nearest date) and never tied them.
SELECT
    d.doc_id,
    k.portal_id,
    k.item_key,
    k.title,
    k.doc_no,
    k.published_date,
    k.match_rule,
    d.index_no AS chosen_index_no,
    k.candidate_index_nos
FROM int_document_keys AS k
JOIN fct_documents AS d ON d.doc_key = k.doc_key
WHERE k.is_index_conflict
