"""Benchmark 3: an offline replay of a cassette set vs the live run it was recorded from.

Replays ``cassettes/reference`` when that set is committed; otherwise records a set of the default
run into a temporary directory first (that recording run is timed too) and replays that. The live
runs use the set's own seed (from ``cassette-set.json``), so they send exactly the requests the set
recorded (the staleness test in tests/recording holds the committed set to that), and they alternate
with the replays. Wall and CPU (user + sys of the child, less sensitive to a busy machine) are both
reported.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from benchmarks.figures import Figure, skipped
from benchmarks.measure import PYTHON, REPO, ChildRun, median, run_child, spread
from benchmarks.suite_overhead import fake_key

COMMITTED_SET = REPO / "cassettes" / "reference"
REPLAY_GOAL_S = 10.0


def _cli(*args: str) -> ChildRun:
    env = {"STRIPE_API_KEY": fake_key(), "PYTHONPATH": str(REPO)}
    return run_child([PYTHON, "-m", "conformance", "run", *args], env=env)


def run(runs: int) -> list[Figure]:
    """The rows of benchmark 3: replays alternating with live runs of the set's seed."""
    help_text = run_child([PYTHON, "-m", "conformance", "run", "--help"]).stdout
    if "--replay" not in help_text:
        return [skipped("3", "offline replay", "`stripe-conformance run` has no --replay option yet")]
    rows: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="stripe-bench-replay-") as tmp:
        work = Path(tmp)
        live_walls: list[float] = []
        live_cpus: list[float] = []
        cassettes = COMMITTED_SET
        source = "cassettes/reference"
        if not (cassettes / "cassette-set.json").exists():
            cassettes = work / "cassettes"
            recorded = _cli("--record", str(cassettes), "--report-dir", str(work / "recording"))
            if recorded.returncode not in (0, 1) or not (cassettes / "cassette-set.json").exists():
                reason = recorded.stderr.strip().splitlines()[-1:] or [f"exit {recorded.returncode}"]
                return [skipped("3", "offline replay", f"recording a set failed: {reason[0][:200]}")]
            source = "a set recorded now (cassettes/reference not committed yet)"
            rows.append(Figure("3", "recording run (--record)", recorded.wall, "s", note="1 run"))
        seed = str(json.loads((cassettes / "cassette-set.json").read_text(encoding="utf-8"))["seed"])
        replays, replay_cpus = [], []
        summary = ""
        for i in range(runs):
            if i % 2 == 0:  # alternate which goes first: a fixed order biases a busy machine
                live_run = _cli("--seed", seed, "--report-dir", str(work / f"live-{i}"))
                live_walls.append(live_run.wall)
                live_cpus.append(live_run.cpu)
            replayed = _cli("--replay", str(cassettes), "--report-dir", str(work / f"replay-{i}"))
            if replayed.returncode not in (0, 1):
                reason = replayed.stderr.strip().splitlines()[-1:] or [f"exit {replayed.returncode}"]
                return [*rows, skipped("3", "offline replay", f"replay failed: {reason[0][:200]}")]
            replays.append(replayed.wall)
            replay_cpus.append(replayed.cpu)
            summary = pytest_summary(replayed.stdout)
            if i % 2 == 1:
                live_run = _cli("--seed", seed, "--report-dir", str(work / f"live-{i}"))
                live_walls.append(live_run.wall)
                live_cpus.append(live_run.cpu)
    value, live = median(replays), median(live_walls)
    cpu, live_cpu = median(replay_cpus), median(live_cpus)
    # A replay whose scenarios fail (cassettes missing for newer scenarios) ends early: not comparable.
    complete = "failed" not in summary and "error" not in summary
    caveat = "" if complete else f"; NOT comparable: the replay had {summary} (cassette set stale or incomplete)"
    rows += [
        Figure(
            "3",
            "offline replay (--replay), wall",
            value,
            "s",
            spread(replays),
            f"≤ {REPLAY_GOAL_S:g} s",
            value <= REPLAY_GOAL_S if complete else None,
            note=f"of {source}: {summary}{caveat}",
        ),
        Figure(
            "3",
            "  replay / live run",
            value / live,
            "×",
            goal="< 1×",
            met=value < live if complete else None,
            note=f"live median {live:.3g} s (the set's seed {seed}, interleaved)",
        ),
        Figure("3", "offline replay (--replay), CPU (user+sys)", cpu, "s", spread(replay_cpus)),
    ]
    if live_cpus:
        rows.append(
            Figure(
                "3",
                "  replay / live run, CPU",
                cpu / live_cpu,
                "×",
                goal="< 1×",
                met=cpu < live_cpu if complete else None,
                note=f"live median {live_cpu:.3g} s CPU",
            )
        )
    return rows


SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed|skipped|error|errors|deselected)\b.*?)(?: in [\d.]+s.*)?=*$")


SCENARIOS = re.compile(r"^scenarios: \d+ run \((.*)\)")
"""The plugin's scenario line, which stands for pytest's in a quiet ``stripe-conformance run``."""


def pytest_summary(stdout: str) -> str:
    """The scenario counts of the run's last summary line (``46 passed, 34 failed, 1 skipped``), or ``""``."""
    for line in reversed(stdout.strip().splitlines()):
        match = SUMMARY.match(line.strip()) or SCENARIOS.match(line.strip())
        if match:
            return match.group(1).strip()
    return ""
