"""`python -m sim`: the simulated world's command line."""

import sys

from sim.cli import main

sys.exit(main())
