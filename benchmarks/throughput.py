"""Benchmark 4: requests per second of the reference server vs localstripe under the same ``wrk`` load.

Each server runs in its own process on a free loopback port, all of them at once. One customer with
one card is made on each, then ``wrk`` (keep-alive) fetches the customer and the card list with 1
and with 10 connections. The servers take turns run by run (the order rotates), so that a change
of the machine's load during the benchmark falls on all of them alike; the ratio of two servers
measured minutes apart on a shared machine moved by 2× (benchmarks/RESULTS.md). Besides requests
per second, the server's own CPU time per request is read from ``/proc`` (Linux): it depends far
less on what else the machine runs.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.figures import Figure, skipped
from benchmarks.measure import PYTHON, REPO, child_env, median, spread

LOCALSTRIPE_PYTHON = Path("/work/venv-localstripe/bin/python")
THROUGHPUT_GOAL = 2.0
API_KEY = "sk_test_benchthroughput0000000001"
CONNECTIONS = (1, 10)
HELLO = "hello-world on the same stack"


@dataclass(frozen=True, slots=True)
class Server:
    """A server under load: its name and the command serving it on ``{port}``."""

    name: str
    argv: tuple[str, ...]
    mints_tokens: bool = False


def servers() -> list[Server]:
    """The reference server, and localstripe when its virtualenv is there."""
    found = [
        Server("reference", (PYTHON, "-m", "conformance.reference", "--port", "{port}")),
        Server("reference on h11+asyncio", (PYTHON, "-m", "benchmarks.serve_reference", "{port}", "h11", "asyncio")),
        Server(HELLO, (PYTHON, "-m", "benchmarks.serve_hello", "{port}")),
    ]
    if LOCALSTRIPE_PYTHON.exists():
        found.append(
            Server("localstripe", (str(LOCALSTRIPE_PYTHON), str(REPO / "peers/localstripe/serve.py"), "{port}"), True)
        )
    return found


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(server: Server) -> Iterator[tuple[int, int]]:
    """Run ``server`` on a free port until the block ends; yield its port and pid once it answers."""
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in server.argv]
    child = subprocess.Popen(argv, cwd=REPO, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{server.name} did not start: {child.stderr.read().decode()[-300:]}") from None
                time.sleep(0.05)
        yield port, child.pid
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _post(port: int, path: str, form: dict[str, str]) -> dict[str, object]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            path,
            urlencode(form),
            {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"POST {path}: HTTP {response.status} {body}")
    return dict(body)


def make_customer_with_card(port: int, mint: bool) -> str:
    """Create a customer with one card (through a minted token where fixed test tokens are missing)."""
    customer = str(_post(port, "/v1/customers", {"email": "bench@example.com"})["id"])
    token = "tok_visa"
    if mint:
        card = {
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        }
        token = str(_post(port, "/v1/tokens", card)["id"])
    _post(port, f"/v1/customers/{customer}/sources", {"source": token})
    return customer


REQUESTS_PER_SECOND = re.compile(r"Requests/sec:\s+([\d.]+)")
REQUESTS_DONE = re.compile(r"(\d+) requests in ")
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


@dataclass(frozen=True, slots=True)
class WrkRun:
    """One ``wrk`` run: requests per second, requests answered, non-2xx answers."""

    rate: float
    requests: int
    errors: int


def wrk(url: str, connections: int, seconds: int) -> WrkRun:
    """Run ``wrk`` once against ``url`` (one thread, keep-alive)."""
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "-H",
        f"Authorization: Bearer {API_KEY}",
        "-H",
        "Stripe-Version: 2023-08-16",
        url,
    ]
    output = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    rate, done = REQUESTS_PER_SECOND.search(output), REQUESTS_DONE.search(output)
    if rate is None or done is None:
        raise RuntimeError(f"wrk printed no rate: {output[-300:]}")
    errors = NON_2XX.search(output)
    return WrkRun(float(rate.group(1)), int(done.group(1)), int(errors.group(1)) if errors else 0)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (all its threads), or ``None`` without ``/proc``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def endpoints(customer: str) -> dict[str, str]:
    """The two loads: an authenticated customer GET and a card list."""
    return {
        "GET customer": f"/v1/customers/{customer}",
        "GET card list": f"/v1/customers/{customer}/sources?object=card",
    }


@dataclass
class Samples:
    """What one server did under one load, run by run."""

    rates: list[float] = field(default_factory=list)
    cpu_per_request: list[float] = field(default_factory=list)


Load = tuple[str, int]
"""An endpoint name and a number of connections."""


def measure_interleaved(found: list[Server], runs: int, seconds: int) -> dict[str, dict[Load, Samples]]:
    """Serve every server at once and measure each load ``runs`` times per server, servers taking turns."""
    measured: dict[str, dict[Load, Samples]] = {server.name: {} for server in found}
    with contextlib.ExitStack() as stack:
        running = [(server, *stack.enter_context(serving(server))) for server in found]
        paths = {
            server.name: endpoints(make_customer_with_card(port, server.mints_tokens)) for server, port, _ in running
        }
        for name in endpoints(""):
            for connections in CONNECTIONS:
                for server, port, _ in running:
                    wrk(f"http://127.0.0.1:{port}{paths[server.name][name]}", connections, 1)  # warm-up
                for turn in range(runs):
                    shift = turn % len(running)
                    for server, port, pid in running[shift:] + running[:shift]:
                        before = cpu_seconds(pid)
                        result = wrk(f"http://127.0.0.1:{port}{paths[server.name][name]}", connections, seconds)
                        after = cpu_seconds(pid)
                        if result.errors:
                            raise RuntimeError(f"{server.name} {name}: {result.errors} non-2xx answers under load")
                        samples = measured[server.name].setdefault((name, connections), Samples())
                        samples.rates.append(result.rate)
                        if before is not None and after is not None and result.requests:
                            samples.cpu_per_request.append((after - before) / result.requests * 1e6)
    return measured


def run(runs: int, seconds: int) -> list[Figure]:
    """The table rows of benchmark 4."""
    if shutil.which("wrk") is None:
        return [skipped("4", "server throughput", "wrk is not installed (apt-get install -y wrk)")]
    measured = measure_interleaved(servers(), runs, seconds)
    rows: list[Figure] = []
    for key, ours in measured["reference"].items():
        name, connections = key
        rows.append(
            Figure("4", f"reference {name}, {connections} conn", median(ours.rates), "req/s", spread(ours.rates))
        )
        plain = measured.get("reference on h11+asyncio", {}).get(key)
        if plain:
            rows.append(
                Figure(
                    "4",
                    "  same on h11+asyncio (no httptools/uvloop)",
                    median(plain.rates),
                    "req/s",
                    spread(plain.rates),
                )
            )
        theirs = measured.get("localstripe", {}).get(key)
        if theirs is None:
            rows.append(
                skipped("4", f"  vs localstripe, {connections} conn", f"no localstripe at {LOCALSTRIPE_PYTHON}")
            )
            continue
        ratio = median(ours.rates) / median(theirs.rates)
        ceiling = measured.get(HELLO, {}).get(key)
        if ceiling:
            rows.append(
                Figure(
                    "4",
                    f"  {HELLO} (no work: the ceiling)",
                    median(ceiling.rates),
                    "req/s",
                    spread(ceiling.rates),
                    note=f"{median(ceiling.rates) / median(theirs.rates):.2g}× localstripe",
                )
            )
        rows.append(
            Figure(
                "4", f"  localstripe {name}, {connections} conn", median(theirs.rates), "req/s", spread(theirs.rates)
            )
        )
        rows.append(
            Figure(
                "4",
                "  reference / localstripe",
                ratio,
                "×",
                goal=f"≥ {THROUGHPUT_GOAL:g}×",
                met=ratio >= THROUGHPUT_GOAL,
            )
        )
        if ours.cpu_per_request and theirs.cpu_per_request:
            cpu_ratio = median(theirs.cpu_per_request) / median(ours.cpu_per_request)
            rows.append(
                Figure(
                    "4",
                    "  server CPU per request, reference / localstripe",
                    median(ours.cpu_per_request),
                    f"µs / {median(theirs.cpu_per_request):.0f} µs",
                    spread(ours.cpu_per_request),
                    note=f"localstripe needs {cpu_ratio:.2g}× the CPU",
                )
            )
    return rows
