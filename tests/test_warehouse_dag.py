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
    WITH RECURSIVE walk(a) AS (SELECT 1 FROM base), kept AS MATERIALIZED (SELECT 2)
    SELECT 'FROM quoted' FROM walk JOIN other ON true, range(3) LEFT JOIN kept ON true
    CROSS JOIN (SELECT * FROM inner_one) AS x, read_parquet('a.parquet')"""
    assert sql_references(sql) == {"base", "other", "inner_one"}


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
