-- materialized: temp
-- grain: one row per sighting (portal × item_key): its latest state, first and last seen, whether it
-- is withdrawn, the unit it is resolved to and the keys the matching rules compare.
--
-- Withdrawal: a sighting is withdrawn once it is missing from two consecutive eligible
-- listings of its portal after the last run that showed it. Eligible = mode full, status ok,
-- complete, and not quarantined (int_run_eligibility); failed, partial and incremental runs
-- never count. withdrawn_date is the China-time (UTC+8) date the first of those two listings
-- started: the first listing known not to show it. A sighting seen again is not withdrawn.
-- A portal that has runs but is no longer configured is removed: once the state holds a run
-- (of any portal) started removed_portal_grace_days or more after its last run, its
-- sightings not withdrawn otherwise are withdrawn as of the China-time day after that last
-- run (the first day nobody looked). withdrawn_reason says which rule withdrew a sighting.
-- doc_no: NULL when the page says there is none (int_doc_no_keys.is_placeholder);
-- doc_no_key: the 文号 the doc_no rules compare, NULL when the value is not shaped like one.
WITH eligible AS (
    SELECT portal_id, run_id, started_at, ordinal
    FROM int_run_eligibility
    WHERE is_eligible
),
eligible_totals AS (
    SELECT portal_id, max(ordinal) AS n_eligible FROM eligible GROUP BY portal_id
),
run_positions AS (
    -- per portal and run: how many eligible listings started at or before it (a few rows
    -- per portal and night, so every sighting finds its place by a plain equality join)
    SELECT r.portal_id, r.run_id, count(e.run_id) AS seen_ordinal
    FROM stg_runs AS r
    LEFT JOIN eligible AS e ON e.portal_id = r.portal_id AND e.run_id <= r.run_id
    GROUP BY r.portal_id, r.run_id
),
removed_portals AS (
    SELECT r.portal_id, CAST(max(r.started_at) + INTERVAL 8 HOUR AS DATE) + 1 AS removed_date
    FROM stg_runs AS r
    CROSS JOIN cfg_settings AS c
    LEFT JOIN stg_portals AS po ON po.portal_id = r.portal_id
    WHERE po.portal_id IS NULL
    GROUP BY r.portal_id, c.removed_portal_grace_days
    HAVING (SELECT max(started_at) FROM stg_runs)
        >= max(r.started_at) + to_days(CAST(c.removed_portal_grace_days AS INTEGER))
),
placed AS (
    -- a 文号 that says there is none (无文号, 见附件: int_doc_no_keys) is none
    SELECT
        s.* REPLACE (CASE WHEN d.is_placeholder THEN NULL ELSE s.doc_no END AS doc_no),
        d.doc_no_key,
        d.has_year AS has_doc_no_year,
        coalesce(r.seen_ordinal, 0) AS seen_ordinal
    FROM int_sighting_states AS s
    LEFT JOIN int_doc_no_keys AS d ON d.doc_no = s.doc_no
    LEFT JOIN run_positions AS r ON r.portal_id = s.portal_id AND r.run_id = s.last_run_id
)
SELECT
    -- a 64-bit hash: no sort of all sightings; a collision would fail the checks loudly
    hash(p.portal_id, p.item_key) AS sighting_id,
    p.* EXCLUDE (seen_ordinal, has_doc_no_year),
    coalesce(t.n_eligible, 0) - p.seen_ordinal AS n_missed_listings,
    CASE WHEN coalesce(t.n_eligible, 0) - p.seen_ordinal >= 2 THEN m.run_id END AS withdrawn_run_id,
    CASE
        WHEN coalesce(t.n_eligible, 0) - p.seen_ordinal >= 2
        THEN CAST(m.started_at + INTERVAL 8 HOUR AS DATE)
        ELSE rp.removed_date
    END AS withdrawn_date,
    CASE
        WHEN coalesce(t.n_eligible, 0) - p.seen_ordinal >= 2 THEN 'missed listings'
        WHEN rp.portal_id IS NOT NULL THEN 'portal removed'
    END AS withdrawn_reason,
    po.unit_id AS portal_unit_id,
    n.unit_id AS publisher_unit_id,
    coalesce(n.unit_id, po.unit_id) AS unit_id,
    CASE WHEN n.unit_id IS NOT NULL THEN 'publisher' WHEN po.unit_id IS NOT NULL THEN 'portal' END
        AS unit_source,
    -- how the printed publisher resolved (int_publisher_units; NULL: none printed)
    n.resolution AS publisher_resolution,
    nullif(regexp_replace(nfkc(p.title), '[\s\p{Z}\p{P}\p{S}]', '', 'g'), '') AS title_key,
    -- a 文号 without its year only matches within one published year
    CASE
        WHEN p.doc_no_key IS NULL THEN NULL
        WHEN p.has_doc_no_year THEN ''
        ELSE CAST(year(p.published_date) AS VARCHAR)
    END AS doc_no_year,
    coalesce(p.has_body, false) OR coalesce(p.n_attachments, 0) > 0 AS has_fulltext,
    -- which of the metadata fields this sighting has, bit i for warehouse/fields.py FIELDS[i]
    -- (the ranking's second key is how many; int_documents compares the masks)
    (
        {{ fields +: CAST(p.{field} IS NOT NULL AS INTEGER) * {bit} }}
    ) AS field_mask
FROM placed AS p
LEFT JOIN eligible_totals AS t ON t.portal_id = p.portal_id
LEFT JOIN eligible AS m ON m.portal_id = p.portal_id AND m.ordinal = p.seen_ordinal + 1
LEFT JOIN stg_portals AS po ON po.portal_id = p.portal_id
LEFT JOIN removed_portals AS rp ON rp.portal_id = p.portal_id
LEFT JOIN int_publisher_units AS n ON n.publisher_name = p.publisher_name
