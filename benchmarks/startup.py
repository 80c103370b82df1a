"""Benchmark 7: start-up of ``stripe-conformance requirements`` and of collecting the suite."""

from __future__ import annotations

from benchmarks.figures import Figure
from benchmarks.measure import PYTHON, REPO, median, run_child, spread
from conformance.cli.run_cmd import pytest_startup_arguments

STARTUP_GOAL = 1.0

SUITE_DIR = REPO / "conformance" / "suite"
CLI_PYTEST_ARGS = tuple(pytest_startup_arguments())

COMMANDS: dict[str, tuple[tuple[str, ...], bool]] = {
    # name: (argv after the interpreter, has the 1 s goal)
    "python -c pass (interpreter floor)": (("-c", "pass"), False),
    "stripe-conformance --version": (("-m", "conformance", "--version"), False),
    "stripe-conformance requirements": (("-m", "conformance", "requirements"), True),
    "pytest --co of the suite (as the CLI runs it)": (("-m", "pytest", "--co", "-q", *CLI_PYTEST_ARGS), True),
    "pytest --co of the suite (plugin autoload)": (
        ("-m", "pytest", "--co", "-q", "--pyargs", "conformance.suite", "-p", "no:cacheprovider"),
        False,
    ),
}


def run(runs: int) -> list[Figure]:
    """Time each command ``runs`` times (after one warm-up run that fills the OS file cache)."""
    rows = []
    for name, (argv, has_goal) in COMMANDS.items():
        command = [PYTHON, *argv]
        first = run_child(command, cwd=SUITE_DIR.parent.parent)
        if first.returncode != 0:
            rows.append(Figure("7", name, None, "s", note=f"exit {first.returncode}: {first.stderr.strip()[-200:]}"))
            continue
        timed = [run_child(command) for _ in range(runs)]
        walls = [child.wall for child in timed]
        value = median(walls)
        goal = f"≤ {STARTUP_GOAL:g} s" if has_goal else ""
        met = value <= STARTUP_GOAL if has_goal else None
        cpu = f"CPU {median([child.cpu for child in timed]):.2g} s"
        rows.append(Figure("7", name, value, "s", spread(walls), goal, met, note=cpu))
    return rows
