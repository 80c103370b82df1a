"""Benchmarks of the suite against its floor: ``python benchmarks/run.py [--quick]`` (see RESULTS.md)."""
