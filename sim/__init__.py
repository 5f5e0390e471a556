"""The simulated Longyan 2012 portal world: generator, loopback server, ground truth, faults
(see docs/sim.md)."""
