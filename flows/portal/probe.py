"""`xxgk portal probe URL`: fetch an entry page, name its family (or, for a page of none that
lists dated links, propose generic selectors), propose a `[[portal]]` entry, check it the way
`portal test` does, and (with `--write-config`) append it to a config only when the config
still validates with it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from connectors.errors import ConnectorError
from connectors.families.recognise import Recognition, default_id, recognise, toml_entry
from connectors.http import allowed_hosts
from connectors.records import Request
from flows.config.load import ConfigError, parse_config
from flows.config.model import Harvest, Portal
from flows.portal.test import Probe, print_probe, probe_client, probe_portal
from flows.ui.render import safe
from warehouse.landing import replace_into


@dataclass
class Proposal:
    recognition: Recognition
    entry: str | None = None  # the proposed [[portal]] TOML
    probe: Probe | None = None
    error: str | None = None


def probe_url(
    url: str, harvest: Harvest, *, portal_id: str | None = None, name: str | None = None, level: str = "city"
) -> Proposal:
    """One request for the entry page, then `portal test`'s check of the proposed entry."""
    with probe_client(harvest) as client:
        try:
            page = client.fetch(Request(url), allowed_hosts(url))
        except ConnectorError as exc:
            return Proposal(
                Recognition(url, None, "the entry page could not be fetched"), error=f"{type(exc).__name__}: {exc}"
            )
    found = recognise(page.text, page.final_url if page.final_url != url else url)
    if found.platform is None:
        return Proposal(found)
    pid = portal_id or default_id(found.url, found.platform)
    portal = Portal(
        id=pid,
        name=name or found.name or pid,
        level=level,
        platform=found.platform,
        url=found.url,
        options=found.options,
    )
    probe = probe_portal(portal, harvest, adopt_hosts=True)
    entry = toml_entry(
        pid, portal.name, level, found.platform, found.url, probe.hosts_seen, found.options, probe.hosts_refused
    )
    return Proposal(found, entry, probe)


def print_proposal(proposal: Proposal, console: Console, max_rows: int = 10) -> None:
    found = proposal.recognition
    for mark in found.marks:
        console.print(safe(f"  mark: {mark}"))
    if found.platform is None:
        console.print(safe(f"{found.url}: {found.evidence}", "bold red"))
        if found.note:
            console.print(safe(found.note))
        for fact in found.seen:
            console.print(safe(f"  seen: {fact}"))
        if proposal.error:
            console.print(safe(proposal.error, "red"))
        return
    console.print(safe(f"family: {found.platform} ({found.evidence})", "bold"))
    if found.note:
        console.print(safe(found.note, "yellow"))
    console.print(safe("proposed entry:", "bold"))
    for line in (proposal.entry or "").splitlines():
        console.print(safe(line))
    if proposal.probe is not None:
        print_probe(proposal.probe, console, max_rows=max_rows)


def append_entry(config: Path, entry: str) -> None:
    """Append `entry` to `config` when the whole file validates with it; ConfigError if not
    (the file is left as it was). The new file replaces the old in one rename: a crash
    leaves the old file or the new one, never half of it."""
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    joined = (text.rstrip("\n") + "\n\n" if text.strip() else "") + entry
    try:
        raw = tomllib.loads(joined)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(config, [f"not valid TOML with the new entry: {exc}"]) from None
    parse_config(raw, config)
    replace_into(config, lambda temp: temp.write_text(joined, encoding="utf-8"))
