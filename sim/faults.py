"""Faults the simulated portals can be told to show, one portal at a time.

A fault is written `PORTAL:KIND[:ARG]` (PORTAL may be `*` for every portal). Kinds, with
their argument and default (docs/sim.md says what each does to a client):

down, reset, flaky:K (3), 429:SECONDS (2), slow:SECONDS (10), page-fail:N (1),
detail-fail:P (0.33), layout, waf, stub:N (2), loop:N (1), oversize:MB (32),
redirect[:ORIGIN] (another loopback host), xxe (hanweb portals only), hostile.

N is a 0-based listing page number in the portal's own terms: `index_N.html` on TRS,
data-proxy group N (records N*45+1 ..) on Hanweb, `page=N+1` on SSP. P is the share
(0 < P <= 1) of the portal's detail pages that answer 500, picked by a hash of their path.
"""

from __future__ import annotations

from dataclasses import dataclass

#: kind -> (argument type or None, default argument)
KINDS: dict[str, tuple[type | None, object]] = {
    "down": (None, None),
    "reset": (None, None),
    "flaky": (int, 3),
    "429": (float, 2.0),
    "slow": (float, 10.0),
    "page-fail": (int, 1),
    "detail-fail": (float, 0.33),
    "layout": (None, None),
    "waf": (None, None),
    "stub": (int, 2),
    "loop": (int, 1),
    "oversize": (float, 32.0),
    "redirect": (str, None),
    "xxe": (None, None),
    "hostile": (None, None),
}


class FaultError(ValueError):
    """A fault specification that cannot be used, with the reason."""


@dataclass(frozen=True)
class Fault:
    """One planted fault: which portal (`*` = all), what kind, and its argument."""

    portal: str
    kind: str
    arg: object = None

    def __str__(self) -> str:
        return f"{self.portal}:{self.kind}" + ("" if self.arg is None else f":{self.arg}")


def parse_fault(spec: str) -> Fault:
    """Parse `PORTAL:KIND[:ARG]` (the argument may itself hold colons, e.g. a URL)."""
    parts = spec.strip().split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise FaultError(f"fault {spec!r}: expected PORTAL:KIND[:ARG], e.g. ly-gov:flaky:3")
    portal, kind = parts[0], parts[1]
    if kind not in KINDS:
        raise FaultError(f"fault {spec!r}: unknown kind {kind!r}; known: {', '.join(KINDS)}")
    typ, default = KINDS[kind]
    if len(parts) == 2:
        return Fault(portal, kind, default)
    if typ is None:
        raise FaultError(f"fault {spec!r}: {kind} takes no argument")
    try:
        arg = typ(parts[2])
    except ValueError:
        raise FaultError(f"fault {spec!r}: argument {parts[2]!r} is not a {typ.__name__}") from None
    if isinstance(arg, int | float) and arg < 0:
        raise FaultError(f"fault {spec!r}: argument must not be negative")
    if kind == "detail-fail" and not 0 < float(arg) <= 1:
        raise FaultError(f"fault {spec!r}: the share of failing detail pages is in (0, 1]")
    return Fault(portal, kind, arg)


def as_faults(items: object) -> list[Fault]:
    """Faults from a list of `Fault`s or specification strings."""
    return [f if isinstance(f, Fault) else parse_fault(str(f)) for f in (items or ())]
