"""Benchmark 8: a default run against a remote-like target vs a bare client sending the same requests.

The target is ``benchmarks.latency_proxy`` (a fresh reference server behind 50 ms per answer and
Stripe's test-mode limit of 25 requests per sliding second, a fresh one per run). The run is
``stripe-conformance run --target <proxy> --rate-limit 24`` (the rate a run uses for a remote target
by default; the proxy is on loopback, where the default is unlimited) with a fixed seed, so every
run sends the same requests; the capture plugin logs them. The bare client (``benchmarks.bare_replay
--target <proxy> --pace 25``, a whole process) sends the captured requests one at a time at the best
legal pace. Runs and bare replays alternate. 429s come from the proxy's own count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from benchmarks.capture_plugin import CAPTURE_ENV
from benchmarks.figures import Figure
from benchmarks.latency_proxy import DEFAULT_LATENCY, DEFAULT_RATE
from benchmarks.measure import PYTHON, REPO, ChildRun, child_env, median, run_child, spread
from benchmarks.suite_overhead import fake_key
from conformance.http.ratelimit import DEFAULT_CONCURRENCY, DEFAULT_REMOTE_RATE

REMOTE_GOAL_S = 30.0
SEED = "bench-remote"


class Proxy:
    """A ``benchmarks.latency_proxy`` child: started with its URL known, stopped with its counters."""

    def __init__(self, latency: float, rate: int) -> None:
        """Start the child and read the URL it prints."""
        argv = [PYTHON, "-m", "benchmarks.latency_proxy", "--latency", str(latency), "--rate", str(rate)]
        env = {**child_env(), "PYTHONPATH": str(REPO)}
        self._child = subprocess.Popen(
            argv, cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._child.stdout is not None
        line = self._child.stdout.readline()
        if not line.startswith("PROXY "):
            self._child.kill()
            raise RuntimeError(f"latency proxy did not start: {line!r}")
        self.url = line.split()[1]

    def stop(self) -> dict[str, int]:
        """Close its stdin (it stops) and return its ``STATS`` counters."""
        out, _ = self._child.communicate(timeout=30)
        for line in out.splitlines():
            if line.startswith("STATS "):
                return dict(json.loads(line[6:]))
        raise RuntimeError("latency proxy printed no stats")


def suite_run(
    latency: float, rate: int, work: Path, i: int, concurrency: int | None = None, extra: tuple[str, ...] = ()
) -> tuple[ChildRun, dict[str, int], Path]:
    """One default run through a fresh proxy, capturing its requests (``extra``: more ``run`` arguments)."""
    capture = work / f"capture-{i}.jsonl"
    proxy = Proxy(latency, rate)
    try:
        env = {
            "STRIPE_API_KEY": fake_key(),
            "PYTHONPATH": str(REPO),
            "PYTEST_PLUGINS": "benchmarks.capture_plugin",
            CAPTURE_ENV: str(capture),
        }
        argv = [
            PYTHON,
            "-m",
            "conformance",
            "run",
            "--target",
            proxy.url,
            "--profile",
            "reference",
            "--rate-limit",
            f"{DEFAULT_REMOTE_RATE:g}",
            "--seed",
            SEED,
            "--report-dir",
            str(work / f"run-{i}"),
            *(["--concurrency", str(concurrency)] if concurrency else []),
            *extra,
        ]
        result = run_child(argv, env=env)
    finally:
        stats = proxy.stop()
    if result.returncode not in (0, 1):
        raise RuntimeError(f"run exited {result.returncode}: {result.stderr.strip()[-300:]}")
    return result, stats, capture


def bare_run(latency: float, rate: int, capture: Path) -> tuple[ChildRun, dict[str, int], dict[str, object]]:
    """The bare client, a whole process, replaying ``capture`` through a fresh proxy at ``rate`` per second."""
    proxy = Proxy(latency, rate)
    try:
        argv = [PYTHON, "-m", "benchmarks.bare_replay", str(capture), "--target", proxy.url, "--pace", str(rate)]
        result = run_child(argv, env={"PYTHONPATH": str(REPO)})
    finally:
        stats = proxy.stop()
    if result.returncode != 0:
        raise RuntimeError(f"bare replay failed: {result.stderr.strip()[-300:]}")
    return result, stats, dict(json.loads(result.stdout))


def run(runs: int, latency: float = DEFAULT_LATENCY, rate: int = DEFAULT_RATE) -> list[Figure]:
    """Alternate ``runs`` proxied default runs with bare replays of the first run's capture."""
    suite: list[ChildRun] = []
    bare: list[ChildRun] = []
    suite_429: list[int] = []
    bare_429: list[int] = []
    requests: list[int] = []
    reported: list[int] = []
    matched = ""
    with tempfile.TemporaryDirectory(prefix="stripe-bench-remote-") as tmp:
        work = Path(tmp)
        first: Path | None = None
        for i in range(runs):
            # Alternate which goes first (a fixed order biases a busy machine); round 0 needs the capture first.
            for variant in ("suite", "bare") if i % 2 == 0 else ("bare", "suite"):
                if variant == "suite":
                    child, stats, capture = suite_run(latency, rate, work, i)
                    first = first or capture
                    suite.append(child)
                    suite_429.append(stats["rate_limited"])
                    requests.append(stats["received"])
                    reported.append(_reported_requests(work / f"run-{i}" / "report.json"))
                else:
                    assert first is not None
                    child, stats, replayed = bare_run(latency, rate, first)
                    bare.append(child)
                    bare_429.append(stats["rate_limited"])
                    matched = f"{replayed['matched']}/{replayed['requests']} statuses as captured"
    walls = [child.wall for child in suite]
    bare_walls = [child.wall for child in bare]
    value = median(walls)
    count = median([float(n) for n in requests])
    floor = count / rate
    return [
        Figure(
            "8",
            f"default run via proxy ({latency * 1000:g} ms, {rate}/s), wall",
            value,
            "s",
            spread(walls),
            goal=f"≤ {REMOTE_GOAL_S:g} s",
            met=value <= REMOTE_GOAL_S,
            note=(
                f"--rate-limit {DEFAULT_REMOTE_RATE:g} --seed {SEED}, concurrency {DEFAULT_CONCURRENCY}; "
                f"CPU {median([c.cpu for c in suite]):.3g} s"
            ),
        ),
        Figure(
            "8",
            "  requests the proxy received per run",
            count,
            "",
            spread([float(n) for n in requests]),
            note=f"the runs' reports said {', '.join(map(str, reported))} (report.json traffic.requests)",
        ),
        Figure(
            "8",
            "  429s received by the run",
            median([float(n) for n in suite_429]),
            "",
            spread([float(n) for n in suite_429]),
        ),
        Figure(
            "8",
            "bare client, same requests, whole process, wall",
            median(bare_walls),
            "s",
            spread(bare_walls),
            note=f"one at a time, ≤ {rate}/s; {matched}; 429s {max(bare_429, default=0)}",
        ),
        Figure("8", "  ratio run / bare client, wall", value / median(bare_walls), "×"),
        Figure(
            "8",
            "  floor at the rate limit alone (requests / rate)",
            floor,
            "s",
            note=f"run / floor {value / floor:.2g}×; one at a time the latency caps a client at {1 / latency:g}/s",
        ),
    ]


def _reported_requests(report: Path) -> int:
    """The request count a run's ``report.json`` gives (-1: the report has none)."""
    try:
        return int(json.loads(report.read_text(encoding="utf-8"))["traffic"]["requests"])
    except (OSError, ValueError, KeyError, TypeError):
        return -1


def sweep(values: list[int], extra: tuple[str, ...] = ()) -> None:
    """Print one JSON line per concurrency value: the run's wall, CPU, requests, 429s and exit code."""
    with tempfile.TemporaryDirectory(prefix="stripe-bench-remote-") as tmp:
        for i, value in enumerate(values):
            child, stats, _ = suite_run(DEFAULT_LATENCY, DEFAULT_RATE, Path(tmp), i, value, extra)
            row = {"concurrency": value, "wall": round(child.wall, 2), "cpu": round(child.cpu, 2)}
            row.update(requests=stats["received"], rate_limited=stats["rate_limited"], exit=child.returncode)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.remote_target")
    parser.add_argument("--concurrency", default="1,2,4", help="comma-separated values to compare")
    parser.add_argument("--fuzz-examples", default=None, help="the run's --fuzz-examples (default: the run's)")
    options = parser.parse_args()
    budget = ("--fuzz-examples", options.fuzz_examples) if options.fuzz_examples else ()
    sweep([int(v) for v in options.concurrency.split(",")], budget)
