"""A JSON family refuses a body that would build millions of objects, before building them.

Within the 20 MB body cap, `[[],[],…]` is six million lists: gigabytes as Python objects in a
parse worker. Every JSON family counts what a body would build first and refuses it as a
changed layout, in bounded memory; brackets and commas inside strings are data and count
for nothing.
"""

from __future__ import annotations

import json
import tracemalloc
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import LayoutChanged
from connectors.families import gkmlpt, govcn, ssp
from connectors.families.jsonpage import MAX_JSON_CONTAINERS, MAX_JSON_VALUES, load_object

URL = "http://portal.example.gov.cn/api"
JSON_FAMILIES = {"ssp": ssp, "gkmlpt": gkmlpt, "govcn": govcn}
#: Where each family reads a JSON page (gkmlpt's entry is an HTML index; its API pages are JSON).
API_URLS = {
    "ssp": URL,
    "gkmlpt": "http://portal.example.gov.cn/gkmlpt/api/all/5?page=1&sid=2",
    "govcn": URL,
}


def peak_bytes(call) -> tuple[int, object]:
    """(peak bytes Python allocated during `call`, its result or the exception it raised)."""
    tracemalloc.start()
    try:
        try:
            outcome = call()
        except Exception as exc:  # the outcome is what the test looks at
            outcome = exc
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("family", sorted(JSON_FAMILIES))
@pytest.mark.parametrize(
    "bomb",
    [
        '{"datas": [' + ",".join(["[]"] * 6_000_000) + "]}",  # 18 MB of empty arrays
        '{"datas": [' + ",".join(["{}"] * 6_000_000) + "]}",  # and of empty objects
        '{"datas": [' + ",".join(["0"] * 9_000_000) + "]}",  # nine million numbers
    ],
    ids=["arrays", "objects", "numbers"],
)
def test_a_body_of_millions_of_values_is_refused_before_it_is_built(family, bomb):
    module = JSON_FAMILIES[family]
    request = module.first_request(API_URLS[family], {})
    peak, outcome = peak_bytes(lambda: module.parse_listing(bomb, request, {}))
    assert isinstance(outcome, LayoutChanged), outcome
    assert "cap" in str(outcome) and urlsplit(request.url).path in str(outcome)
    # the text itself is 18 MB; building it would take gigabytes. The check copies it once at most.
    assert peak < 3 * len(bomb.encode())


def test_the_caps_count_values_just_under_them_as_readable():
    within = {"datas": [[] for _ in range(MAX_JSON_CONTAINERS - 2)]}
    assert len(load_object(json.dumps(within), URL)["datas"]) == MAX_JSON_CONTAINERS - 2
    over = {"datas": [[] for _ in range(MAX_JSON_CONTAINERS)]}
    with pytest.raises(LayoutChanged, match="arrays and objects"):
        load_object(json.dumps(over), URL)
    many = {"datas": list(range(MAX_JSON_VALUES))}
    with pytest.raises(LayoutChanged, match="values"):
        load_object(json.dumps(many), URL)


@given(st.text(alphabet="[]{},x中", min_size=1, max_size=60))
def test_brackets_and_commas_inside_strings_count_for_nothing(inner):
    body = json.dumps({"total": 1, "datas": [{"_doctitle": inner * 5000}]})
    assert load_object(body, URL)["datas"][0]["_doctitle"] == inner * 5000
