"""Seeds and the vocabulary: printed variants of a classification land in its canonical
category, an unknown value is reported and counts under its own normalized label (categories
are open), an analyst's extra seed row changes the next build, and a malformed seed fails the
build naming its file and line. Real DuckDB builds from landing rows (helpers/warehouse.py)."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pyarrow as pa
import pytest
from helpers.warehouse import PORTALS, UNITS, land, listing, load_and_build, night, query

from reports.reconcile import load_reported, reconcile_figures
from warehouse import build as build_module
from warehouse.build import BuildError, build, models_in_order, totals
from warehouse.dag import ModelError, build_order, discover
from warehouse.seed_loader import SEEDS_DIR, SeedError, declarations, load_seeds, read_seed

D1 = date(2013, 1, 5)
UNKNOWN_TOPIC = "地方特色分类"


def doc(portal: str, n: int, **fields) -> dict:
    """A document of its own (own index_no, title and day in 2012) on `portal`."""
    return listing(
        portal,
        f"d{n}",
        night(D1)[1],
        index_no=f"LY-{n}",
        title=f"文件{n}",
        published_date=date(2012, 1, 1 + 2 * n),
        **fields,
    )


def world(tmp_path):
    """Eleven new 2012 documents of the city bureau, their topics printed as real portals do,
    and two more it does not count (依申请公开 and a disclosure nobody knows)."""
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            doc(
                "ly-aic-xxgk",
                1,
                topic="\u3000组织机构\u3000",
                genre="通知\u3000",
                disclosure="主动\u3000公开",
                function="消费 维权",
            ),
            doc("ly-aic-xxgk", 2, topic="组织\u00a0机构", genre="令"),
            doc("ly-aic-xxgk", 3, topic="组织机构&nbsp;", genre="其它", doc_no="龙工商〔2012〕3号"),
            doc("ly-aic-xxgk", 4, topic="工商动态及其它", genre="内部文种"),
            doc("ly-aic-xxgk", 5, topic="综合政务\\其它"),
            doc("ly-aic-xxgk", 6, topic="综合政务 > 政务公开"),
            doc("ly-aic-xxgk", 7, topic="科技、教育／教育"),
            doc("ly-aic-xxgk", 8, topic=UNKNOWN_TOPIC),
            doc("ly-aic-xxgk", 9, topic=UNKNOWN_TOPIC),
            doc("ly-aic-xxgk", 10),
            doc("ly-aic-xxgk", 11, disclosure="依申请公开 "),
            doc("ly-aic-xxgk", 12, disclosure="内部公开"),
        ],
    )
    # the province portal lists one more of the bureau's documents, under the unknown topic
    land(tmp_path, D1, "fj-gov", [doc("fj-gov", 13, topic=UNKNOWN_TOPIC, publisher_name="龙岩市工商局")])
    published, result = load_and_build(tmp_path)
    assert result.n_unknown_values == 3  # the topic, the genre and the disclosure nobody knows
    return published


def city_topics(published) -> dict[str, int]:
    return totals(published, "ly-aic", 2012)["categories"]["city"]["topic"]


def test_printed_variants_land_in_their_category_and_unknown_values_are_reported(tmp_path):
    published = world(tmp_path)
    # 1-3 组织机构 (full-width spaces, U+00A0, &nbsp;), 4 其它 -> 其他, 5-6 multi-level under
    # 综合政务, 7 a full-width / path under 科技、教育, 8, 9 and 13 unknown (a category of its
    # own), 10 without a topic
    assert city_topics(published) == {
        "组织机构": 3,
        UNKNOWN_TOPIC: 3,
        "综合政务": 2,
        "工商动态及其他": 1,
        "科技、教育": 1,
        "未分类": 1,
    }
    levels = totals(published, "ly-aic", 2012)["levels"]["city"]
    # 11 and 12 are not 主动公开; official: 1 (通知 padded) and 2 (令 is 命令), not 3 (其它 is
    # 其他, its 文号 notwithstanding) nor 4 (a genre nobody knows)
    assert (levels["new"], levels["official_new"]) == (11, 2)
    assert sorted(query(published, "SELECT field, value, portal_id, n_sightings FROM rpt_unknown_vocabulary")) == [
        ("disclosure", "内部公开", "ly-aic-xxgk", 1),
        ("genre", "内部文种", "ly-aic-xxgk", 1),
        ("topic", UNKNOWN_TOPIC, "fj-gov", 1),
        ("topic", UNKNOWN_TOPIC, "ly-aic-xxgk", 2),
    ]
    codes = dict(
        query(published, "SELECT DISTINCT category, category_code FROM fct_category_counts WHERE scheme = 'topic'")
    )
    assert codes["综合政务"] == "gov-02" and codes[UNKNOWN_TOPIC] is None and codes["未分类"] is None
    functions = "SELECT level, category FROM fct_category_counts WHERE system_id = 'ly-aic' AND scheme = 'function'"
    assert sorted(query(published, functions + " AND n = 1")) == [("all", "消费维权"), ("city", "消费维权")]
    uncounted = query(
        published,
        "SELECT d.title, d.disclosure, u.reason FROM rpt_uncounted_documents AS u "
        "JOIN fct_documents AS d USING (doc_id) ORDER BY d.title",
    )
    assert uncounted == [("文件11", "依申请公开", "not 主动公开"), ("文件12", "内部公开", "not 主动公开")]
    # a report naming the canonical category finds the documents behind it whatever they print
    reported = tmp_path / "reported.toml"
    reported.write_text(
        'system = "ly-aic"\nyear = 2012\n[[groups]]\nlevel = "city"\nscheme = "topic"\n'
        'categories = { "组织机构" = 2, "综合政务" = 2 }\n',
        encoding="utf-8",
    )
    findings = {f.name: f for f in reconcile_figures(published, load_reported(reported)).findings}
    assert findings["city topic 综合政务"].ok and not findings["city topic 组织机构"].ok
    assert sorted(title for _, title in findings["city topic 组织机构"].documents) == ["文件1", "文件2", "文件3"]


def test_an_analysts_seed_row_changes_the_next_build_and_a_broken_seed_fails_it(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    monkeypatch.setattr(build_module, "SEEDS_DIR", seeds)
    data = tmp_path / "data"
    data.mkdir()
    published = world(data)
    assert city_topics(published)[UNKNOWN_TOPIC] == 3
    vocabulary = seeds / "vocabulary.csv"
    with vocabulary.open("a", encoding="utf-8") as out:
        out.write(f"topic,{UNKNOWN_TOPIC},local-01,地方特色\n")
    build(data / "state.duckdb", published, UNITS, PORTALS)
    assert city_topics(published)["地方特色"] == 3 and UNKNOWN_TOPIC not in city_topics(published)
    assert query(published, "SELECT count(*) FROM rpt_unknown_vocabulary WHERE field = 'topic'") == [(0,)]
    # a second row for the same key: the build fails naming file and line, yesterday's file stays
    n_lines = len(vocabulary.read_text(encoding="utf-8").splitlines())
    with vocabulary.open("a", encoding="utf-8") as out:
        out.write(f"topic,{UNKNOWN_TOPIC},local-02,另一个\n")
    with pytest.raises(BuildError, match=rf"vocabulary.csv:{n_lines + 1}: duplicate key .* first on line {n_lines}"):
        build(data / "state.duckdb", published, UNITS, PORTALS)
    assert city_topics(published)["地方特色"] == 3


DECLARED = '[kinds]\ncolumns = { name = "VARCHAR", weight = "BIGINT", is_on = "BOOLEAN" }\nkey = ["name"]\n'


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("name,weight\na,1,\n", r"kinds.csv:1: columns \['name', 'weight'\] .* missing \['is_on'\]"),
        ("name,weight,is_on,colour\na,1,true,red\n", r"kinds.csv:1: .* unknown \['colour'\]"),
        ("name,weight,is_on\na,1,true\nb,2\n", r"kinds.csv:3: 2 values for the 3 columns"),
        (
            "name,weight,is_on\na,1,true\n\nb,2,false\na,3,true\n",
            r"kinds.csv:5: duplicate key \(name='a'\), first on line 2",
        ),
        ("name,weight,is_on\na,heavy,true\n", r"kinds.csv:2: column 'weight' must be BIGINT \(got 'heavy'\)"),
        ("name,weight,is_on\na,1,maybe\n", r"kinds.csv:2: column 'is_on' must be BOOLEAN"),
        ("name,weight,is_on\n,1,true\n", r"kinds.csv:2: key column 'name' is empty"),
        ('name,weight,is_on\n"a,1,true\n', r"kinds.csv:\d+: .*"),
    ],
)
def test_a_malformed_seed_is_refused_naming_file_and_line(tmp_path, csv_text, message):
    (tmp_path / "seeds.toml").write_text(DECLARED, encoding="utf-8")
    (tmp_path / "kinds.csv").write_text(csv_text, encoding="utf-8")
    with pytest.raises(SeedError, match=message):
        read_seed(tmp_path / "kinds.csv", declarations(tmp_path)["kinds"])


def test_every_csv_loads_typed_when_declared_and_as_text_when_not(tmp_path):
    (tmp_path / "seeds.toml").write_text(DECLARED, encoding="utf-8")
    (tmp_path / "kinds.csv").write_text("\ufeffis_on,name,weight\nTRUE,a,7\nfalse,b,\n", encoding="utf-8")
    (tmp_path / "traditional_chars.csv").write_text("traditional,simplified\n龍,龙\n巖,岩\n", encoding="utf-8")
    con = duckdb.connect()
    assert load_seeds(con, tmp_path) == ["seed_kinds", "seed_traditional_chars"]
    assert con.execute("SELECT * FROM seed_kinds ORDER BY name").fetchall() == [(True, "a", 7), (False, "b", None)]
    assert con.execute("SELECT typeof(weight), typeof(is_on) FROM seed_kinds LIMIT 1").fetchone() == (
        "BIGINT",
        "BOOLEAN",
    )
    assert con.execute("SELECT * FROM seed_traditional_chars").fetchall() == [("龍", "龙"), ("巖", "岩")]
    (tmp_path / "seeds.toml").write_text('[ghost]\ncolumns = { a = "VARCHAR" }\n', encoding="utf-8")
    with pytest.raises(SeedError, match=r"seeds.toml: \[ghost\]: declares ghost.csv, which is not in"):
        load_seeds(con, tmp_path)
    (tmp_path / "seeds.toml").write_text('[kinds]\ncolumns = { name = "VARCHAR" }\nkeys = ["name"]\n', encoding="utf-8")
    with pytest.raises(SeedError, match=r"\[kinds\]: a seed declares only columns and key"):
        load_seeds(con, tmp_path)  # a misspelt key is never ignored
    (tmp_path / "seeds.toml").write_text('[kinds]\ncolumns = { name = "TEXTY" }\n', encoding="utf-8")
    with pytest.raises(SeedError, match=r"\[kinds\]: columns must map names to VARCHAR"):
        load_seeds(con, tmp_path)


def test_the_dag_knows_the_seeds_as_sources(tmp_path):
    order = {model.name: model for model in models_in_order()}
    assert "seed_vocabulary" in order["dim_vocabulary"].inputs
    assert "seed_official_genres" in order["fct_documents"].inputs
    assert "seed_vocabulary_spellings" in order["int_vocabulary_keys"].inputs
    (tmp_path / "m.sql").write_text(
        "-- grain: one row\n-- materialized: view\nSELECT * FROM seed_colours", encoding="utf-8"
    )
    assert [m.name for m in build_order(discover(tmp_path), seeds=["seed_colours"])] == ["m"]
    with pytest.raises(ModelError, match="model m reads seed_colours, which is neither a model nor a source"):
        build_order(discover(tmp_path), seeds=["seed_vocabulary"])


def test_the_shipped_seeds_load_as_declared():
    specs = declarations()
    assert set(specs) >= {"vocabulary", "vocabulary_spellings", "official_genres"}
    table = read_seed(SEEDS_DIR / "vocabulary.csv", specs["vocabulary"])
    assert table.schema == pa.schema([(name, pa.string()) for name in ("field", "value", "code", "label")])
    assert set(table.column("field").to_pylist()) == {"topic", "function", "audience", "genre", "disclosure"}


def test_categories_are_open_and_only_a_missing_value_is_unclassified(tmp_path):
    # a county portal's own tree (工商动态, 个体私营, 服务个体工商户), padded as printed: each
    # counts under its own normalized label, listed for review; a value that reads as nothing
    # is no value (未分类), and nothing counts as 未识别
    land(
        tmp_path,
        D1,
        "ly-aic-xxgk",
        [
            doc("ly-aic-xxgk", 1, topic="工商动态", audience="服务个体工商户"),
            doc("ly-aic-xxgk", 2, topic="\u3000工商动态 ", audience="服务个体工商户\u00a0"),
            doc("ly-aic-xxgk", 3, topic="个体私营"),
            doc("ly-aic-xxgk", 4, topic="&nbsp;"),
            doc("ly-aic-xxgk", 5),
            doc("ly-aic-xxgk", 6, topic="组织机构"),
        ],
    )
    published, _ = load_and_build(tmp_path)
    categories = totals(published, "ly-aic", 2012)["categories"]["city"]
    assert categories["topic"] == {"工商动态": 2, "未分类": 2, "个体私营": 1, "组织机构": 1}
    assert categories["audience"] == {"未分类": 4, "服务个体工商户": 2}
    unknown = query(
        published, "SELECT DISTINCT field, value_key FROM rpt_unknown_vocabulary WHERE value_key IS NOT NULL"
    )
    assert sorted(unknown) == [("audience", "服务个体工商户"), ("topic", "个体私营"), ("topic", "工商动态")]
    codes = query(published, "SELECT DISTINCT category_code FROM fct_category_counts WHERE category = '工商动态'")
    assert codes == [(None,)]


def test_a_value_printed_as_a_canonical_label_maps_to_its_code(tmp_path, monkeypatch):
    # an analyst maps the portal's 地方特色分类 to a category labelled 地方特色; another portal
    # prints the label itself: one category, one code, not a second 地方特色 of its own
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    with (seeds / "vocabulary.csv").open("a", encoding="utf-8") as out:
        out.write(f"topic,{UNKNOWN_TOPIC},local-01,地方特色\n")
    monkeypatch.setattr(build_module, "SEEDS_DIR", seeds)
    data = tmp_path / "data"
    land(data, D1, "ly-aic-xxgk", [doc("ly-aic-xxgk", 1, topic=UNKNOWN_TOPIC), doc("ly-aic-xxgk", 2, topic="地方特色")])
    published, _ = load_and_build(data)
    rows = query(
        published,
        "SELECT category, category_code, n FROM fct_category_counts WHERE system_id = 'ly-aic' AND level = 'city' AND scheme = 'topic'",
    )
    assert rows == [("地方特色", "local-01", 2)]
