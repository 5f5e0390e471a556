"""The warehouse's models: one SQL or Python file per table (see warehouse/dag.py)."""
