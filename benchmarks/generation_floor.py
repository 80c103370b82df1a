"""A lower bound on a default run's CPU: the operations fuzz's cases drawn, then the run's requests sent bare.

Run as ``python -m benchmarks.generation_floor CAPTURE.jsonl [--examples N] [--seed S]``. In one
process it imports pytest, Schemathesis and Hypothesis, loads the fuzzing surface as a run does,
draws every example the operations fuzz draws (the same strategies, counts and per-test seeds, with
a test body that does nothing), then starts a reference server and sends the captured requests over
one bare ``http.client`` connection, as ``benchmarks.bare_replay`` does. Prints one JSON object: CPU seconds
of the imports, of the draws (the surface load included) and of the sends, and how many examples
were drawn and requests sent.

No run that fuzzes through Schemathesis and sends those requests can cost less CPU than this whole
process: it leaves out pytest's start-up and collection, the scenarios, the checks, the state
machine's draws and the reports. Benchmark 1 prints the ratio it allows against the bare floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def draw_operations_fuzz(examples: int, seed: str) -> int:
    """Draw what the operations fuzz draws at budget ``examples`` and run seed ``seed``; return how many."""
    import hypothesis

    from conformance.fuzz.budget import FuzzBudget
    from conformance.fuzz.config import hypothesis_settings
    from conformance.fuzz.determinism import without_local_constants
    from conformance.fuzz.injections import Injection
    from conformance.fuzz.session import LoadedSurface
    from conformance.fuzz.stateless import example_plan
    from conformance.fuzz.stateless import examples as example_strategy
    from conformance.fuzz.surface import operations

    surface = LoadedSurface.load("http://127.0.0.1:9")
    budget = FuzzBudget(examples=examples, seed=seed)

    def draw(operation: Any, injection: Injection | None, count: int, name: str) -> int:
        seen = 0

        @hypothesis.seed(budget.seed_for(name))
        @hypothesis.settings(hypothesis_settings(count, shrink=False))
        @hypothesis.given(case=example_strategy(surface, operation, injection, surface.view.today))
        def run(case: object) -> None:
            nonlocal seen
            seen += 1

        with without_local_constants():
            run()
        return seen

    drawn = 0
    for ref in operations(surface.view.document):
        operation = surface.operation(ref.method, ref.path)
        for injection, count, name in example_plan(ref.operation_id, budget.examples):
            drawn += draw(operation, injection, count, name)
    return drawn


def main(argv: list[str] | None = None) -> None:
    """Draw the operations fuzz's examples, send the captured requests, print the CPU each part cost."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generation_floor")
    parser.add_argument("capture", type=Path, help="requests of a run, written by benchmarks.capture_plugin")
    parser.add_argument("--examples", type=int, help="fuzz budget (default: a loopback run's)")
    parser.add_argument("--seed", default="bench-floor")
    options = parser.parse_args(argv)
    started = time.process_time()
    # The engine every run imports: both front-ends run the scenarios under pytest.
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    import schemathesis  # noqa: F401

    from conformance.settings.options import DEFAULT_EXAMPLES

    imported = time.process_time()
    drawn = draw_operations_fuzz(options.examples or DEFAULT_EXAMPLES, options.seed)
    generated = time.process_time()

    from benchmarks.bare_replay import load_exchanges, replay_on_fresh_server

    _, _, sent, matched = replay_on_fresh_server(load_exchanges(options.capture))
    json.dump(
        {
            "imports": imported - started,
            "draws": generated - imported,
            "sends": time.process_time() - generated,
            "examples": drawn,
            "requests": sent,
            "matched": matched,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
