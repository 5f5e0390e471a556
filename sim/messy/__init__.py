"""The messy profile of the Longyan world (`build_world("messy")`, `sim --profile
messy`): the traps of real portals, planted with a ground truth (docs/sim.md). `world`
builds it, `plant` adds the documents that are traps, `variants` and `shown` say what each
portal prints, `sites` serves it."""
