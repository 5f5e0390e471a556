-- materialized: table
-- grain: one row per unit × year × figure of the unit's annual report (fct_reported_figures):
-- the reported value against the catalog's figure for the unit's system and year
-- (docs/reports.md, Nightly reconciliation). Catalog figures: held, official_held, new,
-- official_new from fct_totals at the figure's level; fulltext_rate = 100 × fulltext_held / held;
-- a category's count from fct_category_counts; a share = 100 × the group's categories / new;
-- rules_* and normative_* (the template's table 二) from fct_regulation_counts (issued, valid).
-- difference = reported − catalog. tolerance: half a unit of the last decimal a rate or share
-- prints (79.57% → 0.005, 100% → 0.5, in percentage points); for a figure printed as
-- approximate (约, 余, 多) the place of its last non-zero digit (260 → 10, 2000 → 1000); else 0.
-- verdict: not stated (a blank cell or `/`), not derivable (the catalog cannot give it:
-- applications, decisions, fees, repeals, a value that is not a number), agrees (|difference|
-- ≤ tolerance) or differs. own_inconsistency: the report's own sums this figure is part of
-- that do not hold (rpt_reported_inconsistencies), else NULL.
WITH groups AS (
    SELECT unit_id, year, figure, level, scheme, unnest(string_split(category, '+')) AS category
    FROM fct_reported_figures
    WHERE measure = 'share'
),
group_counts AS (
    SELECT g.unit_id, g.year, g.figure, coalesce(sum(c.n), 0) AS n
    FROM groups AS g
    LEFT JOIN fct_category_counts AS c
        ON c.system_id = g.unit_id AND c.level = g.level AND c.year = g.year AND c.scheme = g.scheme
        AND c.category = g.category
    GROUP BY ALL
),
own AS (
    SELECT unit_id, year, unnest(figures) AS figure, check_name FROM rpt_reported_inconsistencies
),
own_checks AS (
    SELECT unit_id, year, figure, string_agg(DISTINCT check_name, '; ' ORDER BY check_name) AS checks
    FROM own
    GROUP BY ALL
),
compared AS (
    SELECT
        f.*,
        CASE f.measure
            WHEN 'held' THEN coalesce(t.held, 0)
            WHEN 'official_held' THEN coalesce(t.official_held, 0)
            WHEN 'new' THEN coalesce(t.new, 0)
            WHEN 'official_new' THEN coalesce(t.official_new, 0)
            WHEN 'fulltext_rate' THEN round(100.0 * t.fulltext_held / nullif(t.held, 0), 6)
            WHEN 'category' THEN coalesce(c.n, 0)
            WHEN 'share' THEN round(100.0 * coalesce(gc.n, 0) / nullif(t.new, 0), 6)
            WHEN 'rules_issued' THEN coalesce(rr.issued, 0)
            WHEN 'rules_valid' THEN coalesce(rr.valid, 0)
            WHEN 'normative_issued' THEN coalesce(rn.issued, 0)
            WHEN 'normative_valid' THEN coalesce(rn.valid, 0)
        END AS catalog_value,
        CASE
            WHEN f.measure IN ('fulltext_rate', 'share')
                THEN 0.5 * pow(10, -length(regexp_extract(f.value_text, '\.([0-9]+)', 1)))
            WHEN f.is_approximate AND f.value >= 1
                THEN pow(10, length(CAST(CAST(f.value AS BIGINT) AS VARCHAR))
                    - length(rtrim(CAST(CAST(f.value AS BIGINT) AS VARCHAR), '0')))
            ELSE 0
        END AS tolerance
    FROM fct_reported_figures AS f
    LEFT JOIN fct_totals AS t ON t.system_id = f.unit_id AND t.level = f.level AND t.year = f.year
    LEFT JOIN fct_category_counts AS c
        ON f.measure = 'category' AND c.system_id = f.unit_id AND c.level = f.level AND c.year = f.year
        AND c.scheme = f.scheme AND c.category = f.category
    LEFT JOIN group_counts AS gc ON gc.unit_id = f.unit_id AND gc.year = f.year AND gc.figure = f.figure
    LEFT JOIN fct_regulation_counts AS rr ON rr.system_id = f.unit_id AND rr.year = f.year AND rr.kind = 'rules'
    LEFT JOIN fct_regulation_counts AS rn
        ON rn.system_id = f.unit_id AND rn.year = f.year AND rn.kind = 'normative_files'
)
SELECT
    c.unit_id,
    c.year,
    c.figure,
    c.doc_id,
    c.level,
    c.measure,
    c.scheme,
    c.category,
    coalesce(c.value_text, CAST(c.value AS VARCHAR)) AS reported,
    c.value AS reported_value,
    c.is_approximate,
    CASE WHEN c.is_stated AND c.value IS NOT NULL AND c.measure IS NOT NULL THEN c.catalog_value END AS catalog_value,
    CASE WHEN c.is_stated AND c.value IS NOT NULL AND c.measure IS NOT NULL
        THEN round(c.value - c.catalog_value, 6) END AS difference,
    c.tolerance,
    CASE
        WHEN NOT c.is_stated THEN 'not stated'
        WHEN c.measure IS NULL OR c.value IS NULL OR c.catalog_value IS NULL THEN 'not derivable'
        WHEN abs(c.value - c.catalog_value) <= c.tolerance + 1e-9 THEN 'agrees'
        ELSE 'differs'
    END AS verdict,
    o.checks AS own_inconsistency,
    c.source_url,
    c.location
FROM compared AS c
LEFT JOIN own_checks AS o ON o.unit_id = c.unit_id AND o.year = c.year AND o.figure = c.figure
