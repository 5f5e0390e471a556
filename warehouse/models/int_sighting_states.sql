-- One row per sighting (portal × item_key): its latest state, first and last seen.
-- The latest state is the latest row, overlaid field by field by the latest row that
-- fetched the detail page, because incremental nights list known rows without their detail.
-- "Latest" orders rows by seen_at, then by position (earlier page and row first), packed into
-- one integer so each field is a plain arg_max. (The *_raw texts stay in the state
-- database's raw_listings, next to every landing row.)
WITH rows AS (
    SELECT
        *,
        CAST(epoch_us(seen_at) AS HUGEINT) * 4294967296
            - CAST(least(greatest(page_no, 0), 65535) AS HUGEINT) * 65536
            - least(greatest(row_no, 0), 65535) AS recency
    FROM stg_listings
)
SELECT
    portal_id,
    item_key,
    arg_max(url, recency) AS url,
    arg_max(list_url, recency) AS list_url,
    arg_max(listing_hash, recency) AS listing_hash,
    arg_max(flags, recency) AS flags,
    coalesce(arg_max(title, recency) FILTER (WHERE is_detail_fetched), arg_max(title, recency)) AS title,
    coalesce(arg_max(index_no, recency) FILTER (WHERE is_detail_fetched), arg_max(index_no, recency)) AS index_no,
    coalesce(arg_max(doc_no, recency) FILTER (WHERE is_detail_fetched), arg_max(doc_no, recency)) AS doc_no,
    coalesce(arg_max(publisher_name, recency) FILTER (WHERE is_detail_fetched), arg_max(publisher_name, recency)) AS publisher_name,
    coalesce(arg_max(published_date, recency) FILTER (WHERE is_detail_fetched), arg_max(published_date, recency)) AS published_date,
    coalesce(arg_max(written_date, recency) FILTER (WHERE is_detail_fetched), arg_max(written_date, recency)) AS written_date,
    coalesce(arg_max(topic, recency) FILTER (WHERE is_detail_fetched), arg_max(topic, recency)) AS topic,
    coalesce(arg_max("function", recency) FILTER (WHERE is_detail_fetched), arg_max("function", recency)) AS "function",
    coalesce(arg_max(audience, recency) FILTER (WHERE is_detail_fetched), arg_max(audience, recency)) AS audience,
    coalesce(arg_max(genre, recency) FILTER (WHERE is_detail_fetched), arg_max(genre, recency)) AS genre,
    coalesce(arg_max(validity, recency) FILTER (WHERE is_detail_fetched), arg_max(validity, recency)) AS validity,
    coalesce(arg_max(disclosure, recency) FILTER (WHERE is_detail_fetched), arg_max(disclosure, recency)) AS disclosure,
    bool_or(is_detail_fetched) AS is_detail_fetched,
    arg_max(detail_sha256, recency) FILTER (WHERE is_detail_fetched) AS detail_sha256,
    arg_max(has_body, recency) FILTER (WHERE is_detail_fetched) AS has_body,
    arg_max(n_attachments, recency) FILTER (WHERE is_detail_fetched) AS n_attachments,
    min(seen_at) AS first_seen_at,
    max(seen_at) AS last_seen_at,
    min(run_id) AS first_run_id,
    max(run_id) AS last_run_id,
    count(*) AS n_rows
FROM rows
GROUP BY portal_id, item_key
