"""Benchmarks of the running system (`orderflow bench <scenario>`): figures, not pass/fail."""
