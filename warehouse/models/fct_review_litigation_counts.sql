-- materialized: table
-- grain: one row per system × year × proceeding: the 2021 template's table 四、因政府信息公开工作
-- 被申请行政复议、提起行政诉讼情况 from the register's review_outcome and litigation_outcome
-- (docs/applications.md). Every configured unit is a system; every year of
-- int_application_years is present, zeros included.
--   review (行政复议): applications with a review_outcome
--   lawsuit_direct (行政诉讼 未经复议直接起诉): a litigation_outcome and no review_outcome
--   lawsuit_after_review (行政诉讼 复议后起诉): a litigation_outcome and a review_outcome
-- counted in the year of the contested decision (closed_date; received_date while open).
WITH proceedings(proceeding_no, proceeding, proceeding_label) AS (
    VALUES (1, 'review', '行政复议'),
           (2, 'lawsuit_direct', '行政诉讼（未经复议直接起诉）'),
           (3, 'lawsuit_after_review', '行政诉讼（复议后起诉）')
),
cases AS (
    SELECT a.ancestor_id AS system_id, s.proceeding_year AS year, 'review' AS proceeding,
           s.review_outcome AS result
    FROM stg_applications AS s JOIN int_unit_ancestry AS a ON a.unit_id = s.unit_id
    WHERE s.review_outcome IS NOT NULL
    UNION ALL
    SELECT a.ancestor_id, s.proceeding_year,
           CASE WHEN s.review_outcome IS NULL THEN 'lawsuit_direct' ELSE 'lawsuit_after_review' END,
           s.litigation_outcome
    FROM stg_applications AS s JOIN int_unit_ancestry AS a ON a.unit_id = s.unit_id
    WHERE s.litigation_outcome IS NOT NULL
),
counted AS (
    SELECT system_id, year, proceeding,
           count(*) FILTER (WHERE result = '维持') AS upheld,
           count(*) FILTER (WHERE result = '纠正') AS corrected,
           count(*) FILTER (WHERE result = '其他') AS other,
           count(*) FILTER (WHERE result = '尚未审结') AS pending,
           count(*) AS total
    FROM cases
    GROUP BY ALL
)
SELECT
    u.unit_id AS system_id,
    y.year,
    CAST(p.proceeding_no AS INTEGER) AS proceeding_no,
    p.proceeding,
    p.proceeding_label,
    CAST(coalesce(c.upheld, 0) AS BIGINT) AS upheld,
    CAST(coalesce(c.corrected, 0) AS BIGINT) AS corrected,
    CAST(coalesce(c.other, 0) AS BIGINT) AS other,
    CAST(coalesce(c.pending, 0) AS BIGINT) AS pending,
    CAST(coalesce(c.total, 0) AS BIGINT) AS total
FROM stg_units AS u
CROSS JOIN int_application_years AS y
CROSS JOIN proceedings AS p
LEFT JOIN counted AS c ON c.system_id = u.unit_id AND c.year = y.year AND c.proceeding = p.proceeding
