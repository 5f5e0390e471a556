"""What an operator runs when adding a portal: `portal test` (`test.py`) reads a configured
portal's first pages and writes nothing; `portal probe` (`probe.py`) names an unknown
portal's family from its entry page and proposes its entry."""
