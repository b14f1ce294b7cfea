"""Benchmarks: `python -m benchmarks` (or `./dev bench`) runs them all and prints a table."""
