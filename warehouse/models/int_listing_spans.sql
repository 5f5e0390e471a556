-- materialized: temp
-- grain: one row per sighting (portal × item_key): which landing row is its latest and which its
-- latest with a fetched detail page, when it was first and last seen, in which runs.
-- "Latest" orders rows by seen_at, then by position (earlier page and row first), packed into
-- one integer. Read by int_sighting_states and by the withdrawal eligibility of full runs.
-- Only listing rows say where and when a sighting was listed; a detail row (an owed detail
-- page read on a later night) counts for the latest detail row alone.
WITH rows AS (
    SELECT
        portal_id,
        item_key,
        listing_row,
        is_detail_fetched,
        is_listing_row,
        seen_at,
        run_id,
        CAST(epoch_us(seen_at) AS HUGEINT) * 4294967296
            - CAST(least(greatest(page_no, 0), 65535) AS HUGEINT) * 65536
            - least(greatest(row_no, 0), 65535) AS recency
    FROM stg_listings
)
SELECT
    portal_id,
    item_key,
    arg_max(listing_row, recency) FILTER (WHERE is_listing_row) AS latest_row,
    arg_max(listing_row, recency) FILTER (WHERE is_detail_fetched) AS detail_row,
    min(seen_at) FILTER (WHERE is_listing_row) AS first_seen_at,
    max(seen_at) FILTER (WHERE is_listing_row) AS last_seen_at,
    min(run_id) FILTER (WHERE is_listing_row) AS first_run_id,
    max(run_id) FILTER (WHERE is_listing_row) AS last_run_id
FROM rows
GROUP BY portal_id, item_key
HAVING bool_or(is_listing_row)
