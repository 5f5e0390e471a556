-- One row per sighting (portal × item_key): its latest state, first and last seen.
-- The latest state is the latest row, overlaid field by field by the latest row that
-- fetched the detail page, because incremental nights list known rows without their detail.
-- "Latest" orders rows by seen_at, then by position (earlier page and row first), packed into
-- one integer so the two picks are plain arg_max. (The *_raw texts stay in the state
-- database's raw_listings, next to every landing row, with listing_hash, flags and
-- detail_sha256.)
WITH rows AS (
    SELECT
        *,
        CAST(epoch_us(seen_at) AS HUGEINT) * 4294967296
            - CAST(least(greatest(page_no, 0), 65535) AS HUGEINT) * 65536
            - least(greatest(row_no, 0), 65535) AS recency
    FROM stg_listings
),
grouped AS (
    SELECT
        portal_id,
        item_key,
        arg_max(
            struct_pack(
                url := url, list_url := list_url,
                title := title,
                index_no := index_no,
                doc_no := doc_no,
                publisher_name := publisher_name,
                published_date := published_date,
                written_date := written_date,
                topic := topic,
                "function" := "function",
                audience := audience,
                genre := genre,
                validity := validity,
                disclosure := disclosure
            ),
            recency
        ) AS latest,
        arg_max(
            struct_pack(
                has_body := has_body, n_attachments := n_attachments,
                title := title,
                index_no := index_no,
                doc_no := doc_no,
                publisher_name := publisher_name,
                published_date := published_date,
                written_date := written_date,
                topic := topic,
                "function" := "function",
                audience := audience,
                genre := genre,
                validity := validity,
                disclosure := disclosure
            ),
            recency
        ) FILTER (WHERE is_detail_fetched) AS detail,
        min(seen_at) AS first_seen_at,
        max(seen_at) AS last_seen_at,
        min(run_id) AS first_run_id,
        max(run_id) AS last_run_id
    FROM rows
    GROUP BY portal_id, item_key
)
SELECT
    portal_id,
    item_key,
    latest.url AS url,
    latest.list_url AS list_url,
    coalesce(detail.title, latest.title) AS title,
    coalesce(detail.index_no, latest.index_no) AS index_no,
    coalesce(detail.doc_no, latest.doc_no) AS doc_no,
    coalesce(detail.publisher_name, latest.publisher_name) AS publisher_name,
    coalesce(detail.published_date, latest.published_date) AS published_date,
    coalesce(detail.written_date, latest.written_date) AS written_date,
    coalesce(detail.topic, latest.topic) AS topic,
    coalesce(detail."function", latest."function") AS "function",
    coalesce(detail.audience, latest.audience) AS audience,
    coalesce(detail.genre, latest.genre) AS genre,
    coalesce(detail.validity, latest.validity) AS validity,
    coalesce(detail.disclosure, latest.disclosure) AS disclosure,
    detail IS NOT NULL AS is_detail_fetched,
    detail.has_body AS has_body,
    detail.n_attachments AS n_attachments,
    first_seen_at,
    last_seen_at,
    first_run_id,
    last_run_id
FROM grouped
