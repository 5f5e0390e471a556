"""When and with what: the config, the nightly flow, the distributed night, the CLI.

The one package that wires the connectors (bytes -> records) and the warehouse (records ->
tables) together. Its rooms, one concern each:

- `config/`: the config file's model and its checks, and the run's clock;
- `night/`: the nightly flow on one machine, its steps, batches, housekeeping and summary;
- `distributed/`: the night spread over Prefect workers (plan, batch, watch, deploy);
- `portal/`: `portal test` and `portal probe`, what an operator runs when adding a portal;
- `ui/`: what a person sees in a terminal (rich tables, progress);
- `cli/`: the `xxgk` command, one module per command group.

`demo.py` runs the simulated world end to end, `prefect_env.py` sets Prefect's defaults
before anything imports it, `prefect_server.py` starts Prefect's temporary server for a
run without a server of the user's, `prefect_db.py` seeds a new home's Prefect database
with a copy migrated once, `collector.py` pauses Python's garbage collector over a process's
start-up, `withdrawal_review.py` is the operator's review of quarantined withdrawals.
"""
