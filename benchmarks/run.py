"""Run every benchmark and print one table: ``python benchmarks/run.py [--quick] [--only 1,4,7]``.

1 suite overhead vs a bare client, 2 validation, 3 offline replay vs live, 4 server throughput vs
localstripe, 5 peak memory, 6 requests per area, 7 start-up, 8 a run against a remote-like target
(latency and Stripe's rate limit) vs a bare client. Medians of 5 runs (2–3 with --quick; benchmark 8,
about a minute per run, at most 3).
Benchmarks are not tests: they print figures and their goals, and exit 0 whether goals are met or not.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import cassette_replay, remote_target, startup, suite_overhead, throughput, validation
from benchmarks.figures import Figure, skipped, table
from benchmarks.measure import REPO, cpu_context

ALL = ("1", "2", "3", "4", "5", "6", "7", "8")


def _commit() -> str:
    result = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True)
    return result.stdout.strip() + (" (+ uncommitted changes)" if dirty.stdout.strip() else "")


def _guarded(bench: str, what: str, measure: Callable[[], list[Figure]]) -> list[Figure]:
    """Run one benchmark; a crash becomes a skipped row with the reason, not a lost table."""
    try:
        return measure()
    except Exception as exc:
        return [skipped(bench, what, f"{type(exc).__name__}: {str(exc)[:300]}")]


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks and print the table (and optionally write it as JSON)."""
    parser = argparse.ArgumentParser(prog="python benchmarks/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (a smoke test of the harness)")
    parser.add_argument("--only", default=",".join(ALL), help="comma-separated benchmark numbers (default: all)")
    parser.add_argument("--runs", type=int, help="runs per median (default 5, or 2 with --quick)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    options = parser.parse_args(argv)
    only = set(options.only.split(","))
    runs = options.runs or (2 if options.quick else 5)
    started = time.time()
    print(f"# stripe-conformance benchmarks — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"machine: {cpu_context()}")
    print(f"tree: {_commit()}")
    print(f"command: python benchmarks/run.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"runs per median: {runs}")
    if "PYTHONDONTWRITEBYTECODE" in os.environ:
        print("note: PYTHONDONTWRITEBYTECODE is set here; children run without it (bytecode cached, as for users)")
    print(flush=True)

    figures: list[Figure] = []
    extra = ""
    if only & {"1", "5", "6"}:
        rows = _guarded("1", "suite overhead", lambda: suite_overhead.run(runs))
        figures += [row for row in rows if row.bench in only or row.note.startswith("skipped")]
    if "2" in only:
        try:
            rows, extra = validation.run(options.quick)
        except Exception as exc:
            rows = [skipped("2", "validation", f"{type(exc).__name__}: {exc}")]
        figures += rows
    if "3" in only:
        figures += _guarded("3", "offline replay", lambda: cassette_replay.run(runs))
    if "4" in only:
        figures += _guarded(
            "4", "server throughput", lambda: throughput.run(1 if options.quick else runs, 1 if options.quick else 2)
        )
    if "7" in only:
        figures += _guarded("7", "start-up", lambda: startup.run(3 if options.quick else runs))
    if "8" in only:
        figures += _guarded("8", "remote target", lambda: remote_target.run(1 if options.quick else min(runs, 3)))
    figures.sort(key=lambda row: row.bench)
    print(table(figures))
    if extra:
        print("\nBenchmark 2 (bench_validation.py) printed:\n" + extra.rstrip())
    print(f"\n(took {time.time() - started:.0f} s; a busy machine makes wall times noisy: compare medians and CPU)")
    if options.json:
        options.json.write_text(json.dumps([dataclasses.asdict(row) for row in figures], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
