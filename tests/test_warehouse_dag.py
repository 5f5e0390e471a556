"""The build's order comes from the models themselves: a model runs after what it reads,
however its file is named; a cycle, an unknown input or a bad header is refused by name.
The catalog fields and the packed rank are declared once and checked."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from helpers.warehouse import land, listing, load_and_build, night, query

from connectors.records import FIELDS as CONNECTOR_FIELDS
from warehouse import build as build_module
from warehouse import rank
from warehouse.build import BuildError, models_in_order
from warehouse.dag import ModelError, build_order, discover, sql_references
from warehouse.fields import FIELDS, TemplateError, expand

MODELS = Path(build_module.__file__).parent / "models"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_model_runs_after_its_inputs_whatever_its_name(tmp_path):
    # names sort against the order they must run in: a_last reads m_middle reads z_first
    write(tmp_path, "z_first.sql", "-- grain: one row per unit\n-- materialized: temp\nSELECT id FROM cfg_units\n")
    write(
        tmp_path,
        "m_middle.sql",
        "-- grain: one row per unit\n-- materialized: view\n"
        "WITH a_last AS (SELECT 1) SELECT z.id FROM z_first AS z\n"
        "JOIN a_last ON true\n",
    )
    write(tmp_path, "a_last.sql", "-- materialized: table\n-- grain: one row per unit\nSELECT * FROM m_middle")
    write(
        tmp_path,
        "b_python.py",
        "GRAIN = 'one row per unit'\nMATERIALIZED = 'temp'\n"
        "INPUTS = ('a_last',)\n\ndef build(con):\n"
        "    return con.sql('SELECT * FROM a_last').to_arrow_table()\n",
    )
    order = build_order(discover(tmp_path))
    assert [model.name for model in order] == ["z_first", "m_middle", "a_last", "b_python"]
    # m_middle's own CTE a_last is no input, though a model of that name exists
    assert order[1].inputs == ("z_first",) and order[1].materialized == "view"


def test_a_model_edited_between_two_builds_is_read_afresh(tmp_path):
    # the inputs are remembered by the SQL's text (a process builds many times): an edit,
    # or a file of another folder with the same name, is parsed again
    header = "-- grain: one row\n-- materialized: temp\n"
    write(tmp_path, "one.sql", header + "SELECT * FROM cfg_units")
    assert discover(tmp_path)["one"].inputs == ("cfg_units",)
    write(tmp_path, "one.sql", header + "SELECT * FROM cfg_portals JOIN state.raw_runs ON true")
    assert discover(tmp_path)["one"].inputs == ("cfg_portals", "state.raw_runs")
    other = tmp_path / "other"
    other.mkdir()
    write(other, "one.sql", header + "SELECT * FROM cfg_units")
    assert discover(other)["one"].inputs == ("cfg_units",)
    write(tmp_path, "one.sql", header + "SELECT * FROM")
    with pytest.raises(ModelError, match="model one: cannot be read as one SELECT statement"):
        discover(tmp_path)


def test_a_cycle_and_an_unknown_input_are_refused_by_name(tmp_path):
    header = "-- grain: one row\n-- materialized: temp\n"
    write(tmp_path, "one.sql", header + "SELECT * FROM two")
    write(tmp_path, "two.sql", header + "SELECT * FROM one")
    with pytest.raises(ModelError, match=r"cycle: (one -> two -> one|two -> one -> two)"):
        build_order(discover(tmp_path))
    write(tmp_path, "two.sql", header + "SELECT * FROM state.raw_runs JOIN ghost ON true")
    with pytest.raises(ModelError, match="model two reads ghost, which is neither a model nor a source"):
        build_order(discover(tmp_path))
    write(tmp_path, "two.sql", "-- grain: one row\n-- materialized: memory\nSELECT 1")
    with pytest.raises(ModelError, match="materialized 'memory' is not one of table, temp, view"):
        discover(tmp_path)
    write(tmp_path, "two.sql", "-- materialized: temp\nSELECT 1")
    with pytest.raises(ModelError, match=r"two.sql: the header lacks '-- grain: \.\.\.'"):
        discover(tmp_path)


def test_a_bad_models_folder_fails_the_build_before_anything_is_written(tmp_path, monkeypatch):
    write(tmp_path, "one.sql", "-- grain: one row\n-- materialized: table\nSELECT * FROM one_more")
    monkeypatch.setattr(build_module, "MODELS_DIR", tmp_path)
    (tmp_path / "data").mkdir()
    with pytest.raises(BuildError, match="model one reads one_more"):
        load_and_build(tmp_path / "data")
    assert not (tmp_path / "data" / "xxgk.duckdb").exists()


def test_the_real_models_have_the_inputs_their_sql_names():
    order = {model.name: model for model in models_in_order()}
    assert order["int_components"].inputs == ("int_match_groups",)
    # a Python model builds with its own file's build(con); an SQL model has none
    assert Path(order["int_components"].build.__code__.co_filename).name == "int_components.py"
    assert order["int_documents"].build is None
    assert order["int_documents"].inputs == ("int_doc_ids", "int_document_keys", "int_sightings", "int_unit_ancestry")
    assert order["int_doc_id_claims"].inputs == ("int_document_keys", "prev_doc_ids", "prev_sighting_doc_ids")
    assert order["stg_sightings"].inputs == ("state.raw_sightings",)
    names = list(order)
    for model in order.values():
        assert all(names.index(i) < names.index(model.name) for i in model.inputs if i in order)
    assert {m.materialized for m in order.values() if m.name.startswith(("dim_", "fct_", "rpt_"))} == {"table"}


def test_references_skip_ctes_comments_strings_and_table_functions():
    sql = """-- FROM commented_out
    WITH RECURSIVE walk(a) AS (SELECT 1 FROM base UNION ALL SELECT a + 1 FROM walk WHERE a < 3),
    kept AS MATERIALIZED (SELECT 2)
    SELECT 'FROM quoted' FROM walk JOIN other ON true, range(3) LEFT JOIN kept ON true
    CROSS JOIN (SELECT * FROM inner_one) AS x, read_parquet('a.parquet')"""
    assert sql_references(sql) == {"base", "other", "inner_one"}


@pytest.mark.parametrize(
    ("sql", "inputs"),
    [
        # a comma join: every table of the FROM list, schema-qualified ones as written
        ("SELECT * FROM a, b AS bb, state.raw_runs WHERE a.k = bb.k", {"a", "b", "state.raw_runs"}),
        # a CTE named like a table reads the table; after it, the name is the CTE
        ("WITH units AS (SELECT * FROM units WHERE x) SELECT * FROM units, other", {"units", "other"}),
        # a CTE is in scope for the CTEs after it, not before
        ("WITH a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM b", {"b"}),
        # subqueries in FROM, in the select list, under EXISTS and IN, and their own WITH
        (
            "SELECT (SELECT max(x) FROM s1) FROM (WITH w AS (SELECT * FROM s2) SELECT * FROM w) AS q "
            "WHERE EXISTS (SELECT 1 FROM s3) AND y IN (SELECT y FROM s4)",
            {"s1", "s2", "s3", "s4"},
        ),
        # set operations, the WITH clause shared by every branch
        ("WITH c AS (SELECT 1) SELECT * FROM a UNION ALL SELECT * FROM c EXCEPT SELECT * FROM b", {"a", "b"}),
        # a lateral subquery and table functions: the tables read inside them, not the functions
        (
            "SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.k = a.k) AS l, unnest(a.xs) AS u, "
            "range((SELECT max(n) FROM c))",
            {"a", "b", "c"},
        ),
    ],
)
def test_references_are_what_duckdb_parses(sql, inputs):
    assert sql_references(sql) == inputs


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("CREATE TABLE t AS SELECT * FROM a", "cannot be read as one SELECT statement: Only SELECT"),
        ("PIVOT a ON k USING sum(v)", "cannot be read as one SELECT statement"),
        ("SELECT * FROM a; SELECT * FROM b", "holds 2 statements, not one SELECT"),
        ("SELEC * FROM a", "cannot be read as one SELECT statement: syntax error"),
    ],
)
def test_a_model_the_parser_cannot_read_is_refused_by_name(tmp_path, sql, reason):
    # a model is one SELECT (the build writes the CREATE); anything else would run unordered
    write(tmp_path, "one.sql", f"-- grain: one row\n-- materialized: temp\n{sql}\n")
    with pytest.raises(ModelError, match=f"model one: {re.escape(reason)}"):
        discover(tmp_path)


def test_placeholders_are_expanded_before_the_inputs_are_read(tmp_path):
    header = "-- grain: one row\n-- materialized: temp\n-- inputs: cfg_settings\n"
    write(tmp_path, "one.sql", header + "SELECT {{ fields: s.{field} }} FROM state.raw_sightings AS s, cfg_units")
    assert discover(tmp_path)["one"].inputs == ("cfg_settings", "cfg_units", "state.raw_sightings")
    write(tmp_path, "one.sql", header + "SELECT {{ feilds }} FROM cfg_units")
    with pytest.raises(ModelError, match=r"model one: unknown placeholder"):
        discover(tmp_path)


# The reader before DuckDB parsed the models: the names after FROM and JOIN, minus CTE names.
_OLD_COMMENT = re.compile(r"--[^\n]*")
_OLD_STRING = re.compile(r"'(?:[^']|'')*'")
_OLD_REFERENCE = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)\b(?!\s*\()", re.IGNORECASE)
_OLD_CTE = re.compile(r"\b([A-Za-z_]\w*)\s*(?:\([^()]*\))?\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", re.IGNORECASE)


def old_references(sql: str) -> set[str]:
    text = _OLD_STRING.sub("''", _OLD_COMMENT.sub("", sql))
    ctes = {name.lower() for name in _OLD_CTE.findall(text)}
    return {name for name in _OLD_REFERENCE.findall(text) if name.lower() not in ctes}


#: Inputs of shipped models the old reader missed, by hand: none. No model names a table
#: after a comma (int_application_years' comma is before a table function, range()).
MISSED_BY_THE_OLD_READER: dict[str, set[str]] = {}


def test_the_shipped_models_read_what_the_old_reader_found_plus_what_it_missed():
    models = discover(MODELS)
    sql_models = {name: model for name, model in models.items() if model.sql is not None}
    assert len(sql_models) > 30
    diff = {}
    for name, model in sorted(sql_models.items()):
        old = old_references(model.sql)
        new = set(model.inputs)
        if old != new:
            diff[name] = {"old only": sorted(old - new), "new only": sorted(new - old)}
    print("inputs that differ from the old reader's:", diff or "none")
    assert all(not change["old only"] for change in diff.values()), diff
    assert {name: set(change["new only"]) for name, change in diff.items()} == MISSED_BY_THE_OLD_READER


def test_the_warehouse_fields_are_the_connectors_fields():
    assert FIELDS == CONNECTOR_FIELDS


def test_no_sql_file_spells_the_whole_field_list():
    # the list is spelt once, in warehouse/fields.py; the models expand {{ fields ... }}
    sql_files = sorted((MODELS.parent).rglob("*.sql"))
    # the models that once spelt it are among the files looked at
    assert {"stg_sightings.sql", "int_documents.sql", "fct_documents.sql"} <= {p.name for p in sql_files}
    spelling = [
        path.name
        for path in sql_files
        if all(re.search(rf"\b{name}\b", path.read_text(encoding="utf-8")) for name in FIELDS)
    ]
    assert spelling == []


def test_field_placeholders_expand_in_field_order():
    assert expand("{{ fields: s.{field} }}").split(",\n    ")[6:8] == ["s.topic", 's."function"']
    mask = expand("{{ fields +: CAST(x.{field} IS NOT NULL AS INTEGER) * {bit} }}")
    assert mask.split("\n    + ")[-1] == "CAST(x.disclosure IS NOT NULL AS INTEGER) * 2048"
    assert expand("{{ n_fields }} {{ field_names }}").startswith("12 ['title', 'index_no', ")
    with pytest.raises(TemplateError, match=r"model x: unknown placeholder '\{\{ feilds \}\}'"):
        expand("SELECT {{ feilds }}", "model x")


def test_the_published_documents_have_the_declared_fields_in_order(tmp_path):
    land(
        tmp_path,
        date(2013, 1, 5),
        "ly-aic-xxgk",
        [listing("ly-aic-xxgk", "a", night(date(2013, 1, 5))[1], index_no="A-1")],
    )
    published, _ = load_and_build(tmp_path)
    columns = [
        row[0]
        for row in query(
            published,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'fct_documents' ORDER BY ordinal_position",
        )
    ]
    assert columns[4:16] == list(FIELDS)


def test_the_packed_rank_refuses_what_it_cannot_hold():
    rank.check_rank_limits(65535)
    with pytest.raises(
        rank.RankLimitError, match="65536 portals: more than 65535 portals cannot be ranked in the packed rank"
    ):
        rank.check_rank_limits(65536)
    with pytest.raises(rank.RankLimitError, match="13 fields: more than 12 fields cannot be ranked in the packed rank"):
        rank.check_rank_limits(5, n_fields=13)


def test_a_build_over_the_rank_limit_is_refused_before_any_model(tmp_path, monkeypatch):
    seen = night(date(2013, 1, 5))[1]
    land(tmp_path, date(2013, 1, 5), "ly-aic-xxgk", [listing("ly-aic-xxgk", "a", seen, index_no="A-1")])
    land(tmp_path, date(2013, 1, 5), "xl-aic-xxgk", [listing("xl-aic-xxgk", "b", seen, index_no="A-2")])
    monkeypatch.setattr(rank, "MAX_PORTALS", 1)
    with pytest.raises(BuildError, match="2 portals: more than 1 portals cannot be ranked"):
        load_and_build(tmp_path)
    assert not (tmp_path / "xxgk.duckdb").exists()
