"""The nightly run on one machine: the Prefect flow (`flow.py`), its plain steps
(`steps.py`), the warehouse step (`publish.py`), the batches a task harvests (`batches.py`), the run's id, lock and leftovers
(`housekeeping.py`) and what the run reports (`summary.py`)."""
