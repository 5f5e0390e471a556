"""What a person sees in a terminal: rich tables with scraped text made inert (`render.py`)
and the live progress of a harvest (`progress.py`)."""
