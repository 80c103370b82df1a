"""Benchmarks 1, 5 and 6: a default run vs the bare floor, its peak memory, its requests per area.

Live runs are ``python -m conformance run`` children against the built-in reference server; their wall
time, CPU time and ``ru_maxrss`` come from ``os.wait4``. One more run carries the capture plugin and
logs every request; ``benchmarks.bare_replay`` then sends those requests with ``http.client``, and
``benchmarks.generation_floor`` draws the operations fuzz's cases before sending them the same way:
the least CPU a run that fuzzes through Schemathesis could cost, so the lowest ratio it could reach.
Peak memory is judged over at least ``RSS_RUNS`` timed runs (``--runs 10``) and one more run
started in an empty directory, where Hypothesis finds none of the tables an earlier run cached.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.capture_plugin import CAPTURE_ENV
from benchmarks.figures import Figure
from benchmarks.measure import PYTHON, REPO, ChildRun, median, run_child, spread

OVERHEAD_GOAL = 1.5
WHOLE_PROCESS_GOAL = 3.0
"""Issue 20's loopback goal: a default run's CPU at most this many times the whole-process bare replay's."""
MEMORY_GOAL_MB = 300.0
RSS_RUNS = 10
"""The memory goal is judged over this many default runs at least (``--runs 10``): every one must meet it."""
TOP_SCENARIOS = 5
ALLURE_OFF = {"PYTEST_PLUGINS": "benchmarks.allure_off_plugin"}


@dataclass(frozen=True, slots=True)
class SuiteRuns:
    """The live runs, the capture, and the bare replays of one benchmark invocation."""

    live: list[ChildRun]
    captured: list[dict[str, object]]
    bare_wall: list[float]
    bare_cpu: list[float]
    bare_matched: int
    stack_wall: list[float]
    stack_cpu: list[float]
    no_allure: list[ChildRun] = dataclasses.field(default_factory=list)
    files: list[int] = dataclasses.field(default_factory=list)
    """Files each timed default run left in its report directory (reports and allure-results/)."""
    bare_process: list[ChildRun] = dataclasses.field(default_factory=list)
    """The bare replay as whole processes (interpreter start, imports, server start, sends), interleaved."""
    fresh: ChildRun | None = None
    """One default run started in an empty directory: no ``.hypothesis/`` left by an earlier run (a CI checkout)."""
    floor: list[ChildRun] = dataclasses.field(default_factory=list)
    """``benchmarks.generation_floor`` processes: the operations fuzz's draws plus the bare sends, interleaved."""


def fake_key() -> str:
    """A made-up test key for the reference server (never a real one from the environment)."""
    return "sk_test_bench" + secrets.token_hex(8)


def live_run(
    report_dir: Path,
    *,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    cwd: Path | None = None,
) -> ChildRun:
    """One default ``stripe-conformance run`` in a child process (in ``cwd``, default the repository)."""
    env = {"STRIPE_API_KEY": fake_key(), "PYTHONPATH": str(REPO), **(extra_env or {})}
    argv = [PYTHON, "-m", "conformance", "run", "--report-dir", str(report_dir), *args]
    result = run_child(argv, env=env, cwd=cwd)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"run exited {result.returncode}: {result.stderr.strip()[-500:]}")
    return result


def measure(runs: int, workdir: Path) -> SuiteRuns:
    """Capture one run, then time ``runs`` default runs interleaved with whole-process bare replays of it."""
    capture = workdir / "capture.jsonl"
    live_run(
        workdir / "report-capture", extra_env={"PYTEST_PLUGINS": "benchmarks.capture_plugin", CAPTURE_ENV: str(capture)}
    )
    captured = [json.loads(line) for line in capture.read_text(encoding="utf-8").splitlines()]
    live: list[ChildRun] = []
    no_allure: list[ChildRun] = []
    whole: list[ChildRun] = []
    files: list[int] = []
    floor: list[ChildRun] = []
    variants: tuple[tuple[str, dict[str, str] | None], ...] = (
        ("report", None),
        ("plain", ALLURE_OFF),
        ("bare", None),
        ("floor", None),
    )
    for i in range(runs):  # alternate the order: a fixed order biases the comparison
        for name, env in variants if i % 2 == 0 else variants[::-1]:
            if name == "bare":
                whole.append(_bare_process(capture))
                continue
            if name == "floor":
                floor.append(_floor_process(capture))
                continue
            run = live_run(workdir / f"{name}-{i}", extra_env=env)
            (live if env is None else no_allure).append(run)
            if env is None:
                files.append(files_written(workdir / f"{name}-{i}"))
    empty = workdir / "empty-cwd"
    empty.mkdir()
    fresh = live_run(workdir / "report-fresh", cwd=empty)
    bare = _replay(capture, runs, "http.client")
    stack = _replay(capture, runs, "transport")
    return SuiteRuns(
        live,
        captured,
        bare["wall"],
        bare["cpu"],
        bare["matched"],
        stack["wall"],
        stack["cpu"],
        no_allure,
        files,
        whole,
        fresh,
        floor,
    )


def _bare_process(capture: Path) -> ChildRun:
    """The floor as a whole process: interpreter, imports, a reference server started, the requests sent once."""
    argv = [PYTHON, "-m", "benchmarks.bare_replay", str(capture), "--repeat", "1"]
    result = run_child(argv, env={"PYTHONPATH": str(REPO)})
    if result.returncode != 0:
        raise RuntimeError(f"whole-process bare replay failed: {result.stderr.strip()[-500:]}")
    return result


def _floor_process(capture: Path) -> ChildRun:
    """The floor of a run that fuzzes: the engine imported, the operations fuzz's cases drawn, the requests sent."""
    argv = [PYTHON, "-m", "benchmarks.generation_floor", str(capture)]
    result = run_child(argv, env={"PYTHONPATH": str(REPO)})
    if result.returncode != 0:
        raise RuntimeError(f"generation floor failed: {result.stderr.strip()[-500:]}")
    return result


def files_written(report_dir: Path) -> int:
    """How many files a run wrote under its report directory."""
    return sum(1 for path in report_dir.rglob("*") if path.is_file())


def _replay(capture: Path, runs: int, client: str) -> dict[str, Any]:
    argv = [PYTHON, "-m", "benchmarks.bare_replay", str(capture), "--repeat", str(runs), "--client", client]
    replayed = run_child(argv, env={"PYTHONPATH": str(REPO)})
    if replayed.returncode != 0:
        raise RuntimeError(f"replay with {client} failed: {replayed.stderr.strip()[-500:]}")
    return dict(json.loads(replayed.stdout))


def figures(result: SuiteRuns) -> list[Figure]:
    """The table rows of benchmarks 1, 5 and 6."""
    walls = [run.wall for run in result.live]
    cpus = [run.cpu for run in result.live]
    rss = [run.maxrss_mb for run in result.live]
    everyone = rss + ([result.fresh.maxrss_mb] if result.fresh is not None else [])
    count = len(result.captured)
    ratio = median(walls) / median(result.bare_wall)
    cpu_ratio = median(cpus) / median(result.bare_cpu)
    in_run = sum(float(str(row.get("elapsed", 0.0))) for row in result.captured)
    rows = [
        Figure("1", "default run, wall", median(walls), "s", spread(walls)),
        Figure("1", "default run, CPU (user+sys)", median(cpus), "s", spread(cpus)),
        Figure(
            "1",
            f"bare http.client, same {count} requests, wall",
            median(result.bare_wall),
            "s",
            spread(result.bare_wall),
            note=f"{result.bare_matched}/{count} statuses as captured",
        ),
        Figure("1", "bare http.client, CPU (client+server)", median(result.bare_cpu), "s", spread(result.bare_cpu)),
        Figure(
            "1",
            "same requests through the suite's transport stack, wall",
            median(result.stack_wall),
            "s",
            spread(result.stack_wall),
            note=f"{median(result.stack_wall) / median(result.bare_wall):.2g}× bare wall, "
            f"{median(result.stack_cpu) / median(result.bare_cpu):.2g}× bare CPU (build_transport: retries, urllib3)",
        ),
        Figure(
            "1",
            "overhead ratio vs the send loop only, wall",
            ratio,
            "×",
            goal=f"≤ {OVERHEAD_GOAL:g}×",
            met=ratio <= OVERHEAD_GOAL,
            note="flatters the floor: the bare side leaves out its start-up",
        ),
        Figure("1", "overhead ratio vs the send loop only, CPU", cpu_ratio, "×", note="less sensitive to load"),
        Figure(
            "1",
            "  of which HTTP inside the run (sum of request times)",
            in_run,
            "s",
            note=f"{in_run / median(result.bare_wall):.2g}× the bare client: the transport stack itself",
        ),
        Figure(
            "5",
            "peak RSS of a default run, median",
            median(rss),
            "MB",
            spread(rss),
            note=f"{len(rss)} runs" + ("" if len(rss) >= RSS_RUNS else f": fewer than {RSS_RUNS}, not judged"),
        ),
        Figure(
            "5",
            "peak RSS of a default run, max",
            max(rss, default=float("nan")),
            "MB",
            goal=f"≤ {MEMORY_GOAL_MB:g} MB in every run",
            met=max(everyone) <= MEMORY_GOAL_MB if len(rss) >= RSS_RUNS else None,
            note="" if result.fresh is None else "judged with the run in an empty directory too",
        ),
    ]
    if result.bare_process:
        whole_walls = [child.wall for child in result.bare_process]
        whole_cpus = [child.cpu for child in result.bare_process]
        whole_cpu_ratio = median(cpus) / median(whole_cpus)
        rows[5:5] = [
            Figure(
                "1",
                "bare client as a whole process (start-up, server, sends), wall",
                median(whole_walls),
                "s",
                spread(whole_walls),
                note=f"CPU {median(whole_cpus):.3g} s; interleaved with the default runs",
            ),
            Figure(
                "1",
                "overhead ratio vs the whole-process floor, wall",
                median(walls) / median(whole_walls),
                "×",
                note="the run's wall time includes its waits for a new second (distinct created timestamps)",
            ),
            Figure(
                "1",
                "overhead ratio vs the whole-process floor, CPU",
                whole_cpu_ratio,
                "×",
                goal=f"≤ {WHOLE_PROCESS_GOAL:g}×",
                met=whole_cpu_ratio <= WHOLE_PROCESS_GOAL,
            ),
            *_floor_rows(result.floor, median(whole_cpus)),
        ]
    if result.fresh is not None:
        rows.append(
            Figure(
                "5",
                "peak RSS of a default run in an empty directory (no .hypothesis/ yet)",
                result.fresh.maxrss_mb,
                "MB",
                note=f"CPU {result.fresh.cpu:.3g} s, wall {result.fresh.wall:.3g} s (one run)",
            )
        )
    if result.files:
        rows.insert(2, Figure("1", "  files written by the run", median(result.files), "", spread(result.files)))
    if result.no_allure:
        off_walls = [run.wall for run in result.no_allure]
        off_cpus = [run.cpu for run in result.no_allure]
        rows.insert(
            2,
            Figure(
                "1",
                "  same run with Allure results off, wall",
                median(off_walls),
                "s",
                spread(off_walls),
                note=f"CPU {median(off_cpus):.3g} s: allure-results/ costs "
                f"{1 - median(off_cpus) / median(cpus):.0%} of the run's CPU",
            ),
        )
    areas = collections.Counter(str(row["area"]) for row in result.captured)
    scenarios = len({row["scenario"] for row in result.captured})
    rows.append(Figure("6", "requests per default run", count, "", note=f"{scenarios} scenarios sent requests"))
    for area, n in sorted(areas.items(), key=lambda item: -item[1]):
        rows.append(Figure("6", f"  area {area}", n, ""))
    per_scenario = collections.Counter(str(row["scenario"]) for row in result.captured if row["scenario"])
    for scenario, n in per_scenario.most_common(TOP_SCENARIOS):
        rows.append(Figure("6", f"  most: {scenario.rpartition('/')[2]}", n, ""))
    return rows


def _floor_rows(floor: list[ChildRun], bare_cpu: float) -> list[Figure]:
    """The generation floor's rows: its CPU, what it is made of, and the lowest ratio it leaves a run."""
    if not floor:
        return []
    parts = [json.loads(child.stdout) for child in floor]
    cpus = [child.cpu for child in floor]
    lowest = median(cpus) / bare_cpu
    made_of = ", ".join(
        f"{name} {median([float(p[name]) for p in parts]):.2g} s" for name in ("imports", "draws", "sends")
    )
    return [
        Figure(
            "1",
            "floor of a run that fuzzes (engine imported, the fuzz's cases drawn, the same requests sent), CPU",
            median(cpus),
            "s",
            spread(cpus),
            note=f"{made_of}; {parts[0]['examples']} examples drawn; interleaved",
        ),
        Figure(
            "1",
            "  lowest CPU ratio a run drawing those cases can reach",
            lowest,
            "×",
            note=f"the ≤ {WHOLE_PROCESS_GOAL:g}× goal is below it" if lowest > WHOLE_PROCESS_GOAL else "",
        ),
    ]


def run(runs: int) -> list[Figure]:
    """Measure and return the figures (in a temporary directory, removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="stripe-bench-") as tmp:
        return figures(measure(runs, Path(tmp)))
