-- Every document has the date it is counted under: its published date, or, when no portal
-- gives one, the inferred date of its first sighting; and every inferred one is listed in
-- rpt_undated_documents (and nothing else is), so no document drops out of the counts unseen.
SELECT 'undated' AS problem, doc_id, published_date, counted_date, is_date_inferred
FROM fct_documents
WHERE counted_date IS NULL
   OR is_date_inferred IS DISTINCT FROM (published_date IS NULL)
   OR (NOT is_date_inferred AND counted_date <> published_date)
UNION ALL
SELECT 'not listed', d.doc_id, d.published_date, d.counted_date, d.is_date_inferred
FROM fct_documents AS d
ANTI JOIN rpt_undated_documents AS r ON r.doc_id = d.doc_id
WHERE d.is_date_inferred
UNION ALL
SELECT 'listed but dated', r.doc_id, d.published_date, d.counted_date, d.is_date_inferred
FROM rpt_undated_documents AS r
LEFT JOIN fct_documents AS d ON d.doc_id = r.doc_id
WHERE d.is_date_inferred IS NOT TRUE OR r.inferred_date IS DISTINCT FROM d.counted_date
