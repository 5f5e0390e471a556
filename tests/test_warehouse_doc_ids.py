"""A document keeps the doc_id it was first given, night after night (docs/matching.md,
"Document ids"): its key may change, documents may merge or split, a build may fail.

Every expected id is worked out from the rule: the id a document had on an earlier night is
read from that night's published file, and a new id is the first 16 hex digits of md5 of
its key (or of its key and '#n' when that id was ever issued before).
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from helpers.warehouse import UNITS, land, listing, load_and_build, night, query

from warehouse import build as build_module
from warehouse.build import BuildError, run_checks
from warehouse.db import connect

NIGHTS = [date(2013, 1, 5) + timedelta(days=n) for n in range(6)]
LY, GOV = "ly-aic-xxgk", "fj-gov"
TITLE = "关于开展年检工作的通知"


def md5_id(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:16]


def ids(published) -> dict[str, str]:
    """item_key -> doc_id of every sighting (the item keys of these tests are unique)."""
    return dict(query(published, "SELECT item_key, doc_id FROM fct_sightings"))


def aliases(published) -> set[tuple]:
    return set(query(published, "SELECT * FROM fct_doc_id_aliases"))


def registry(published) -> list[tuple]:
    return query(published, "SELECT * FROM dim_doc_ids ORDER BY doc_id") + query(
        published, "SELECT * FROM fct_sighting_doc_ids ORDER BY ALL"
    )


def run_id(n: int) -> str:
    return night(NIGHTS[n])[0]


def ly(item: str, n: int, day: int, title: str = TITLE, **fields) -> dict:
    """A row of the city bureau's portal on night n, dated 2012-03-<day>."""
    return listing(LY, item, night(NIGHTS[n])[1], title=title, published_date=date(2012, 3, day), **fields)


def gov(item: str, n: int, day: int, title: str = TITLE, **fields) -> dict:
    """A row of the province portal naming the city bureau, dated 2012-03-<day>."""
    return listing(
        GOV,
        item,
        night(NIGHTS[n])[1],
        title=title,
        publisher_name="龙岩市工商局",
        published_date=date(2012, 3, day),
        **fields,
    )


def on(portal: str, item: str, n: int, day: int, title: str = TITLE, **fields) -> dict:
    """A row of `portal` on night n naming the city bureau, dated 2012-03-<day>. A title run
    never merges two items of one portal, so the documents below spread over portals."""
    return listing(
        portal,
        item,
        night(NIGHTS[n])[1],
        title=title,
        publisher_name="龙岩市工商局",
        published_date=date(2012, 3, day),
        **fields,
    )


#: the other portals, each naming the city bureau as publisher
FJ, XL, CT = "fj-aic-xxgk", "xl-aic-xxgk", "ct-aic-xxgk"
OTHER = "关于年检结果的公告"
DOC_NO = "龙工商〔2012〕5号"


def build_night(tmp_path, n: int, rows: dict[str, list[dict]]):
    """Land each portal's rows as an incremental run of night n (nothing is withdrawn), build."""
    for portal, portal_rows in rows.items():
        land(tmp_path, NIGHTS[n], portal, portal_rows, mode="incremental")
    return load_and_build(tmp_path)[0]


def test_an_index_no_added_by_the_detail_page_keeps_the_id(tmp_path):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 1, detail=False)]})
    first = ids(published)["a"]
    assert first == md5_id(f"s|{LY}|a")  # a first id is derived from the key, as before

    # night 2: the detail page gives the index_no, and the province portal lists it too
    build_night(tmp_path, 1, {LY: [ly("a", 1, 1, index_no="A-1")], GOV: [gov("g", 1, 1, index_no="A-1")]})
    assert query(published, "SELECT doc_id, doc_key FROM fct_documents") == [(first, "i|A-1")]
    assert ids(published) == {"a": first, "g": first}
    assert aliases(published) == set()
    assert query(published, "SELECT * FROM dim_doc_ids") == [(first, run_id(0), f"s|{LY}|a", first, None, None)]


def test_an_earlier_dated_sighting_keeps_the_title_group_id(tmp_path):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 5)], GOV: [gov("g", 0, 6)]})
    ((first, key),) = query(published, "SELECT doc_id, doc_key FROM fct_documents")
    assert key == f"t|ly-aic|{TITLE}|2012-03-05" and first == md5_id(key)

    # night 2: a county portal lists it dated two days earlier: the run's key moves to 3 March
    build_night(
        tmp_path,
        1,
        {
            "xl-aic-xxgk": [
                listing(
                    "xl-aic-xxgk",
                    "x",
                    night(NIGHTS[1])[1],
                    title=TITLE,
                    publisher_name="龙岩市工商局",
                    published_date=date(2012, 3, 3),
                )
            ]
        },
    )
    assert query(published, "SELECT doc_id, doc_key FROM fct_documents") == [(first, f"t|ly-aic|{TITLE}|2012-03-03")]
    assert ids(published) == {"a": first, "g": first, "x": first}


def test_merged_documents_keep_the_oldest_id_and_alias_the_other(tmp_path):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 1)]})
    older = ids(published)["a"]
    # night 2: a document of another title on two portals, one giving its doc_no
    build_night(tmp_path, 1, {GOV: [gov("b", 1, 7, title=OTHER, doc_no=DOC_NO)], FJ: [on(FJ, "g", 1, 8, title=OTHER)]})
    younger = ids(published)["b"]
    assert younger != older and ids(published)["g"] == younger

    # night 3: a listing with a's title and date and b's doc_no ties the two into one
    # document; it keeps the id issued first, though the younger one held more of its sightings
    build_night(tmp_path, 2, {XL: [on(XL, "c", 2, 2, doc_no=DOC_NO)]})
    assert query(published, "SELECT doc_id, n_sightings FROM fct_documents") == [(older, 4)]
    assert set(ids(published).values()) == {older}
    assert aliases(published) == {(younger, older, run_id(2), "merged")}
    assert query(
        published,
        "SELECT doc_id, issued_run_id, current_doc_id, retired_run_id, retired_reason "
        "FROM dim_doc_ids ORDER BY issued_run_id",
    ) == [(older, run_id(0), older, None, None), (younger, run_id(1), older, run_id(2), "merged")]

    # night 4 changes nothing: the alias stays as it was
    build_night(tmp_path, 3, {XL: [on(XL, "c", 3, 2, doc_no=DOC_NO)]})
    assert aliases(published) == {(younger, older, run_id(2), "merged")}


def test_an_alias_chain_is_resolved_to_the_current_id(tmp_path):
    titles = {"c": "关于甲的通知", "b": "关于乙的通知", "a": "关于丙的通知"}
    published = build_night(tmp_path, 0, {LY: [ly("c1", 0, 1, title=titles["c"])]})
    build_night(tmp_path, 1, {GOV: [gov("b1", 1, 10, title=titles["b"], doc_no=DOC_NO)]})
    build_night(tmp_path, 2, {FJ: [on(FJ, "a1", 2, 14, title=titles["a"])]})
    docs = ids(published)
    c, b, a = docs["c1"], docs["b1"], docs["a1"]
    assert len({a, b, c}) == 3

    # a1's title and b1's doc_no: A merges into the older B
    build_night(tmp_path, 3, {XL: [on(XL, "l1", 3, 14, title=titles["a"], doc_no=DOC_NO)]})
    assert aliases(published) == {(a, b, run_id(3), "merged")}
    # c1's title and the same doc_no: B into C
    build_night(tmp_path, 4, {CT: [on(CT, "l2", 4, 2, title=titles["c"], doc_no=DOC_NO)]})
    assert aliases(published) == {(a, c, run_id(3), "merged"), (b, c, run_id(4), "merged")}
    assert query(published, "SELECT doc_id FROM fct_documents") == [(c,)]


def test_a_split_leaves_the_id_with_the_larger_part_and_never_reissues_it(tmp_path):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 1)]})
    old = ids(published)["a"]
    assert old == md5_id(f"s|{LY}|a")
    build_night(tmp_path, 1, {GOV: [gov("b", 1, 2)], FJ: [on(FJ, "c", 1, 3)]})
    assert set(ids(published).values()) == {old}

    # night 3: a's title is corrected; b and c (two of the id's three sightings) keep it, a
    # alone is keyed s|portal|a again, whose md5 is the id already issued: it gets key#1
    build_night(tmp_path, 2, {LY: [ly("a", 2, 1, title="关于年检结果的公告")]})
    fresh = md5_id(f"s|{LY}|a#1")
    assert ids(published) == {"a": fresh, "b": old, "c": old}
    assert aliases(published) == set()
    assert query(published, "SELECT doc_id, issued_run_id, issued_doc_key FROM dim_doc_ids ORDER BY issued_run_id") == [
        (old, run_id(0), f"s|{LY}|a"),
        (fresh, run_id(2), f"s|{LY}|a"),
    ]


def test_a_split_in_two_equal_parts_leaves_the_id_with_the_earliest_seen(tmp_path):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 1)]})
    old = ids(published)["a"]
    build_night(tmp_path, 1, {GOV: [gov("b", 1, 2)]})  # joins a: one document, a's id
    assert ids(published) == {"a": old, "b": old}
    # night 3: a's title changes: one sighting each; a was seen first, so a keeps the id
    # (b has the smaller sighting_id, the last tie-break: not the one deciding here)
    build_night(tmp_path, 2, {LY: [ly("a", 2, 1, title="关于年检结果的公告")]})
    assert ids(published) == {"a": old, "b": md5_id(f"s|{GOV}|b")}
    assert duckdb.sql(f"SELECT hash('{GOV}', 'b') < hash('{LY}', 'a')").fetchall() == [(True,)]


def test_a_failed_build_leaves_the_published_registry_and_the_next_build_uses_it(tmp_path, monkeypatch):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 1, detail=False)]})
    first, before, kept = ids(published)["a"], published.read_bytes(), registry(published)
    land(tmp_path, NIGHTS[1], LY, [ly("a", 1, 1, index_no="A-1")], mode="incremental")
    # a check fails (two units answer to one alias) ...
    units = [
        *UNITS,
        {
            "id": "ly-aic-2",
            "name": "龙岩市工商局二",
            "level": "city",
            "region": "350800",
            "parent": None,
            "aliases": ["龙岩市工商局"],
        },
    ]
    with pytest.raises(BuildError, match="check unit_names_unambiguous failed"):
        load_and_build(tmp_path, units=units)
    assert published.read_bytes() == before
    # ... and a model fails, after the registry was read
    models = tmp_path / "models"
    shutil.copytree(build_module.MODELS_DIR, models)
    (models / "zz_broken.sql").write_text(
        "-- materialized: table\n-- grain: none\nSELECT error('broken') FROM fct_doc_id_aliases\n"
        "UNION ALL SELECT error('broken') FROM fct_documents\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(build_module, "MODELS_DIR", models)
    with pytest.raises(BuildError, match="model zz_broken failed"):
        load_and_build(tmp_path)
    assert published.read_bytes() == before and registry(published) == kept
    assert [path.name for path in published.parent.iterdir() if "building" in path.name] == []

    monkeypatch.undo()
    load_and_build(tmp_path)  # the next good build reads night 1's registry
    assert query(published, "SELECT doc_id, doc_key FROM fct_documents") == [(first, "i|A-1")]


def test_a_lost_published_file_derives_the_ids_from_the_keys_again(tmp_path):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 1, detail=False), ly("z", 0, 20, title="其他")]})
    kept = ids(published)
    build_night(tmp_path, 1, {LY: [ly("a", 1, 1, index_no="A-1")]})
    assert ids(published) == kept
    published.unlink()
    load_and_build(tmp_path)
    # the document whose key changed gets the id of its key tonight; the other its first id
    assert ids(published) == {"a": md5_id("i|A-1"), "z": kept["z"]}
    assert query(published, "SELECT count(*) FROM dim_doc_ids") == [(2,)]


def test_a_document_whose_sightings_left_retires_its_id_for_good(tmp_path):
    published = build_night(tmp_path, 0, {LY: [ly("a", 0, 1)]})
    build_night(tmp_path, 1, {LY: [ly("z", 1, 20, title="其他")]})
    gone = ids(published)["z"]
    # the state is rebuilt from a landing archive that lost night 2
    shutil.rmtree(tmp_path / "landing" / run_id(1))
    (tmp_path / "state.duckdb").unlink()
    load_and_build(tmp_path)
    assert query(
        published, "SELECT current_doc_id, retired_run_id, retired_reason FROM dim_doc_ids WHERE doc_id = ?", [gone]
    ) == [(None, run_id(0), "gone")]
    assert aliases(published) == set()
    # the same item listed again is a new document: the gone id is never issued again
    build_night(tmp_path, 2, {LY: [ly("z", 2, 20, title="其他")]})
    assert ids(published)["z"] == md5_id(f"s|{LY}|z#1")


TAMPERING = {
    "doc_ids_registered": "UPDATE dim_doc_ids SET retired_run_id = 'x', retired_reason = 'gone' "
    "WHERE doc_id = (SELECT min(doc_id) FROM fct_documents)",
    "doc_id_aliases_resolve": "INSERT INTO fct_doc_id_aliases "
    "SELECT doc_id, 'ffffffffffffffff', 'x', 'merged' FROM fct_documents LIMIT 1",
    "sightings_match_the_registry": "UPDATE fct_sighting_doc_ids SET doc_id = 'ffffffffffffffff' WHERE item_key = 'c'",
}


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    """Three nights whose last merges two documents (an alias), built once for the checks'
    tests: each tampers with a copy of its own."""
    folder = tmp_path_factory.mktemp("merged")
    build_night(folder, 0, {LY: [ly("a", 0, 1)]})
    build_night(folder, 1, {GOV: [gov("b", 1, 7, title=OTHER, doc_no=DOC_NO)]})
    published = build_night(folder, 2, {XL: [on(XL, "c", 2, 2, doc_no=DOC_NO)]})  # the two documents merge
    assert len(aliases(published)) == 1
    return published


@pytest.mark.parametrize("check", sorted(TAMPERING))
def test_each_doc_id_check_catches_its_fault(merged, tmp_path, check):
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(merged, copy)
    con = connect(copy)
    try:
        run_checks(con, {})
        con.execute(TAMPERING[check])
        with pytest.raises(BuildError, match=f"check {check} failed"):
            run_checks(con, {})
    finally:
        con.close()
