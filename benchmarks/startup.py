"""Benchmark 7: start-up of ``stripe-conformance requirements`` and of collecting what a default run collects.

A default run collects the hand-written scenarios and the fuzz package (``conformance.fuzz``): both
are collected here, as the CLI starts pytest and with plugin autoload on (every installed pytest
plugin imported, as a plain ``pytest`` does). Collecting the fuzz package does not import
Schemathesis or Hypothesis (its fixtures do, at the first fuzz test): only the autoload row, whose
plugins include theirs, pays for those imports at start-up; one more row shows it with Schemathesis'
own plugin turned off, which the suite does not use.
"""

from __future__ import annotations

from benchmarks.figures import Figure
from benchmarks.measure import PYTHON, REPO, median, run_child, spread
from conformance.cli.run_cmd import FUZZ_PACKAGE, SUITE_PACKAGE, pytest_startup_arguments

STARTUP_GOAL = 1.0

SUITE_DIR = REPO / "conformance" / "suite"
DEFAULT_PACKAGES = (SUITE_PACKAGE, FUZZ_PACKAGE)
CLI_PYTEST_ARGS = tuple(pytest_startup_arguments(DEFAULT_PACKAGES))


def _autoloading(args: tuple[str, ...]) -> tuple[str, ...]:
    """``args`` with autoload on: the plugins the CLI names with ``-p`` then come from their entry points."""
    kept: list[str] = []
    named = iter(args)
    for arg in named:
        if arg == "--disable-plugin-autoload":
            continue
        if arg == "-p":
            plugin = next(named)
            if plugin.startswith("no:"):
                kept += [arg, plugin]
            continue
        kept.append(arg)
    return tuple(kept)


AUTOLOAD_ARGS = _autoloading(CLI_PYTEST_ARGS)

COMMANDS: dict[str, tuple[tuple[str, ...], bool]] = {
    # name: (argv after the interpreter, has the 1 s goal)
    "python -c pass (interpreter floor)": (("-c", "pass"), False),
    "stripe-conformance --version": (("-m", "conformance", "--version"), False),
    "stripe-conformance requirements": (("-m", "conformance", "requirements"), True),
    "pytest --co of a default run's scenarios and fuzzing (as the CLI runs it)": (
        ("-m", "pytest", "--co", "-q", *CLI_PYTEST_ARGS),
        True,
    ),
    "pytest --co of a default run's scenarios and fuzzing (plugin autoload)": (
        ("-m", "pytest", "--co", "-q", *AUTOLOAD_ARGS),
        True,
    ),
    # The suite drives Schemathesis itself; the README's tip turns Schemathesis' own plugin off.
    "  same, with -p no:schemathesis (the README's tip)": (
        ("-m", "pytest", "--co", "-q", *AUTOLOAD_ARGS, "-p", "no:schemathesis"),
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
