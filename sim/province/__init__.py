"""A province of thousands of portals on many loopback hosts (docs/sim.md, "A province")."""
