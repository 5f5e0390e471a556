"""xxgk.toml: a good file loads with its defaults; every kind of bad file is refused, before
any request, with a message naming the file, the entry and the field."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli.app import app
from flows.config.load import ConfigError, load_config
from flows.config.model import DEFAULT_USER_AGENT, parse_duration

REPO = Path(__file__).resolve().parent.parent

GOOD = """
[warehouse]
path = "out/xxgk.duckdb"
data_dir = "work"

[harvest]
per_host_delay = 0

[[unit]]
id = "ly-aic"
name = "龙岩市工商行政管理局"
level = "city"
region = "350800"
aliases = ["龙岩市工商局"]

[[unit]]
id = "xl-aic"
name = "龙岩市新罗区工商行政管理局"
level = "county"
parent = "ly-aic"

[[portal]]
id = "ly-aic-xxgk"
name = "龙岩市工商系统信息公开平台"
level = "city"
platform = "trs"
url = "http://{host}/xxgk/index.html"
unit = "ly-aic"

[[portal]]
id = "xl-site"
name = "新罗区"
level = "county"
platform = "hanweb"
url = "https://{host}/col/col1/index.html"
details = "always"
hosts = ["static.example.gov.cn", "127.0.0.1:8080"]
[portal.options]
rows = "div.list li"
"""


def write(tmp_path: Path, text: str, host: str = "127.0.0.1:9") -> Path:
    path = tmp_path / "xxgk.toml"
    path.write_text(text.replace("{host}", host), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    return caught.value


def test_good_config_loads_with_defaults_and_resolved_paths(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.warehouse.path == tmp_path.resolve() / "out" / "xxgk.duckdb"
    assert config.warehouse.data_dir == tmp_path.resolve() / "work"
    assert config.warehouse.state_path == tmp_path.resolve() / "work" / "state.duckdb"
    harvest = config.harvest
    assert (harvest.concurrency, harvest.per_host_delay, harvest.timeout, harvest.full_every_days) == (8, 0, 30, 7)
    assert "xxgk" in harvest.user_agent and harvest.user_agent == DEFAULT_USER_AGENT
    assert [unit.id for unit in config.units] == ["ly-aic", "xl-aic"]
    assert config.unit("xl-aic").parent == "ly-aic"
    assert config.unit("ly-aic").aliases == ["龙岩市工商局"]
    first, second = config.portals
    assert first.details == "new" and first.hosts == [] and first.options == {}
    assert second.details == "always"
    assert second.hosts == ["static.example.gov.cn", "127.0.0.1:8080"]
    assert second.options == {"rows": "div.list li"}
    assert config.portal("xl-site").platform == "hanweb"
    assert config.portals_as_dicts()[1]["url"] == "https://127.0.0.1:9/col/col1/index.html"


def test_config_with_only_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.harvest.per_host_delay == 1.0
    assert config.warehouse.path == tmp_path.resolve() / "data" / "xxgk.duckdb"
    assert config.units == [] and config.portals == []


def test_example_config_loads() -> None:
    config = load_config(REPO / "xxgk.example.toml")
    assert {p.platform for p in config.portals} == {"trs", "hanweb", "ssp"}
    assert config.warehouse.path == REPO / "data" / "xxgk.duckdb"


def test_unknown_portal_lookup_names_the_portals(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(KeyError, match="ly-aic-xxgk, xl-site"):
        config.portal("nope")


BAD = [
    # (what to change in GOOD, entry, field, words of the reason)
    (
        ('platform = "trs"', 'platform = "wcm"'),
        'portal[0] id="ly-aic-xxgk"',
        "platform",
        "'trs', 'hanweb', 'ssp', 'gkmlpt', 'govcn', 'hanweb-xxgk', 'jpaas' or 'generic'",
    ),
    (
        ('level = "county"\nparent', 'level = "town"\nparent'),
        'unit[1] id="xl-aic"',
        "level",
        "'province', 'city' or 'county'",
    ),
    (
        ('details = "always"', 'details = "sometimes"'),
        'portal[1] id="xl-site"',
        "details",
        "'new', 'always' or 'never'",
    ),
    (
        ('url = "http://{host}/xxgk/index.html"', 'url = "ftp://{host}/x"'),
        'portal[0] id="ly-aic-xxgk"',
        "url",
        "http(s) URL",
    ),
    (
        ('url = "http://{host}/xxgk/index.html"', 'url = "http:///x"'),
        'portal[0] id="ly-aic-xxgk"',
        "url",
        "with a host",
    ),
    (('id = "xl-site"', 'id = "ly-aic-xxgk"'), 'portal[1] id="ly-aic-xxgk"', "id", "duplicate of portal[0]"),
    (('id = "xl-aic"', 'id = "ly-aic"'), 'unit[1] id="ly-aic"', "id", "duplicate of unit[0]"),
    (('parent = "ly-aic"', 'parent = "fj-aic"'), 'unit[1] id="xl-aic"', "parent", 'no unit with id "fj-aic"'),
    (
        ('region = "350800"', 'region = "350800"\nparent = "xl-aic"'),
        'unit[0] id="ly-aic"',
        "parent",
        "cycle ly-aic -> xl-aic -> ly-aic",
    ),
    (('unit = "ly-aic"\n', 'unit = "ly-fic"\n'), 'portal[0] id="ly-aic-xxgk"', "unit", 'no unit with id "ly-fic"'),
    (("per_host_delay = 0", "per_host_delay = -0.5"), "[harvest]", "per_host_delay", "greater than or equal to 0"),
    (("per_host_delay = 0", "concurrency = 0"), "[harvest]", "concurrency", "greater than or equal to 1"),
    (("per_host_delay = 0", "parse_processes = -1"), "[harvest]", "parse_processes", "greater than or equal to 0"),
    (("per_host_delay = 0", "parse_timeout = 0"), "[harvest]", "parse_timeout", "greater than 0"),
    (("per_host_delay = 0", "parse_timeout = 601"), "[harvest]", "parse_timeout", "less than or equal to 600"),
    (("per_host_delay = 0", "per_host_dealy = 0"), "[harvest]", "per_host_dealy", "unknown key"),
    (("per_host_delay = 0", 'night_deadline = "6 hours"'), "[harvest]", "night_deadline", "not a duration"),
    (("per_host_delay = 0", 'night_deadline = "1h1h"'), "[harvest]", "night_deadline", "not a duration"),
    (("per_host_delay = 0", "night_deadline = 0"), "[harvest]", "night_deadline", "greater than 0"),
    (("per_host_delay = 0", 'night_deadline = "8d"'), "[harvest]", "night_deadline", "less than or equal to 604800"),
    (('rows = "div.list li"', "rows = 3"), 'portal[1] id="xl-site"', "options.rows", "valid string"),
    (
        ('rows = "div.list li"', 'rows = "div[[li"'),
        'portal[1] id="xl-site"',
        "options",
        "option 'rows': not a CSS selector",
    ),
    (('rows = "div.list li"', 'body = "div..x"'), 'portal[1] id="xl-site"', "options", "option 'body': not a CSS"),
    (('hosts = ["static', 'hosts = ["http://static'), 'portal[1] id="xl-site"', "hosts", "host names"),
    (('name = "新罗区"\n', ""), 'portal[1] id="xl-site"', "name", "is required"),
    (('path = "out/xxgk.duckdb"', "path = 3"), "[warehouse]", "path", "valid path"),
    (
        ('path = "out/xxgk.duckdb"', 'path = "x"\nmemory_limit = "lots"'),
        "[warehouse]",
        "memory_limit",
        "no memory size",
    ),
    (('path = "out/xxgk.duckdb"', 'path = "x"\nmemory_limit = "100MB"'), "[warehouse]", "memory_limit", "256MB"),
]


@pytest.mark.parametrize(("change", "entry", "field", "reason"), BAD, ids=[case[2] + ":" + case[3] for case in BAD])
def test_bad_config_names_file_entry_and_field(tmp_path: Path, change, entry, field, reason) -> None:
    old, new = change
    assert old in GOOD, "the test's change must apply"
    error = problems_of(tmp_path, GOOD.replace(old, new, 1))
    matching = [p for p in error.problems if p.startswith(f"{entry}: field '{field}'")]
    assert matching, error.problems
    assert reason in matching[0]


GENERIC = """
[[portal]]
id = "ndrc-tz"
name = "国家发展改革委 通知"
level = "province"
platform = "generic"
url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/"
[portal.options]
"""


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ('title = "a"', "option 'rows': required for platform generic"),
        ('rows = "ul.u-list > li"\ndate = "span:nth-of-type(x)"', "option 'date': not a CSS selector"),
        ('rows = "li"\nnext = "a.next"\npager = "index_{n}.html"', "give either 'next'"),
        ('rows = "li"\npager = "index_{n}_{n}.html"', "option 'pager': must hold {n} exactly once"),
        ('rows = "li"\npager = "index.html"', "option 'pager': must hold {n} exactly once"),
        ('rows = "li"\npager = "http://other.gov.cn/index_{n}.html"', "relative to the listing page"),
        ('rows = "li"\npager = "index_{n}.html"\nfirst_page = "-1"', "option 'first_page': must be a whole number"),
        ('rows = "li"\nfirst_page = "1"', "option 'first_page': only with 'pager'"),
        ('rows = "' + "li " * 200 + '"', "option 'rows': a selector of 600 characters"),
    ],
)
def test_a_generic_portal_is_refused_naming_the_option(tmp_path: Path, options: str, reason: str) -> None:
    error = problems_of(tmp_path, GENERIC + options + "\n")
    assert len(error.problems) == 1, error.problems
    assert error.problems[0].startswith("portal[0] id=\"ndrc-tz\": field 'options': ")
    assert reason in error.problems[0]


def test_a_generic_portal_with_rows_and_a_pager_loads(tmp_path: Path) -> None:
    options = 'rows = "ul.u-list > li"\ntitle = "a"\ndate = "span"\npager = "index_{n}.html"\nfirst_page = "1"\n'
    portal = load_config(write(tmp_path, GENERIC + options)).portal("ndrc-tz")
    assert (portal.platform, portal.options["pager"], portal.options["first_page"]) == (
        "generic",
        "index_{n}.html",
        "1",
    )


def test_every_problem_of_an_entry_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace('platform = "trs"', 'platform = "wcm"').replace('details = "always"', 'details = "x"')
    error = problems_of(tmp_path, text)
    fields = sorted(p.split(": field ")[1].split(":")[0] for p in error.problems)
    assert fields == ["'details'", "'platform'"]


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = GOOD.replace('level = "city"\nplatform', "level = city\nplatform", 1)
    line = text.splitlines().index("level = city") + 1
    error = problems_of(tmp_path, text)
    assert "not valid TOML" in str(error)
    assert f"line {line}," in str(error)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.toml")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "xxgk.toml"
    path.write_bytes('[[unit]]\nname = "龙岩"\n'.encode("gb18030"))
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(path)


@pytest.fixture
def silent_listener():
    """A port that accepts connections and counts them: any request would show up here."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def accepted(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


@pytest.mark.parametrize(("command", "arguments"), [(["sync"], []), (["portal", "test"], ["ly-aic-xxgk"])])
def test_bad_config_is_refused_before_any_request(tmp_path: Path, silent_listener, command, arguments) -> None:
    host = f"127.0.0.1:{silent_listener.getsockname()[1]}"
    path = write(tmp_path, GOOD.replace('details = "always"', 'details = "sometimes"'), host=host)
    result = CliRunner().invoke(app, [*command, "--config", str(path), *arguments])
    assert result.exit_code == 2, result.output
    printed = " ".join(result.output.split())
    assert str(path) in printed
    assert "portal[1] id=\"xl-site\": field 'details'" in printed
    assert accepted(silent_listener) == 0
    assert not (tmp_path / "work").exists(), "nothing may be written for a refused config"


@given(
    parts=st.dictionaries(st.sampled_from("dhms"), st.integers(0, 99), min_size=1),
    upper=st.booleans(),
    spaced=st.booleans(),
    data=st.data(),
)
def test_a_night_deadline_is_written_in_seconds_or_in_parts_of_days_hours_minutes_seconds(
    parts: dict[str, int], upper: bool, spaced: bool, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(sorted(parts)))
    gap = " " if spaced else ""
    text = gap.join(f"{parts[unit]}{gap}{unit.upper() if upper else unit}" for unit in order)
    seconds = sum(parts[unit] * {"d": 86_400, "h": 3_600, "m": 60, "s": 1}[unit] for unit in parts)
    assert parse_duration(f" {text} ") == seconds
    assert parse_duration(str(seconds)) == seconds
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text + order[0])  # a unit with no number, or twice


def test_the_night_deadline_defaults_to_six_hours_and_takes_durations(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, GOOD)).harvest.night_deadline == 6 * 3600
    text = GOOD.replace("per_host_delay = 0", 'per_host_delay = 0\nnight_deadline = "1h30m"')
    assert load_config(write(tmp_path, text)).harvest.night_deadline == 5400
