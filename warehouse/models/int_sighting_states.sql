-- One row per sighting (portal × item_key): its latest state, first and last seen.
-- The latest state is the latest row, overlaid field by field by the latest row that
-- fetched the detail page, because incremental nights list known rows without their detail.
-- "Latest" orders rows by seen_at, then by position (earlier page and row first), packed into
-- one integer. The rows are picked by joining that integer back (a narrow aggregate and a
-- join cost far less than carrying every field through the aggregate); the detail row is
-- looked up only where it is not the latest row. (The *_raw texts stay in the state
-- database's raw_listings, next to every landing row, with listing_hash, flags and
-- detail_sha256.) The rows are read where used, not materialized: the aggregate needs a few
-- narrow columns and a wide copy of every landing row costs more than a second scan.
WITH rows AS NOT MATERIALIZED (
    SELECT
        *,
        CAST(epoch_us(seen_at) AS HUGEINT) * 4294967296
            - CAST(least(greatest(page_no, 0), 65535) AS HUGEINT) * 65536
            - least(greatest(row_no, 0), 65535) AS recency
    FROM stg_listings
),
spans AS (
    SELECT
        portal_id,
        item_key,
        max(recency) AS latest_recency,
        max(recency) FILTER (WHERE is_detail_fetched) AS detail_recency,
        min(seen_at) AS first_seen_at,
        max(seen_at) AS last_seen_at,
        min(run_id) AS first_run_id,
        max(run_id) AS last_run_id
    FROM rows
    GROUP BY portal_id, item_key
),
latest AS (
    SELECT r.*, s.detail_recency, s.first_seen_at, s.last_seen_at, s.first_run_id, s.last_run_id
    FROM rows AS r
    JOIN spans AS s
        ON s.portal_id = r.portal_id AND s.item_key = r.item_key AND s.latest_recency = r.recency
),
detail AS (
    SELECT r.*
    FROM rows AS r
    JOIN spans AS s
        ON s.portal_id = r.portal_id AND s.item_key = r.item_key AND s.detail_recency = r.recency
    WHERE s.detail_recency <> s.latest_recency
)
SELECT
    l.portal_id,
    l.item_key,
    l.url,
    l.list_url,
    coalesce(d.title, l.title) AS title,
    coalesce(d.index_no, l.index_no) AS index_no,
    coalesce(d.doc_no, l.doc_no) AS doc_no,
    coalesce(d.publisher_name, l.publisher_name) AS publisher_name,
    coalesce(d.published_date, l.published_date) AS published_date,
    coalesce(d.written_date, l.written_date) AS written_date,
    coalesce(d.topic, l.topic) AS topic,
    coalesce(d."function", l."function") AS "function",
    coalesce(d.audience, l.audience) AS audience,
    coalesce(d.genre, l.genre) AS genre,
    coalesce(d.validity, l.validity) AS validity,
    coalesce(d.disclosure, l.disclosure) AS disclosure,
    l.detail_recency IS NOT NULL AS is_detail_fetched,
    CASE WHEN l.is_detail_fetched THEN l.has_body ELSE d.has_body END AS has_body,
    CASE WHEN l.is_detail_fetched THEN l.n_attachments ELSE d.n_attachments END AS n_attachments,
    l.first_seen_at,
    l.last_seen_at,
    l.first_run_id,
    l.last_run_id
FROM latest AS l
LEFT JOIN detail AS d ON d.portal_id = l.portal_id AND d.item_key = l.item_key
