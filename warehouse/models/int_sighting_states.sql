-- materialized: view
-- grain: one row per sighting (portal × item_key): its latest state, first and last seen.
-- The latest state is the latest listing row overlaid field by field by the latest row that
-- fetched the detail page, because incremental nights list known rows without their detail
-- (the load keeps both rows, one per sighting each: stg_sightings, stg_sighting_details).
-- Which of the two wins a field (docs/matching.md, Sighting state):
-- - the detail row, when the listing has not changed since it was read: the detail page is
--   the fuller reading (within one run the connector lets it overwrite the listing), and a
--   later listing-only row that shows the same listing says nothing new;
-- - the listing row, for every field it carries, when it is later than the detail row and
--   its listing_hash differs from the one read with the detail page: the portal changed the
--   row after the detail was read, so its values are the newer. Except a title the listing
--   shortened (ending in ...): it never replaces the detail page's full title.
-- An owed detail page read on a later night has no listing hash: nothing shows that the
-- listing changed, so the detail row wins. (The *_raw texts, flags and detail_sha256 stay
-- in the state database beside them.)
WITH paired AS (
    SELECT
        l.*,
        d.item_key IS NOT NULL AS has_detail_row,
        coalesce(
            l.seen_at > d.seen_at AND l.listing_hash <> d.listing_hash, false
        ) AS is_listing_newer,
        d.has_body AS detail_has_body,
        d.n_attachments AS detail_n_attachments,
        {{ fields: d.{field} AS detail_{name} }}
    FROM stg_sightings AS l
    LEFT JOIN stg_sighting_details AS d ON d.portal_id = l.portal_id AND d.item_key = l.item_key
),
listing_wins AS (
    SELECT
        *,
        {{ fields: is_listing_newer AS listing_wins_{name} }}
    FROM paired
),
overlaid AS (
    -- a listing title ending in an ellipsis is shortened (NFKC makes … three dots)
    SELECT * REPLACE (listing_wins_title AND NOT coalesce(title LIKE '%...', false) AS listing_wins_title)
    FROM listing_wins
)
SELECT
    portal_id,
    item_key,
    url,
    list_url,
    {{ fields: CASE WHEN listing_wins_{name} THEN coalesce({field}, detail_{name})
        ELSE coalesce(detail_{name}, {field}) END AS {field} }},
    is_detail_fetched OR has_detail_row AS is_detail_fetched,
    CASE WHEN has_detail_row THEN detail_has_body ELSE has_body END AS has_body,
    CASE WHEN has_detail_row THEN detail_n_attachments ELSE n_attachments END AS n_attachments,
    first_seen_at,
    last_seen_at,
    first_run_id,
    last_run_id
FROM overlaid
