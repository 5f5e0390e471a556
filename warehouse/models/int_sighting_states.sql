-- One row per sighting (portal × item_key): its latest state, first and last seen.
-- The latest state is the latest row, overlaid field by field by the latest row that
-- fetched the detail page, because incremental nights list known rows without their detail.
WITH rows AS (
    SELECT
        *,
        struct_pack(seen_at := seen_at, run_id := run_id, page := -page_no, row := -row_no) AS recency
    FROM stg_listings
),
grouped AS (
    SELECT
        portal_id,
        item_key,
        arg_max(
            struct_pack(
                url := url, list_url := list_url, listing_hash := listing_hash, flags := flags,
                title := title, title_raw := title_raw,
                index_no := index_no, index_no_raw := index_no_raw,
                doc_no := doc_no, doc_no_raw := doc_no_raw,
                publisher_name := publisher_name, publisher_name_raw := publisher_name_raw,
                published_date := published_date, published_date_raw := published_date_raw,
                written_date := written_date, written_date_raw := written_date_raw,
                topic := topic, topic_raw := topic_raw,
                "function" := "function", function_raw := function_raw,
                audience := audience, audience_raw := audience_raw,
                genre := genre, genre_raw := genre_raw,
                validity := validity, validity_raw := validity_raw,
                disclosure := disclosure, disclosure_raw := disclosure_raw
            ),
            recency
        ) AS latest,
        arg_max(
            struct_pack(
                detail_sha256 := detail_sha256, has_body := has_body, n_attachments := n_attachments,
                title := title, title_raw := title_raw,
                index_no := index_no, index_no_raw := index_no_raw,
                doc_no := doc_no, doc_no_raw := doc_no_raw,
                publisher_name := publisher_name, publisher_name_raw := publisher_name_raw,
                published_date := published_date, published_date_raw := published_date_raw,
                written_date := written_date, written_date_raw := written_date_raw,
                topic := topic, topic_raw := topic_raw,
                "function" := "function", function_raw := function_raw,
                audience := audience, audience_raw := audience_raw,
                genre := genre, genre_raw := genre_raw,
                validity := validity, validity_raw := validity_raw,
                disclosure := disclosure, disclosure_raw := disclosure_raw
            ),
            recency
        ) FILTER (WHERE is_detail_fetched) AS detail,
        min(seen_at) AS first_seen_at,
        max(seen_at) AS last_seen_at,
        min(run_id) AS first_run_id,
        max(run_id) AS last_run_id,
        count(*) AS n_rows
    FROM rows
    GROUP BY portal_id, item_key
)
SELECT
    portal_id,
    item_key,
    latest.url AS url,
    latest.list_url AS list_url,
    latest.listing_hash AS listing_hash,
    latest.flags AS flags,
    coalesce(detail.title, latest.title) AS title,
    CASE WHEN detail.title IS NOT NULL THEN detail.title_raw ELSE latest.title_raw END AS title_raw,
    coalesce(detail.index_no, latest.index_no) AS index_no,
    CASE WHEN detail.index_no IS NOT NULL THEN detail.index_no_raw ELSE latest.index_no_raw END AS index_no_raw,
    coalesce(detail.doc_no, latest.doc_no) AS doc_no,
    CASE WHEN detail.doc_no IS NOT NULL THEN detail.doc_no_raw ELSE latest.doc_no_raw END AS doc_no_raw,
    coalesce(detail.publisher_name, latest.publisher_name) AS publisher_name,
    CASE WHEN detail.publisher_name IS NOT NULL THEN detail.publisher_name_raw ELSE latest.publisher_name_raw END AS publisher_name_raw,
    coalesce(detail.published_date, latest.published_date) AS published_date,
    CASE WHEN detail.published_date IS NOT NULL THEN detail.published_date_raw ELSE latest.published_date_raw END AS published_date_raw,
    coalesce(detail.written_date, latest.written_date) AS written_date,
    CASE WHEN detail.written_date IS NOT NULL THEN detail.written_date_raw ELSE latest.written_date_raw END AS written_date_raw,
    coalesce(detail.topic, latest.topic) AS topic,
    CASE WHEN detail.topic IS NOT NULL THEN detail.topic_raw ELSE latest.topic_raw END AS topic_raw,
    coalesce(detail."function", latest."function") AS "function",
    CASE WHEN detail."function" IS NOT NULL THEN detail.function_raw ELSE latest.function_raw END AS function_raw,
    coalesce(detail.audience, latest.audience) AS audience,
    CASE WHEN detail.audience IS NOT NULL THEN detail.audience_raw ELSE latest.audience_raw END AS audience_raw,
    coalesce(detail.genre, latest.genre) AS genre,
    CASE WHEN detail.genre IS NOT NULL THEN detail.genre_raw ELSE latest.genre_raw END AS genre_raw,
    coalesce(detail.validity, latest.validity) AS validity,
    CASE WHEN detail.validity IS NOT NULL THEN detail.validity_raw ELSE latest.validity_raw END AS validity_raw,
    coalesce(detail.disclosure, latest.disclosure) AS disclosure,
    CASE WHEN detail.disclosure IS NOT NULL THEN detail.disclosure_raw ELSE latest.disclosure_raw END AS disclosure_raw,
    detail IS NOT NULL AS is_detail_fetched,
    detail.detail_sha256 AS detail_sha256,
    detail.has_body AS has_body,
    detail.n_attachments AS n_attachments,
    first_seen_at,
    last_seen_at,
    first_run_id,
    last_run_id,
    n_rows
FROM grouped
