-- The 2021 template's identity of table 三, in every applicant column: 一 (new) + 二 (carried
-- over) = 三 (七) (closed in the year) + 四 (carried to next year); and 三 (七) is the sum of
-- the outcome rows (一)…(六). A row here is a system, year and column that does not balance.
WITH wide AS (
    SELECT system_id, year, row_key, column_name, n
    FROM fct_application_counts
    UNPIVOT (n FOR column_name IN (natural_person, commercial_enterprise, research_institute,
                                   social_org, legal_service, other, total))
),
sides AS (
    SELECT system_id, year, column_name,
           sum(n) FILTER (WHERE row_key IN ('new_received', 'carry_over')) AS received_side,
           sum(n) FILTER (WHERE row_key IN ('result_total', 'carry_to_next')) AS handled_side,
           sum(n) FILTER (WHERE row_key = 'result_total') AS result_total,
           sum(n) FILTER (WHERE row_key NOT IN ('new_received', 'carry_over', 'result_total',
                                                'carry_to_next')) AS outcomes
    FROM wide
    GROUP BY ALL
)
SELECT *
FROM sides
WHERE received_side <> handled_side OR result_total <> outcomes
