-- No document holds two different index_no. Compared by hash first (two integers per
-- document instead of a distinct list of texts); only a document that fails is listed whole.
WITH suspects AS (
    SELECT doc_id
    FROM fct_sightings
    WHERE index_no IS NOT NULL
    GROUP BY doc_id
    HAVING min(hash(index_no)) <> max(hash(index_no))
)
SELECT s.doc_id, list(DISTINCT s.index_no ORDER BY s.index_no) AS index_nos
FROM fct_sightings AS s
SEMI JOIN suspects AS p ON p.doc_id = s.doc_id
WHERE s.index_no IS NOT NULL
GROUP BY s.doc_id
