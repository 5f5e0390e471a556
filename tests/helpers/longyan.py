"""The Longyan AIC system as the tests state it by hand (the city bureau, its six departments
and its seven county bureaus), independent of the simulator's own list, so a test that
counts the system's documents checks the world rather than repeating it."""

from __future__ import annotations

LONGYAN_UNITS = frozenset(
    {
        "ly-aic",
        "ly-aic-bgs",
        "ly-aic-qyzc",
        "ly-aic-xfwq",
        "ly-aic-sbgg",
        "ly-aic-scgf",
        "ly-aic-jjjc",
        "ly-xl-aic",
        "ly-yd-aic",
        "ly-ct-aic",
        "ly-sh-aic",
        "ly-wp-aic",
        "ly-lc-aic",
        "ly-zp-aic",
    }
)
