-- materialized: table
-- grain: one row per unit × year: how well a unit keeps its catalog, over its counted documents
-- (主动公开) whose counted_date falls in the year, withdrawn ones included (docs/reports.md,
-- warehouse/models.yml give every formula). A unit × year row exists when it has such documents.
--   working days: Monday to Friday; public holidays and their make-up working days are not
--   known to the warehouse, so "20 working days" is approximated as 20 weekdays
--   workdays(a, b): weekdays in (a, b], from a weekday counter anchored on Monday 1970-01-05
WITH docs AS (
    SELECT
        d.*,
        CASE WHEN d.written_date IS NOT NULL AND d.published_date IS NOT NULL
                  AND d.published_date >= d.written_date
             THEN (5 * ((d.published_date - DATE '1970-01-05') // 7)
                   + least((d.published_date - DATE '1970-01-05') % 7 + 1, 5))
                - (5 * ((d.written_date - DATE '1970-01-05') // 7)
                   + least((d.written_date - DATE '1970-01-05') % 7 + 1, 5))
        END AS workdays,
        CASE WHEN d.written_date IS NOT NULL AND d.published_date IS NOT NULL
             THEN d.published_date - d.written_date
        END AS days
    FROM fct_documents AS d
    WHERE d.disclosure = '主动公开' AND d.unit_id IS NOT NULL
),
own AS (
    -- documents listed by a portal whose configured unit is the document's own unit
    SELECT DISTINCT s.doc_id
    FROM fct_sightings AS s
    JOIN docs AS d ON d.doc_id = s.doc_id AND s.portal_unit_id = d.unit_id
),
scored AS (
    SELECT
        d.unit_id,
        CAST(year(d.counted_date) AS INTEGER) AS year,
        count(*) AS n_documents,
        count(d.days) AS n_dated,
        count(*) FILTER (WHERE d.days < 0) AS n_published_before_written,
        median(d.days) FILTER (WHERE d.days >= 0) AS median_days_to_publish,
        count(*) FILTER (WHERE d.workdays <= 20) AS n_within_20_workdays,
        count(*) FILTER (WHERE d.is_official) AS n_official,
        count(d.index_no) AS n_index_no,
        count(d.doc_no) FILTER (WHERE d.is_official) AS n_official_doc_no,
        count(d.publisher_name) AS n_publisher,
        count(d.published_date) AS n_published_date,
        count(d.written_date) AS n_written_date,
        count(d.topic) AS n_topic,
        count(d."function") AS n_function,
        count(d.audience) AS n_audience,
        count(d.genre) AS n_genre,
        count(*) FILTER (WHERE o.doc_id IS NOT NULL) AS n_on_own_portal,
        count(*) FILTER (WHERE d.origin_portal_id IS NOT NULL) AS n_on_line_portal,
        count(*) FILTER (WHERE len(d.disagreeing_fields) > 0) AS n_disagreeing,
        count(*) FILTER (WHERE d.is_withdrawn) AS n_withdrawn
    FROM docs AS d
    LEFT JOIN own AS o ON o.doc_id = d.doc_id
    GROUP BY ALL
)
SELECT
    unit_id,
    year,
    CAST(n_documents AS BIGINT) AS n_documents,
    CAST(n_dated AS BIGINT) AS n_dated,
    CAST(n_published_before_written AS BIGINT) AS n_published_before_written,
    CAST(median_days_to_publish AS DOUBLE) AS median_days_to_publish,
    CAST(n_within_20_workdays AS BIGINT) AS n_within_20_workdays,
    n_within_20_workdays / nullif(n_dated, 0) AS share_within_20_workdays,
    n_index_no / n_documents AS share_index_no,
    n_official_doc_no / nullif(n_official, 0) AS share_official_doc_no,
    n_publisher / n_documents AS share_publisher,
    n_published_date / n_documents AS share_published_date,
    n_written_date / n_documents AS share_written_date,
    n_topic / n_documents AS share_topic,
    n_function / n_documents AS share_function,
    n_audience / n_documents AS share_audience,
    n_genre / n_documents AS share_genre,
    (n_index_no + n_publisher + n_published_date + n_written_date + n_topic + n_function
        + n_audience + n_genre + n_official_doc_no)
        / (8 * n_documents + n_official) AS completeness,
    n_on_own_portal / n_documents AS share_on_own_portal,
    n_on_line_portal / n_documents AS share_on_line_portal,
    (n_documents - n_on_line_portal) / n_documents AS share_only_elsewhere,
    n_disagreeing / n_documents AS share_disagreeing,
    CAST(n_withdrawn AS BIGINT) AS n_withdrawn,
    n_withdrawn / n_documents AS share_withdrawn
FROM scored
