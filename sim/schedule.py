"""A seeded schedule of faults, night by night, for runs over many simulated nights.

`fault_schedule(seed, nights, portal_ids)` gives every night the fault specifications
(`PORTAL:KIND[:ARG]`, what `SimServer.set_faults` takes) to set before that night's
harvest. Each portal draws from its own stream, seeded from the seed and its id, so the
schedule is the same for a seed whatever else runs, and dropping a portal from the list
leaves the others' faults as they were. The world's own generator is not touched.

Only faults a resilient pipeline is meant to ride out are drawn: the portal down, flaky
503s, 429s with a short Retry-After, a WAF challenge, a listing page failing, slow answers
well under the config's 5 s timeout, and a share of the detail pages failing. `down` and
`detail-fail` may last several consecutive nights (consecutive in `nights`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from sim.faults import parse_fault

#: The chance that a portal without a fault in progress starts one on a night.
DEFAULT_RATE = 0.1
#: kind -> weight among the faults drawn.
WEIGHTS: dict[str, float] = {"down": 2, "flaky": 3, "429": 2, "waf": 1, "page-fail": 2, "slow": 2, "detail-fail": 3}
#: kind -> (fewest, most) consecutive nights a fault of that kind lasts (others: one night).
LASTING: dict[str, tuple[int, int]] = {"down": (1, 2), "detail-fail": (1, 3)}
#: kind -> its argument drawn from the portal's stream (None: no argument).
ARGS: dict[str, Callable[[random.Random], str | None]] = {
    "down": lambda rng: None,
    "waf": lambda rng: None,
    "flaky": lambda rng: str(rng.randint(1, 3)),
    "429": lambda rng: rng.choice(("0.5", "1", "1.5")),
    "page-fail": lambda rng: str(rng.randint(1, 3)),
    "slow": lambda rng: rng.choice(("0.05", "0.1", "0.2", "0.3")),
    "detail-fail": lambda rng: rng.choice(("0.1", "0.33", "0.5")),
}


def _stream(seed: int, portal_id: str) -> random.Random:
    """The portal's own random stream (a str seed is hashed with SHA-512: stable)."""
    return random.Random(f"sim-fault-schedule:{seed}:{portal_id}")


def _draw(rng: random.Random, portal_id: str, weights: Mapping[str, float]) -> tuple[str, int]:
    """One fault for the portal and how many nights it lasts."""
    kinds = list(weights)
    kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
    arg = ARGS[kind](rng)
    lo, hi = LASTING.get(kind, (1, 1))
    nights = rng.randint(lo, hi)
    spec = f"{portal_id}:{kind}" + ("" if arg is None else f":{arg}")
    parse_fault(spec)  # every drawn spec is one the server takes
    return spec, nights


def _check(nights: Sequence[date], rate: float, weights: Mapping[str, float]) -> None:
    if len(set(nights)) != len(nights):
        raise ValueError("nights: every night at most once")
    if not 0 <= rate <= 1:
        raise ValueError(f"rate {rate} is not a probability")
    unknown = sorted(set(weights) - set(ARGS))
    if unknown or not any(w > 0 for w in weights.values()):
        raise ValueError(
            f"weights: kinds among {', '.join(ARGS)} with some weight above 0"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )


def fault_schedule(
    seed: int,
    nights: Sequence[date],
    portal_ids: Sequence[str],
    rate: float = DEFAULT_RATE,
    weights: Mapping[str, float] | None = None,
) -> dict[date, list[str]]:
    """Night -> the fault specs to set before it (an empty list: no fault that night).

    On each night, a portal without a fault in progress starts one with probability
    `rate`; its kind is drawn by `weights` (default `WEIGHTS`), its argument by `ARGS`, and
    it lasts one night or, for the kinds of `LASTING`, several consecutive ones. The lists
    follow the order of `portal_ids`, one spec per faulty portal."""
    weights = dict(WEIGHTS if weights is None else weights)
    _check(nights, rate, weights)
    out: dict[date, list[str]] = {night: [] for night in nights}
    for pid in portal_ids:
        rng = _stream(seed, pid)
        spec, left = None, 0
        for night in nights:
            if left == 0:
                spec, left = _draw(rng, pid, weights) if rng.random() < rate else (None, 1)
            if spec is not None:
                out[night].append(spec)
            left -= 1
    return out
