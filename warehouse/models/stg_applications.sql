-- materialized: temp
-- grain: one row per application of the imported registers (unit × application_id), with the
-- years it is counted in (docs/applications.md). Rows of units outside the config are kept here
-- and drop out of the marts (no ancestry).
SELECT
    unit_id,
    application_id,
    received_date,
    CAST(year(received_date) AS INTEGER) AS received_year,
    applicant_type,
    channel,
    outcome,
    closed_date,
    CAST(year(closed_date) AS INTEGER) AS closed_year,
    fee_amount,
    review_outcome,
    litigation_outcome,
    -- 复议 and 诉讼 are counted in the year the contested decision was made (closed_date), or
    -- the year received while the application is open
    CAST(year(coalesce(closed_date, received_date)) AS INTEGER) AS proceeding_year
FROM state.raw_applications
