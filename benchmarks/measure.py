"""Timing primitives: medians, and child processes timed with their peak memory."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The repository root (benchmarks run against the working tree as it is)."""

PYTHON = sys.executable


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One finished child process: wall and CPU time, peak resident memory, exit status, output."""

    wall: float
    cpu: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None, timeout: float = 900
) -> ChildRun:
    """Run ``argv`` to completion; its wall time and ``ru_maxrss`` come from ``os.wait4`` on its pid."""
    full_env = {**child_env(), **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(list(argv), cwd=cwd or REPO, env=full_env, stdout=out, stderr=err)
        killer = threading.Timer(timeout, child.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)  # reaped here, not by Popen: wait4 gives its rusage
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return ChildRun(wall, cpu, usage.ru_maxrss / 1024, child.returncode, out.read().decode(), err.read().decode())


def child_env() -> dict[str, str]:
    """Return the environment for a child, with bytecode caching on as on a user's machine.

    Some sandboxes set ``PYTHONDONTWRITEBYTECODE``, which makes every run compile the project's
    modules (and pytest re-rewrite the scenario modules) from source: not what users wait for.
    """
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (NaN when empty)."""
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    """``min–max`` of ``values`` for the table's noise column."""
    if not values:
        return "-"
    low, high = min(values), max(values)
    return f"{low:.3g}–{high:.3g}" if high < 1000 else f"{low:,.0f}–{high:,.0f}"


def cpu_context() -> str:
    """One line about the machine: cores, model, load average."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {model}, load average {load}, Python {sys.version.split()[0]}"
