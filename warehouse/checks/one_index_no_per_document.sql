-- No document holds two different index_no.
SELECT doc_id, list(DISTINCT index_no) AS index_nos
FROM fct_sightings
WHERE index_no IS NOT NULL
GROUP BY doc_id
HAVING count(DISTINCT index_no) > 1
