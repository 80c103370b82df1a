"""Benchmark 4: requests per second of the reference server vs localstripe under the same ``wrk`` load.

Each server runs in its own process on a free loopback port. One customer with one card is made,
then ``wrk`` (keep-alive) fetches the customer and the card list with 1 and with 10 connections.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.figures import Figure, skipped
from benchmarks.measure import PYTHON, REPO, child_env, median, spread

LOCALSTRIPE_PYTHON = Path("/work/venv-localstripe/bin/python")
THROUGHPUT_GOAL = 2.0
API_KEY = "sk_test_benchthroughput0000000001"
CONNECTIONS = (1, 10)


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
def serving(server: Server) -> Iterator[int]:
    """Run ``server`` on a free port until the block ends; yield the port once it answers."""
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
        yield port
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
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def wrk(url: str, connections: int, seconds: int) -> tuple[float, int]:
    """Requests per second and non-2xx answers of one ``wrk`` run (one thread, keep-alive)."""
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
    rate = REQUESTS_PER_SECOND.search(output)
    if rate is None:
        raise RuntimeError(f"wrk printed no rate: {output[-300:]}")
    errors = NON_2XX.search(output)
    return float(rate.group(1)), int(errors.group(1)) if errors else 0


def endpoints(customer: str) -> dict[str, str]:
    """The two loads: an authenticated customer GET and a card list."""
    return {
        "GET customer": f"/v1/customers/{customer}",
        "GET card list": f"/v1/customers/{customer}/sources?object=card",
    }


def measure_server(server: Server, runs: int, seconds: int) -> dict[tuple[str, int], list[float]]:
    """Requests per second per (endpoint, connections), ``runs`` times each."""
    rates: dict[tuple[str, int], list[float]] = {}
    with serving(server) as port:
        customer = make_customer_with_card(port, server.mints_tokens)
        for name, path in endpoints(customer).items():
            for connections in CONNECTIONS:
                wrk(f"http://127.0.0.1:{port}{path}", connections, 1)  # warm-up
                for _ in range(runs):
                    rate, errors = wrk(f"http://127.0.0.1:{port}{path}", connections, seconds)
                    if errors:
                        raise RuntimeError(f"{server.name} {name}: {errors} non-2xx answers under load")
                    rates.setdefault((name, connections), []).append(rate)
    return rates


def run(runs: int, seconds: int) -> list[Figure]:
    """The table rows of benchmark 4."""
    if shutil.which("wrk") is None:
        return [skipped("4", "server throughput", "wrk is not installed (apt-get install -y wrk)")]
    measured: dict[str, dict[tuple[str, int], list[float]]] = {}
    for server in servers():
        measured[server.name] = measure_server(server, runs, seconds)
    rows: list[Figure] = []
    for key, rates in measured["reference"].items():
        name, connections = key
        rows.append(Figure("4", f"reference {name}, {connections} conn", median(rates), "req/s", spread(rates)))
        plain = measured.get("reference on h11+asyncio", {}).get(key)
        if plain:
            rows.append(
                Figure("4", "  same on h11+asyncio (no httptools/uvloop)", median(plain), "req/s", spread(plain))
            )
        theirs = measured.get("localstripe", {}).get(key)
        if theirs is None:
            rows.append(
                skipped("4", f"  vs localstripe, {connections} conn", f"no localstripe at {LOCALSTRIPE_PYTHON}")
            )
            continue
        ratio = median(rates) / median(theirs)
        rows.append(Figure("4", f"  localstripe {name}, {connections} conn", median(theirs), "req/s", spread(theirs)))
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
    return rows
