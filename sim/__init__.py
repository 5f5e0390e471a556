"""The simulated portal worlds: generated ground truth, pages in the wire formats of the
platform families, one loopback server with faults and a clock (see docs/sim.md). Imports go
one way: the world, its model, the pages, the serving; sim.registry names the worlds."""
