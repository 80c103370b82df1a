"""Detection vs requests: mutants of tests/mutants caught, and requests sent, at a few fuzz budgets.

Run as ``python -m benchmarks.detection --budgets 1,3 [--part fuzz|all] [--seed S] [--only ID,...]``.
For each budget and each mutant (and the faithful server first) it serves that one fault on loopback
in this process, behind a middleware that counts the requests the run sends, and runs
``stripe-conformance run --target URL --fuzz-examples N --seed S`` (with ``-m fuzz`` when ``--part
fuzz``: the fuzzing alone, which is what the budget changes; the hand-written scenarios send the
same requests at every budget). Besides the mutants of ``tests/mutants``, the faults only the
fuzzing catches (``tests/fuzz/test_fuzz_mutants.py``: no hand-written scenario meets them) are served
the same way, with ids ``fuzz-only.<class>``. A mutant counts as caught when the run exits 1 with a
requirement failed or in error. Prints one JSON line per run, then a Markdown table per budget.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MUTANTS_DIR = REPO / "tests" / "mutants"
FUZZ_TESTS_DIR = REPO / "tests" / "fuzz"
SEED = "bench-detection"


class CountingApp:
    """ASGI middleware counting the HTTP requests that reach ``app``."""

    def __init__(self, app: Callable[..., Any]) -> None:
        """Wrap ``app``."""
        self.app = app
        self.requests = 0

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        """Count, then pass on."""
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


def _run(url: str, budget: int, part: str, seed: str, stripe_version: str | None, work: Path) -> dict[str, Any]:
    args = [sys.executable, "-m", "conformance", "run", "--target", url, "--report-dir", str(work)]
    args += ["--fuzz-examples", str(budget), "--seed", seed]
    if part == "fuzz":
        args += ["-m", "fuzz"]
    if stripe_version:
        args += ["--stripe-version", stripe_version]
    env = {**os.environ, "STRIPE_API_KEY": "sk_test_benchdetection"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, env=env)
    path = work / "report.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    failed = sorted(r["id"] for r in report.get("requirements", []) if r["status"] in ("failed", "error"))
    return {
        "exit": result.returncode,
        "failed": failed,
        "wall": round(time.perf_counter() - started, 2),
        "tail": "" if path.exists() else (result.stdout + result.stderr)[-300:],
    }


def main(argv: list[str] | None = None) -> None:
    """Measure every selected mutant at every budget and print the rows and the tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.detection")
    parser.add_argument("--budgets", default="1,3")
    parser.add_argument("--part", choices=("fuzz", "all"), default="fuzz")
    parser.add_argument("--seed", default=SEED)
    parser.add_argument("--only", default="", help="comma-separated mutant ids (default: all)")
    options = parser.parse_args(argv)
    sys.path[:0] = [str(MUTANTS_DIR), str(FUZZ_TESTS_DIR)]
    from test_fuzz_mutants import FUZZ_ONLY, OnrampSessionReadsBackDifferently
    from test_mutants import MUTANTS, Mutant

    from conformance.reference import ReferenceServer, Store, create_app

    only = set(filter(None, options.only.split(",")))
    fuzz_only = [OnrampSessionReadsBackDifferently, *(store for store, _, _ in FUZZ_ONLY)]
    catalogue = [
        *MUTANTS,
        *(Mutant(f"fuzz-only.{store.__name__}", "fuzz", store.__doc__ or "", (), store=store) for store in fuzz_only),
    ]
    chosen = [m for m in catalogue if not only or m.id in only]
    tables = []
    for budget in (int(b) for b in options.budgets.split(",")):
        rows = []
        for mutant in [None, *chosen]:
            if mutant is None:
                app = CountingApp(create_app(Store()))
            else:
                assert isinstance(mutant, Mutant)
                inner = mutant.app() if mutant.app is not None else create_app(mutant.store())  # type: ignore[misc]
                app = CountingApp(inner)
            with tempfile.TemporaryDirectory() as tmp, ReferenceServer(app=app) as server:  # type: ignore[arg-type]
                version = mutant.stripe_version if mutant is not None else None
                row = _run(server.url, budget, options.part, options.seed, version, Path(tmp))
            row.update(budget=budget, mutant=mutant.id if mutant else "(faithful)", requests=app.requests)
            row["caught"] = mutant is not None and row["exit"] == 1 and bool(row["failed"])
            rows.append(row)
            print(json.dumps(row), flush=True)
        faithful, mutants = rows[0], rows[1:]
        caught = [r["mutant"] for r in mutants if r["caught"]]
        tables.append(
            f"| {budget} | {options.part} | {faithful['requests']} | {len(caught)}/{len(mutants)} | "
            f"{'conforms' if faithful['exit'] == 0 else 'FAILS ' + ','.join(faithful['failed'])} | "
            f"{', '.join(caught) or '-'} |"
        )
    print("\n| fuzz budget | part | requests (faithful) | mutants caught | faithful | caught |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(tables))


if __name__ == "__main__":
    main()
