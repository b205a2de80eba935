"""Figures the proof tests measure, printed at the end of the run (tests/conftest.py) for the README."""
from collections import Counter

TALLY: Counter = Counter()
