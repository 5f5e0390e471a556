-- Every alias leads to a current document in one step, and no retired id is a document's id
-- (docs/matching.md, "Document ids").
SELECT 'alias to no document' AS problem, a.retired_doc_id, a.doc_id
FROM fct_doc_id_aliases AS a
ANTI JOIN fct_documents AS d ON d.doc_id = a.doc_id
UNION ALL
SELECT 'retired id is a document', a.retired_doc_id, a.doc_id
FROM fct_doc_id_aliases AS a
SEMI JOIN fct_documents AS d ON d.doc_id = a.retired_doc_id
UNION ALL
SELECT 'retired id listed twice', retired_doc_id, min(doc_id)
FROM fct_doc_id_aliases
GROUP BY retired_doc_id
HAVING count(*) > 1
