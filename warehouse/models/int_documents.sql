-- materialized: temp
-- grain: one row per document (a cluster of sightings of one publication).
-- Its unit: the first publisher-resolved unit among its sightings, else the first portal
-- unit, in the order most fields, earliest first run, portal_id.
-- Its fields, field by field: the first non-NULL value in the ranking origin first (a
-- portal whose unit is the document's unit, else its nearest ancestor), then most non-NULL
-- fields, then the earliest run that first listed it (first_run_id: never the time within a
-- run, which follows the harvest's order of the night), then portal_id (then item_key's hash,
-- so the order is total); docs/matching.md. The ranking is packed into one HUGEINT, rank_key,
-- by the macros of warehouse/rank.py (rank_order_key, rank_key; bit layout and limits there):
-- from the top, distance to the origin (64 = not an origin) | fields lacking | first run's
-- place in run_id order |
-- the portal's place in portal_id order | 32 bits of the item_key's hash | the field mask
-- (which only breaks a tie of all the rest). The best sighting's rank_key so tells its
-- origin distance, portal and field mask (rank_origin_distance, rank_portal,
-- rank_field_mask) without an aggregate of each.
-- Only keys, masks and ranks go through the per-document aggregates; the texts are joined
-- back once per value chosen. The best-ranked sighting gives every field it holds (for
-- those it is the first non-NULL value). A field it lacks but another sighting holds (a bit
-- of the document's field_mask missing from the best one's) comes from the best-ranked
-- sighting holding it, an integer arg_min over just those sightings and fields. (A field by
-- field arg_min over the texts carries a copy of every text per document: at ten million
-- sightings it outgrew memory and spilled.)
-- disagreeing_fields is filled in by fct_documents, from fct_sightings.differing_fields.
-- doc_id: the id the document's sightings held before, else a new one (int_doc_ids).
WITH portal_order AS MATERIALIZED (
    SELECT portal_id, row_number() OVER (ORDER BY portal_id) AS portal_rank
    FROM (SELECT DISTINCT portal_id FROM int_sightings)
),
run_order AS MATERIALIZED (
    SELECT first_run_id, row_number() OVER (ORDER BY first_run_id) AS run_rank
    FROM (SELECT DISTINCT first_run_id FROM int_sightings)
),
keyed AS NOT MATERIALIZED (
    SELECT
        k.doc_key,
        k.sighting_id,
        k.portal_unit_id,
        k.publisher_unit_id,
        k.field_mask,
        k.has_fulltext,
        k.is_index_conflict,
        k.first_seen_at,
        k.last_seen_at,
        k.withdrawn_date,
        rank_order_key(k.field_mask, r.run_rank, o.portal_rank, k.item_key) AS order_key
    FROM int_document_keys AS k
    JOIN portal_order AS o ON o.portal_id = k.portal_id
    JOIN run_order AS r ON r.first_run_id = k.first_run_id
),
document_units AS (
    SELECT
        doc_key,
        coalesce(
            arg_min(publisher_unit_id, order_key) FILTER (WHERE publisher_unit_id IS NOT NULL),
            arg_min(portal_unit_id, order_key) FILTER (WHERE portal_unit_id IS NOT NULL)
        ) AS unit_id
    FROM keyed
    GROUP BY doc_key
),
ranked AS MATERIALIZED (
    SELECT
        k.*,
        u.unit_id AS document_unit_id,
        rank_key(a.depth, k.order_key) AS rank_key
    FROM keyed AS k
    JOIN document_units AS u ON u.doc_key = k.doc_key
    LEFT JOIN int_unit_ancestry AS a
        ON a.unit_id = u.unit_id AND a.ancestor_id = k.portal_unit_id
),
documents AS MATERIALIZED (
    SELECT
        doc_key,
        any_value(document_unit_id) AS unit_id,
        min(rank_key) AS best_rank_key,
        arg_min(sighting_id, rank_key) AS best_sighting_id,
        bit_or(field_mask) AS field_mask,
        bool_or(has_fulltext) AS has_fulltext,
        bool_or(is_index_conflict) AS has_index_conflict,
        count(*) AS n_sightings,
        min(first_seen_at) AS first_seen_at,
        max(last_seen_at) AS last_seen_at,
        -- withdrawn when every sighting is withdrawn, on the day the last of them went
        CASE WHEN bool_and(withdrawn_date IS NOT NULL) THEN max(withdrawn_date) END AS withdrawn_date
    FROM ranked
    GROUP BY doc_key
),
unfilled AS (
    -- the fields some sighting holds and the best one lacks
    SELECT doc_key, field_mask & ~rank_field_mask(best_rank_key) AS missing_mask
    FROM documents
    WHERE field_mask <> rank_field_mask(best_rank_key)
),
fill_candidates AS (
    -- one row per (sighting, field it holds that its document's best sighting lacks)
    SELECT
        r.doc_key,
        r.sighting_id,
        unnest(list_filter(range({{ n_fields }}), lambda i: (r.field_mask & u.missing_mask) >> i & 1 = 1))
            AS field_no,
        r.rank_key
    FROM ranked AS r
    JOIN unfilled AS u ON u.doc_key = r.doc_key
    WHERE r.field_mask & u.missing_mask <> 0
),
winning_sightings AS (
    -- (document, sighting, the fields that sighting gives it)
    SELECT doc_key, sighting_id, bit_or(CAST(1 AS INTEGER) << CAST(field_no AS INTEGER)) AS won_mask
    FROM (
        SELECT doc_key, field_no, arg_min(sighting_id, rank_key) AS sighting_id
        FROM fill_candidates
        GROUP BY doc_key, field_no
    )
    GROUP BY doc_key, sighting_id
),
best_fields AS (
    -- every document with its best sighting's values
    SELECT d.*, s.* EXCLUDE (sighting_id)
    FROM documents AS d
    JOIN (
        SELECT
            sighting_id,
            {{ fields: {field} }}
        FROM int_sightings
    ) AS s ON s.sighting_id = d.best_sighting_id
),
fill_fields AS (
    SELECT
        w.doc_key,
        {{ fields: any_value(s.{field}) FILTER (WHERE w.won_mask & {bit} <> 0) AS {field} }}
    FROM winning_sightings AS w
    JOIN int_sightings AS s ON s.sighting_id = w.sighting_id
    GROUP BY w.doc_key
)
SELECT
    i.doc_id,
    b.doc_key,
    b.unit_id,
    {{ fields: coalesce(b.{field}, f.{field}) AS {field} }},
    rank_origin_distance(b.best_rank_key) AS origin_distance,
    CASE WHEN rank_origin_distance(b.best_rank_key) IS NOT NULL THEN o.portal_id END
        AS origin_portal_id,
    b.has_fulltext,
    b.has_index_conflict,
    b.n_sightings,
    b.first_seen_at,
    b.last_seen_at,
    b.withdrawn_date
FROM best_fields AS b
JOIN int_doc_ids AS i ON i.doc_key = b.doc_key
LEFT JOIN fill_fields AS f ON f.doc_key = b.doc_key
LEFT JOIN portal_order AS o ON o.portal_rank = rank_portal(b.best_rank_key)
