"""Benchmark the schema registry: valid objects per second and start-up cost.

Run as ``python benchmarks/bench_validation.py [--quick]``. Prints one table:

- per object (a card, a customer): the registry's fast path (``is_valid``), a full
  ``validate`` (which also looks for unknown fields), and plain ``jsonschema`` (the
  pure-Python validator over the same schemas, through a ``referencing`` registry),
  each as objects per second and microseconds per object;
- registry start-up: ``SchemaRegistry.load()`` alone and with the package import, in a
  fresh interpreter; and the first check of a type (lazy bundling and compilation).

Every figure is the median of 5 runs. The bodies are Stripe's own fixtures when the
shared reference folder is beside the repository, else built-in copies of the
documented examples.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "reference" / "stripe-fixtures-2026.json"
RUNS = 5

# Used when the shared fixtures are absent: the card of the Stripe API reference
# (seed 004) and a customer as the API reference documents it.
CARD: dict[str, Any] = {
    "id": "card_1MvoiELkdIwHu7ix0eFGbN9D",
    "object": "card",
    "address_city": None,
    "address_country": None,
    "address_line1": None,
    "address_line1_check": None,
    "address_line2": None,
    "address_state": None,
    "address_zip": None,
    "address_zip_check": None,
    "brand": "Visa",
    "country": "US",
    "customer": "cus_Nhd8HD2bY8dP3V",
    "cvc_check": None,
    "dynamic_last4": None,
    "exp_month": 4,
    "exp_year": 2024,
    "fingerprint": "mToisGZ01V71BCos",
    "funding": "credit",
    "last4": "4242",
    "metadata": {},
    "name": None,
    "tokenization_method": None,
}
CUSTOMER: dict[str, Any] = {
    "id": "cus_NffrFeUfNV2Hib",
    "object": "customer",
    "address": None,
    "balance": 0,
    "created": 1680893993,
    "currency": None,
    "default_source": None,
    "delinquent": False,
    "description": None,
    "discount": None,
    "email": "jennyrosen@example.com",
    "invoice_prefix": "0759376C",
    "invoice_settings": {
        "custom_fields": None,
        "default_payment_method": None,
        "footer": None,
        "rendering_options": None,
    },
    "livemode": False,
    "metadata": {},
    "name": "Jenny Rosen",
    "next_invoice_sequence": 1,
    "phone": None,
    "preferred_locales": [],
    "shipping": None,
    "tax_exempt": "none",
    "test_clock": None,
}

STARTUP_CHILD = """
import time
clocks = (time.perf_counter, time.process_time)
t0 = [c() for c in clocks]
from conformance.schemas import SchemaRegistry
t1 = [c() for c in clocks]
registry = SchemaRegistry.load()
t2 = [c() for c in clocks]
registry.is_valid({body!r})
t3 = [c() for c in clocks]
print(*(b[i] - a[i] for a, b in ((t0, t1), (t1, t2), (t2, t3)) for i in (0, 1)))
"""


def bodies() -> tuple[dict[str, dict[str, Any]], str]:
    """Return the card and customer bodies to validate, and where they come from."""
    if FIXTURES.is_file():
        resources = json.loads(FIXTURES.read_text())["resources"]
        return {"card": resources["card"], "customer": resources["customer"]}, str(FIXTURES)
    return {"card": CARD, "customer": CUSTOMER}, "built-in examples (fixtures absent)"


def rate(check: Callable[[], object], iterations: int) -> tuple[float, float]:
    """Return the median CPU and wall time of one call, over ``RUNS`` runs of ``iterations``.

    CPU time is the cost; wall time also counts waiting for a CPU on a busy machine.
    """
    cpu, wall = [], []
    for _ in range(RUNS):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        for _ in range(iterations):
            check()
        cpu.append((time.process_time() - start_cpu) / iterations)
        wall.append((time.perf_counter() - start_wall) / iterations)
    return statistics.median(cpu), statistics.median(wall)


def without_unknown_fields(registry: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``body`` without the fields the registry warns are unknown."""
    copy = json.loads(json.dumps(body))
    for finding in registry.validate(body):
        steps = [int(i) if i else key for key, i in re.findall(r"\.(\w+)|\[(\d+)\]", finding.json_path)]
        node = copy
        for step in steps[:-1]:
            node = node[step]
        del node[steps[-1]]
    assert registry.validate(copy) == []
    return copy


def startup() -> list[float]:
    """Return the medians of import, ``load()`` and first-check times in fresh interpreters.

    Six figures: wall and CPU time of each of the three steps.
    """
    runs = []
    for _ in range(RUNS):
        result = subprocess.run(
            [sys.executable, "-c", STARTUP_CHILD.format(body=CARD)],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(REPO)},
        )
        runs.append([float(value) for value in result.stdout.split()])
    return [statistics.median(column) for column in zip(*runs, strict=True)]


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations per run")
    args = parser.parse_args(argv)
    fast_n, slow_n = (2_000, 50) if args.quick else (20_000, 300)

    sys.path.insert(0, str(REPO))
    from jsonschema import Draft202012Validator

    from conformance.schemas import SchemaRegistry

    registry = SchemaRegistry.load()
    samples, origin = bodies()
    crawled = registry._store.crawled_registry()  # the same schemas, for plain jsonschema

    rows: list[tuple[str, str, tuple[float, float]]] = []
    for name, body in samples.items():
        known_only = without_unknown_fields(registry, body)
        assert registry.is_valid(body), f"{name} sample is not valid"
        plain = Draft202012Validator(registry.schema(name), registry=crawled)
        assert plain.is_valid(body)
        registry.validate(body)  # compile both variants before timing
        cases: list[tuple[str, Callable[[], object], int]] = [
            ("after: registry.is_valid (jsonschema_rs fast path)", lambda b=body: registry.is_valid(b), fast_n),
            ("after: registry.validate, known fields only", lambda b=known_only: registry.validate(b), fast_n),
            (
                "after: registry.validate, with unknown-field warnings",
                lambda b=body: registry.validate(b),
                fast_n // 10,
            ),
            ("before: plain jsonschema is_valid", lambda b=body, v=plain: v.is_valid(b), slow_n),
            ("before: plain jsonschema iter_errors", lambda b=body, v=plain: list(v.iter_errors(b)), slow_n),
        ]
        rows.extend((name, label, rate(check, n)) for label, check, n in cases)

    import_wall, import_cpu, load_wall, load_cpu, first_wall, first_cpu = startup()

    print(f"Schema validation throughput (median of {RUNS} runs; bodies: {origin})")
    print(f"{'object':<9} {'method':<55} {'objects/s':>10} {'us/object':>10} {'wall us':>9}")
    for name, method, (cpu, wall) in rows:
        print(f"{name:<9} {method:<55} {1 / cpu:>10,.0f} {cpu * 1e6:>10.2f} {wall * 1e6:>9.2f}")
    print("(objects/s and us/object in CPU time; wall us also counts waiting for a CPU)")
    print()
    print(f"Registry start-up (median of {RUNS} fresh interpreters)   {'CPU ms':>8} {'wall ms':>8}")
    print(f"  SchemaRegistry.load()                           {load_cpu * 1e3:8.2f} {load_wall * 1e3:8.2f}")
    startup_cpu, startup_wall = import_cpu + load_cpu, import_wall + load_wall
    print(f"  import conformance.schemas + load()             {startup_cpu * 1e3:8.2f} {startup_wall * 1e3:8.2f}")
    print(f"  first is_valid(card): bundle + compile, once    {first_cpu * 1e3:8.2f} {first_wall * 1e3:8.2f}")
    fast = max(cpu for _, method, (cpu, _) in rows if "is_valid (jsonschema_rs" in method)
    print()
    print(
        f"Goals: <= 5 us per valid object on the fast path (worst here: {fast * 1e6:.2f} us CPU); "
        f"<= 0.2 s start-up (import + load: {startup_cpu:.3f} s CPU, {startup_wall:.3f} s wall)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
