"""The config file: its typed model (`model.py`), the checks no single entry can make
(`checks.py`), and what "now" is for a run (`clock.py`)."""
