"""The night spread over Prefect workers on several machines: the portals cut into batches
(`plan.py`), the batch flow a worker runs (`batch.py`), starting and watching the batches
(`watch.py`), the orchestrating flow (`flow.py`) and the deployments (`deploy.py`)."""
