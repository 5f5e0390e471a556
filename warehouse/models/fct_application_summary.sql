-- materialized: table
-- grain: one row per system × year: the figures the report's text on 依申请公开 and its fees
-- states (docs/applications.md), over the system's applications in the register. Every
-- configured unit is a system; every year of int_application_years is present.
--   n_received: received in Y; n_closed: closed in Y; n_open_at_end: received by Y-12-31, not closed by then
--   *_to_date: up to Y-12-31 (历年): received, received online (channel 网上), closed, closed 予以公开 (code 1)
--   fee_amount: yuan charged for the applications closed in Y (0 when none)
WITH apps AS (
    SELECT a.ancestor_id AS system_id, s.*
    FROM stg_applications AS s
    JOIN int_unit_ancestry AS a ON a.unit_id = s.unit_id
),
counted AS (
    SELECT
        p.system_id, y.year,
        count(*) FILTER (WHERE p.received_year = y.year) AS n_received,
        count(*) FILTER (WHERE p.closed_year = y.year) AS n_closed,
        count(*) FILTER (WHERE p.closed_year IS NULL OR p.closed_year > y.year) AS n_open_at_end,
        count(*) AS n_received_to_date,
        count(*) FILTER (WHERE p.channel = '网上') AS n_online_to_date,
        count(*) FILTER (WHERE p.closed_year <= y.year) AS n_closed_to_date,
        count(*) FILTER (WHERE p.closed_year <= y.year AND p.outcome = '1') AS n_disclosed_to_date,
        sum(p.fee_amount) FILTER (WHERE p.closed_year = y.year) AS fee_amount
    FROM apps AS p
    JOIN int_application_years AS y ON p.received_year <= y.year
    GROUP BY ALL
)
SELECT
    u.unit_id AS system_id,
    y.year,
    CAST(coalesce(c.n_received, 0) AS BIGINT) AS n_received,
    CAST(coalesce(c.n_closed, 0) AS BIGINT) AS n_closed,
    CAST(coalesce(c.n_open_at_end, 0) AS BIGINT) AS n_open_at_end,
    CAST(coalesce(c.n_received_to_date, 0) AS BIGINT) AS n_received_to_date,
    CAST(coalesce(c.n_online_to_date, 0) AS BIGINT) AS n_online_to_date,
    CAST(coalesce(c.n_closed_to_date, 0) AS BIGINT) AS n_closed_to_date,
    CAST(coalesce(c.n_disclosed_to_date, 0) AS BIGINT) AS n_disclosed_to_date,
    CAST(coalesce(c.fee_amount, 0) AS DECIMAL(18, 2)) AS fee_amount
FROM stg_units AS u
CROSS JOIN int_application_years AS y
LEFT JOIN counted AS c ON c.system_id = u.unit_id AND c.year = y.year
