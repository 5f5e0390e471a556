-- The doc_id registry agrees with the documents: each document's id is registered once as
-- current in dim_doc_ids, and no current id lacks its document (docs/matching.md,
-- "Document ids").
SELECT 'document id not current in dim_doc_ids' AS problem, d.doc_id AS id
FROM fct_documents AS d
LEFT JOIN dim_doc_ids AS r ON r.doc_id = d.doc_id
WHERE r.current_doc_id IS DISTINCT FROM d.doc_id OR r.retired_run_id IS NOT NULL
UNION ALL
SELECT 'current id without a document', r.doc_id
FROM dim_doc_ids AS r
ANTI JOIN fct_documents AS d ON d.doc_id = r.doc_id
WHERE r.current_doc_id = r.doc_id OR r.retired_run_id IS NULL
UNION ALL
SELECT 'id registered twice', doc_id
FROM dim_doc_ids
GROUP BY doc_id
HAVING count(*) > 1
