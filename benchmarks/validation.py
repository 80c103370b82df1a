"""Benchmark 2: run the schema registry's own benchmark (``benchmarks/bench_validation.py``) and pass its output on.

That file belongs to the schemas registry; this only calls it, so its figures are whatever it measures.
"""

from __future__ import annotations

from benchmarks.figures import Figure, skipped
from benchmarks.measure import PYTHON, REPO, run_child

SCRIPT = REPO / "benchmarks" / "bench_validation.py"


def run(quick: bool) -> tuple[list[Figure], str]:
    """A row saying whether it ran, and its printed output for the report."""
    if not SCRIPT.exists():
        return [skipped("2", "validation", "benchmarks/bench_validation.py is not there yet")], ""
    result = None
    if quick:
        result = run_child([PYTHON, str(SCRIPT), "--quick"], env={"PYTHONPATH": str(REPO)})
        if result.returncode == 2:  # no --quick option: run it as it is
            result = None
    if result is None:
        result = run_child([PYTHON, str(SCRIPT)], env={"PYTHONPATH": str(REPO)})
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]
        return [skipped("2", "validation", f"bench_validation.py failed: {reason[:200]}")], result.stdout
    row = Figure("2", "validation (bench_validation.py)", result.wall, "s", note="its figures follow the table")
    return [row], result.stdout
