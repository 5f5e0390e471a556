"""`sim --portals N`: serve the province of N portals (sim/province) until interrupted."""

from __future__ import annotations

import argparse
import json
import threading
from dataclasses import asdict

from sim.faults import parse_fault
from sim.province.server import start_province
from sim.province.world import build_province


def serve(args: argparse.Namespace, done: threading.Event) -> int:
    """Serve the province `args` describe (portals, seed, port, as-of, faults, config and
    figures to write) until `done` is set. Bad arguments raise ValueError or OSError."""
    if args.world != "longyan" or args.scale != 1 or args.host != "127.0.0.1":
        raise ValueError("--portals serves the province on 127.10.0.0/16: no --world, --scale or --host with it")
    world = build_province(args.portals, args.seed)
    with start_province(world, port=args.port, as_of=args.as_of, faults=[parse_fault(f) for f in args.fault]) as sim:
        print(f"sim: a province of {len(world.portals)} portals, {world.base_count} documents, as of {sim.as_of}")
        for portal_id, url in sim.portals.items():
            print(f"{portal_id:20} {url}")
        if args.write_config:
            data_dir = args.data_dir or args.write_config.parent / "data"
            sim.write_config(args.write_config, data_dir, args.warehouse)
            print(f"config written to {args.write_config}")
        if args.export_truth:
            figures = {level: asdict(f) for level, f in world.figures().items()}
            truth = {"year": 2012, "levels": figures, "documents_listed": world.documents_on(sim.as_of)}
            args.export_truth.write_text(json.dumps(truth, indent=1), encoding="utf-8")
            print(f"figures written to {args.export_truth}")
        print("serving; Ctrl-C stops", flush=True)
        done.wait()
    print("sim: stopped", flush=True)
    return 0
