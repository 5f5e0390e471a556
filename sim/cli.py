"""`sim` (also `python -m sim` and `xxgk sim`): serve the simulated world until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from sim.faults import FaultError, parse_fault
from sim.model import DEFAULT_AS_OF
from sim.registry import build_world
from sim.server import start

#: `--world`: the worlds chosen by name; the messy world is the Longyan one's `--profile`,
#: the province is chosen by `--portals` (sim.registry names them all).
WORLD_NAMES = ("longyan", "guangdong")
PROFILES = ("default", "messy")


def parser() -> argparse.ArgumentParser:
    """The command line of `sim`."""
    p = argparse.ArgumentParser(
        prog="sim", description="Serve the simulated Longyan 2012 disclosure portals on loopback."
    )
    p.add_argument(
        "--port", type=int, default=0, help="first port; portals take PORT, PORT+1, ... (0: a free port each)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--as-of", default=None, help=f"serve the world as it stood on this date (default {DEFAULT_AS_OF})")
    p.add_argument(
        "--fault",
        action="extend",
        nargs="+",
        default=[],
        metavar="SPEC",
        help="plant a fault, PORTAL:KIND[:ARG] (see docs/sim.md); repeatable",
    )
    p.add_argument("--scale", type=int, default=1, help="copies of every document (default 1)")
    p.add_argument("--seed", type=int, default=2012, help="generator seed (default 2012)")
    p.add_argument(
        "--world",
        choices=WORLD_NAMES,
        default="longyan",
        help="which world: longyan (default) or guangdong (gkmlpt, gov.cn, Hanweb search)",
    )
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="default",
        help="the Longyan world's profile: default, or messy (the traps of real portals, docs/sim.md)",
    )
    p.add_argument("--small", action="store_true", help="one document in ten (quick end-to-end runs)")
    p.add_argument(
        "--portals", type=int, default=None, metavar="N", help="serve a province of N portals instead (sim/province)"
    )
    p.add_argument("--write-config", type=Path, default=None, metavar="FILE", help="write the matching xxgk.toml here")
    p.add_argument("--data-dir", type=Path, default=None, help="data_dir written in the config")
    p.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="warehouse path written in the config (default DATA_DIR/xxgk.duckdb)",
    )
    p.add_argument(
        "--export-truth",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the ground truth (.json or .parquet) and keep serving",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run `sim` with `argv`; returns the exit code once SIGINT or SIGTERM arrives."""
    args = parser().parse_args(argv)
    try:
        faults = [parse_fault(spec) for spec in args.fault]
        name, options = world_choice(args)
        server = start(
            build_world(name, **options),
            host=args.host,
            port=args.port,
            as_of=args.as_of,
            faults=faults,
        )
    except (FaultError, ValueError, OSError) as exc:
        print(f"sim: {exc}", file=sys.stderr)
        return 2
    done = threading.Event()
    _on_signals(done)
    with server:
        print(
            f"sim: {server.world.base_count * server.world.scale} documents, as of {server.as_of}, "
            f"faults: {', '.join(map(str, faults)) or 'none'}",
            flush=True,
        )
        for portal_id, url in server.portals.items():
            print(f"{portal_id:16} {url}", flush=True)
        if args.write_config:
            data_dir = args.data_dir or args.write_config.parent / "data"
            server.write_config(args.write_config, data_dir, args.warehouse)
            print(f"config written to {args.write_config}", flush=True)
        if args.export_truth:
            server.export_truth(args.export_truth)
            print(f"ground truth written to {args.export_truth}", flush=True)
        print("serving; Ctrl-C stops", flush=True)
        done.wait()
    print("sim: stopped", flush=True)
    return 0


def world_choice(args: argparse.Namespace) -> tuple[str, dict[str, object]]:
    """The registry's name of the world the options ask for, and the options it is built with."""
    if args.portals is not None:
        if args.world != "longyan" or args.scale != 1 or args.host != "127.0.0.1":
            raise ValueError("--portals serves the province on 127.10.0.0/16: no --world, --scale or --host with it")
        return "province", {"portals": args.portals, "seed": args.seed}
    if args.profile != "default" and args.world != "longyan":
        raise ValueError(f"--profile is the Longyan world's: the {args.world} world has none")
    name = "messy" if args.profile == "messy" else args.world
    return name, {"seed": args.seed, "scale": args.scale, "small": args.small}


def _on_signals(done: threading.Event) -> None:
    """SIGINT and SIGTERM end the serving loop cleanly (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
