-- materialized: table
-- grain: one row per document: a publication counted once however many portals list it.
-- disclosure is the canonical label of the document's value (seed_vocabulary through
-- dim_vocabulary_values, docs/vocabularies.md), the value as held when it maps to nothing, and
-- 主动公开 when no sighting says otherwise (docs/fields.md).
-- is_official: genre maps to a code of seed_official_genres (a 公文 genre), or genre is missing
-- and a doc_no shaped like a 文号 is present (int_doc_no_keys; a placeholder such as 无文号 is
-- no doc_no at all). The other fields are the values as held.
-- disagreeing_fields: the fields where some sighting differs from the document's value, i.e.
-- where its sightings hold different non-NULL values, in the order of the fields.
-- counted_date: the date the counts use (docs/counting.md): published_date, else, when no
-- sighting gives one, the China-time (UTC+8) date of first_seen_at (is_date_inferred).
WITH disagreements AS (
    SELECT doc_id, list_distinct(flatten(list(differing_fields))) AS fields
    FROM fct_sightings
    WHERE len(differing_fields) > 0
    GROUP BY doc_id
)
SELECT
    d.doc_id,
    d.doc_key,
    d.unit_id,
    u.level,
    {{ fields: d.{field} }},
    CASE WHEN d.genre IS NOT NULL THEN o.code IS NOT NULL ELSE k.doc_no_key IS NOT NULL END AS is_official,
    d.has_fulltext,
    d.origin_portal_id,
    d.origin_distance,
    d.n_sightings,
    CASE
        WHEN g.fields IS NULL THEN CAST([] AS VARCHAR[])
        ELSE list_filter({{ field_names }}, lambda field: list_contains(g.fields, field))
    END AS disagreeing_fields,
    d.has_index_conflict,
    d.first_seen_at,
    d.last_seen_at,
    d.withdrawn_date,
    d.withdrawn_date IS NOT NULL AS is_withdrawn,
    coalesce(d.published_date, CAST(d.first_seen_at + INTERVAL 8 HOUR AS DATE)) AS counted_date,
    d.published_date IS NULL AS is_date_inferred
FROM (
    SELECT i.* REPLACE (coalesce(v.label, i.disclosure, '主动公开') AS disclosure)
    FROM int_documents AS i
    LEFT JOIN dim_vocabulary_values AS v ON v.field = 'disclosure' AND v.value = i.disclosure
) AS d
LEFT JOIN stg_units AS u ON u.unit_id = d.unit_id
LEFT JOIN dim_vocabulary_values AS gv ON gv.field = 'genre' AND gv.value = d.genre
LEFT JOIN seed_official_genres AS o ON o.code = gv.code
LEFT JOIN int_doc_no_keys AS k ON k.doc_no = d.doc_no
LEFT JOIN disagreements AS g ON g.doc_id = d.doc_id
