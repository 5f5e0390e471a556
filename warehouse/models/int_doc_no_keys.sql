-- materialized: temp
-- grain: one row per distinct doc_no a landing row holds: whether it says there is none, and the
-- key the doc_no rules compare (docs/matching.md, 文号).
-- is_placeholder: the value, read with NFKC, lower case, traditional characters made
-- simplified and every white space, punctuation and symbol removed, is a value of
-- seed_doc_no_placeholders (无文号, 见附件, 0 …) or nothing at all: the page prints no 文号.
-- doc_no_key: the 文号 in one canonical spelling when it has the shape of one, an issuer part
-- (some Han character or letter), a year and a serial ending in 号: 龙工商〔2012〕5号,
-- 国办发[2019]60号, 国家税务总局公告2012年第5号. Every bracket pair around the year (NFKC
-- folds ［］（）﹝﹞ into []()〔〕) becomes 〔〕, 年 after the year too; the serial loses an
-- optional 第 and its leading zeros; the issuer is upper case with simplified characters.
-- A 文号 without a year (国令第672号, an issuer without brackets or a trailing digit, then
-- the serial) keys the same way without it. Anything else (见正文, 〔2012〕5号 without
-- issuer, 龙工商〔2012〕号 without serial) has no key: it is kept as printed but identifies
-- nothing. has_year: the key holds its year (a doc_no with it matches across published
-- years; one without only within one).
WITH printed AS (
    SELECT doc_no FROM stg_sightings WHERE doc_no IS NOT NULL
    UNION
    SELECT doc_no FROM stg_sighting_details WHERE doc_no IS NOT NULL
),
placeholders AS (
    SELECT DISTINCT
        regexp_replace(lower(translate(nfkc(p.value), c.traditional, c.simplified)), '[\s\p{Z}\p{P}\p{S}]', '', 'g')
            AS placeholder_key
    FROM seed_doc_no_placeholders AS p
    CROSS JOIN int_simplified_chars AS c
),
cleaned AS (
    SELECT
        p.doc_no,
        regexp_replace(lower(translate(nfkc(p.doc_no), c.traditional, c.simplified)), '[\s\p{Z}\p{P}\p{S}]', '', 'g')
            AS placeholder_key,
        regexp_replace(nfkc(p.doc_no), '[\s\p{Z}\x{200B}-\x{200D}\x{2060}\x{FEFF}]', '', 'g') AS text,
        c.traditional,
        c.simplified
    FROM printed AS p
    CROSS JOIN int_simplified_chars AS c
),
parsed AS (
    SELECT
        doc_no,
        placeholder_key,
        traditional,
        simplified,
        regexp_extract(
            text,
            '^(.*?)(?:[〔\[(【{]([0-9]{4})[〕\])】}]|([0-9]{4})年)第?0*([1-9][0-9]*)号$',
            ['issuer', 'bracketed_year', 'year', 'serial']
        ) AS with_year,
        regexp_extract(text, '^(.*?)第?0*([1-9][0-9]*)号$', ['issuer', 'serial']) AS without_year
    FROM cleaned
),
shaped AS (
    SELECT
        doc_no,
        placeholder_key,
        traditional,
        simplified,
        CASE
            WHEN regexp_matches(with_year.issuer, '[\p{Han}A-Za-z]')
            THEN with_year.issuer
        END AS year_issuer,
        nullif(with_year.bracketed_year || with_year.year, '') AS year,
        with_year.serial AS year_serial,
        CASE
            WHEN regexp_matches(without_year.issuer, '[\p{Han}A-Za-z]')
                AND NOT regexp_matches(without_year.issuer, '[〔〕\[\]()【】{}]|[0-9]$|[0-9]{4}年$')
            THEN without_year.issuer
        END AS plain_issuer,
        without_year.serial AS plain_serial
    FROM parsed
)
SELECT
    s.doc_no,
    s.placeholder_key = '' OR p.placeholder_key IS NOT NULL AS is_placeholder,
    CASE
        WHEN s.placeholder_key = '' OR p.placeholder_key IS NOT NULL THEN NULL
        WHEN s.year_issuer IS NOT NULL
        THEN upper(translate(s.year_issuer, s.traditional, s.simplified)) || '〔' || s.year || '〕' || s.year_serial || '号'
        WHEN s.plain_issuer IS NOT NULL
        THEN upper(translate(s.plain_issuer, s.traditional, s.simplified)) || s.plain_serial || '号'
    END AS doc_no_key,
    s.year_issuer IS NOT NULL AS has_year
FROM shaped AS s
LEFT JOIN placeholders AS p ON p.placeholder_key = s.placeholder_key
