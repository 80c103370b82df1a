"""A concurrent mixed card workload against a target, and the invariants that must hold after it.

Several clients share a few customers. Each client only deletes, updates or reads back the cards it
attached itself, so every answer it gets is predictable whatever the other clients do; what the
clients do to the same customers at the same time is the concurrency under test. At the end the
target must list exactly the cards the clients attached and did not delete, once each, and each
customer's ``default_source`` must be one of its live cards (null only when it has none).
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from conformance.http import StripeClient, TransportSettings, build_transport

TOKENS = ("tok_visa", "tok_mastercard", "tok_visa_debit", "tok_amex")
OPERATIONS = ("attach", "attach", "delete", "update", "retrieve", "list", "set_default", "read_customer")


@dataclass
class ClientLog:
    """What one client did and saw."""

    attached: dict[str, set[str]] = field(default_factory=dict)  # customer -> cards still live
    deleted: dict[str, set[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class LoadResult:
    """The figures of one load run."""

    clients: int
    operations: int
    seconds: float
    statuses: Counter[int]
    counts: Counter[str]
    latencies: list[float]
    problems: list[str]
    expected: dict[str, set[str]]

    @property
    def throughput(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        server_errors = sum(n for status, n in self.statuses.items() if status >= 500)
        return (
            f"{self.clients} clients x {self.operations // self.clients} ops = {self.operations} operations in "
            f"{self.seconds:.2f} s ({self.throughput:.0f} ops/s); latency p50 {self.percentile(0.5) * 1000:.1f} ms, "
            f"p95 {self.percentile(0.95) * 1000:.1f} ms, p99 {self.percentile(0.99) * 1000:.1f} ms, "
            f"mean {statistics.fmean(self.latencies) * 1000 if self.latencies else 0:.1f} ms; "
            f"5xx: {server_errors}; statuses {dict(sorted(self.statuses.items()))}; "
            f"ops {dict(sorted(self.counts.items()))}; "
            f"live cards at the end: {sum(len(c) for c in self.expected.values())}"
        )


def make_client(url: str, key: str) -> StripeClient:
    # No retries and no rate limit: every answer the target gives is seen as given.
    return StripeClient(url, key, transport=build_transport(url, TransportSettings(timeout=30, retries=0, rate=0)))


def run_load(
    url: str, key: str, *, clients: int = 8, operations: int = 1000, customers: int = 4, seed: int = 1
) -> LoadResult:
    """Run ``clients`` threads of ``operations`` mixed card operations on ``customers`` shared customers."""
    setup = make_client(url, key)
    customer_ids = [setup.post("/v1/customers", {"description": "load"}).json()["id"] for _ in range(customers)]
    setup.close()
    logs = [ClientLog() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    threads = [
        threading.Thread(target=_work, args=(url, key, customer_ids, operations, random.Random(seed + n), log, start))
        for n, log in enumerate(logs)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    expected = {cid: set().union(*(log.attached.get(cid, set()) for log in logs)) for cid in customer_ids}
    return LoadResult(
        clients=clients,
        operations=sum(sum(log.counts.values()) for log in logs),
        seconds=seconds,
        statuses=sum((log.statuses for log in logs), Counter()),
        counts=sum((log.counts for log in logs), Counter()),
        latencies=[lat for log in logs for lat in log.latencies],
        problems=[p for log in logs for p in log.problems],
        expected=expected,
    )


def _work(url, key, customer_ids, operations, rng, log, start) -> None:
    client = make_client(url, key)
    start.wait()
    try:
        for _ in range(operations):
            customer = rng.choice(customer_ids)
            mine = log.attached.setdefault(customer, set())
            op = rng.choice(OPERATIONS)
            if op in ("delete", "update", "retrieve", "set_default") and not mine:
                op = "attach"
            _do(client, op, customer, mine, rng, log)
    finally:
        client.close()


def _do(client, op, customer, mine, rng, log) -> None:
    began = time.perf_counter()
    card = rng.choice(sorted(mine)) if mine else None
    if op == "attach":
        response = client.post(f"/v1/customers/{customer}/sources", {"source": rng.choice(TOKENS)})
    elif op == "delete":
        response = client.delete(f"/v1/customers/{customer}/sources/{card}")
    elif op == "update":
        response = client.post(f"/v1/customers/{customer}/sources/{card}", {"name": f"load {rng.randrange(10**6)}"})
    elif op == "retrieve":
        response = client.get(f"/v1/customers/{customer}/sources/{card}")
    elif op == "list":
        response = client.get(f"/v1/customers/{customer}/sources", {"limit": rng.choice((3, 10, 100))})
    elif op == "set_default":
        response = client.post(f"/v1/customers/{customer}", {"default_source": card})
    else:
        response = client.get(f"/v1/customers/{customer}")
    log.latencies.append(time.perf_counter() - began)
    log.counts[op] += 1
    log.statuses[response.status] += 1
    body = response.json()
    if response.status != 200 or not isinstance(body, dict):
        log.problems.append(f"{op} on {customer}: HTTP {response.status} {response.text[:200]}")
        return
    if op == "attach":
        mine.add(body["id"])
    elif op == "delete":
        mine.discard(card)
        log.deleted.setdefault(customer, set()).add(card)
        if body.get("deleted") is not True or body.get("id") != card:
            log.problems.append(f"delete {card}: answer {body}")
    elif op in ("retrieve", "update") and body.get("id") != card:
        log.problems.append(f"{op} {card}: answered {body.get('id')!r}")
    elif op == "set_default" and body.get("default_source") != card:
        log.problems.append(f"set_default {card}: answered {body.get('default_source')!r}")


def check_invariants(url: str, key: str, expected: dict[str, set[str]]) -> list[str]:
    """Return every broken invariant after a load run (empty when the target held up)."""
    client = make_client(url, key)
    problems: list[str] = []
    try:
        for customer, live in expected.items():
            listed = _walk(client, f"/v1/customers/{customer}/sources")
            as_cards = _walk(client, f"/v1/customers/{customer}/cards")
            duplicates = [card for card, n in Counter(listed).items() if n > 1]
            if duplicates:
                problems.append(f"{customer}: listed more than once: {duplicates}")
            if set(listed) != live:
                lost, extra = sorted(live - set(listed)), sorted(set(listed) - live)
                problems.append(f"{customer}: lost {lost}, unexpected {extra}")
            if sorted(as_cards) != sorted(listed):
                problems.append(f"{customer}: /cards and /sources disagree")
            default = client.get(f"/v1/customers/{customer}").json().get("default_source")
            if (default is None) != (not live) or (default is not None and default not in live):
                problems.append(f"{customer}: default_source {default!r} with live cards {sorted(live)[:5]}...")
            for card in live:
                response = client.get(f"/v1/customers/{customer}/sources/{card}")
                if response.status != 200 or response.json().get("customer") != customer:
                    problems.append(f"{customer}: {card} does not read back (HTTP {response.status})")
    finally:
        client.close()
    return problems


def _walk(client: StripeClient, path: str) -> list[str]:
    """Every id of a list, following ``starting_after`` pages of 7 (small pages test the cursors)."""
    ids: list[str] = []
    cursor = None
    for _ in range(10_000):
        params: dict[str, object] = {"limit": 7} | ({"starting_after": cursor} if cursor else {})
        body = client.get(path, params).json()
        page = [item["id"] for item in body["data"]]
        ids += page
        if not body["has_more"] or not page:
            return ids
        cursor = page[-1]
    raise AssertionError(f"{path}: the list never ends")
