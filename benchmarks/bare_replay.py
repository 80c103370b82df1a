"""The floor: send a captured run's requests again with a bare keep-alive ``http.client`` connection.

Run as ``python -m benchmarks.bare_replay CAPTURE.jsonl --repeat N [--client transport]``: for each
repetition it starts a fresh reference server (in a thread of this process, as ``stripe-conformance
run`` does) and sends the captured requests in order over one keep-alive connection (or, with
``--client transport``, through the suite's own transport stack). Object ids the server makes are
random, so ids seen in a captured response are mapped to the ids in the replayed response and
substituted in later requests. Prints one JSON object: wall and CPU seconds per repetition, the
request count, and how many replayed statuses matched the captured ones (a sanity check). With
``--target URL [--pace R]`` it replays once against that server instead (benchmark 8: through the
latency proxy, at most R requests per second).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.capture_plugin import BASIC_PLACEHOLDER, KEY_PLACEHOLDER

OBJECT_ID = re.compile(r"\b[a-z]{2,5}_[A-Za-z0-9]{10,}\b")
"""Ids in Stripe's ``prefix_alnum`` style (cus_..., card_..., src_...)."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One captured request and the status and body it got."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int
    response: str


def load_exchanges(path: Path) -> list[Exchange]:
    """Read a capture written by ``benchmarks.capture_plugin``."""
    exchanges = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        parts = urlsplit(row["url"])
        exchanges.append(
            Exchange(
                row["method"],
                parts.path + (f"?{parts.query}" if parts.query else ""),
                tuple((name, value) for name, value in row["headers"]),
                base64.b64decode(row["body"]),
                row["status"],
                row["response"],
            )
        )
    return exchanges


class IdMap:
    """Captured object ids mapped to the ids the replayed server gave the same objects."""

    def __init__(self) -> None:
        """Start empty."""
        self._ids: dict[str, str] = {}

    def learn(self, captured: str, replayed: str) -> None:
        """Pair the ids of a captured response with those of its replayed response, in order."""
        for old, new in zip(OBJECT_ID.findall(captured), OBJECT_ID.findall(replayed), strict=False):
            if old != new and old[: old.index("_")] == new[: new.index("_")]:
                self._ids.setdefault(old, new)

    def apply(self, text: str) -> str:
        """Replace every known captured id in ``text``."""
        if not self._ids:
            return text
        return OBJECT_ID.sub(lambda match: self._ids.get(match.group(0), match.group(0)), text)


def credentials(api_key: str) -> dict[str, str]:
    """The placeholders the capture wrote, with this replay's key."""
    basic = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
    return {BASIC_PLACEHOLDER: basic, KEY_PLACEHOLDER: api_key}


Send = Callable[[str, str, bytes | None, dict[str, str]], tuple[int, bytes]]
"""Sends one request (method, path, body, headers) and returns its status and body."""


class HttpClientSender:
    """A bare keep-alive ``http.client`` connection: the floor."""

    def __init__(self, host: str, port: int) -> None:
        """Connect lazily to ``host:port``."""
        self._connection = http.client.HTTPConnection(host, port, timeout=30)

    def __call__(self, method: str, target: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        """Send one request over the kept-alive connection (reconnecting once if the server closed it)."""
        try:
            self._connection.request(method, target, body=body, headers=headers)
            response = self._connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self._connection.close()
            self._connection.request(method, target, body=body, headers=headers)
            response = self._connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()


class TransportSender:
    """The suite's own transport stack (``conformance.http.build_transport``): retries, limiter, urllib3."""

    def __init__(self, host: str, port: int) -> None:
        """Build the stack a run builds for ``http://host:port``."""
        from conformance.http import build_transport

        self._base = f"http://{host}:{port}"
        self._transport = build_transport(self._base)

    def __call__(self, method: str, target: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        """Send one request through the stack."""
        from conformance.http.exchange import Request

        response = self._transport.send(Request(method, self._base + target, tuple(headers.items()), body or b""))
        return response.status, response.body

    def close(self) -> None:
        """Close the pool."""
        self._transport.close()


SENDERS = {"http.client": HttpClientSender, "transport": TransportSender}


def replay(
    exchanges: Iterable[Exchange], send: Send, api_key: str, pace: float | None = None
) -> tuple[float, float, int, int]:
    """Send every exchange in order; return wall seconds, CPU seconds, requests sent, statuses matched.

    ``pace`` (requests per second) spaces the sends as a rate-limited target allows: the best legal
    pace of a client that sends one request at a time.
    """
    from conformance.http.ratelimit import RateLimiter

    limiter = RateLimiter(pace) if pace else None
    secrets = credentials(api_key)
    ids = IdMap()
    sent = matched = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for exchange in exchanges:
        headers = {}
        for name, value in exchange.headers:
            for placeholder, secret in secrets.items():
                value = value.replace(placeholder, secret)
            headers[name] = value
        body = ids.apply(exchange.body.decode("utf-8", "replace")).encode() if exchange.body else None
        if limiter is not None:
            limiter.acquire()
        status, answer = send(exchange.method, ids.apply(exchange.target), body, headers)
        ids.learn(exchange.response, answer.decode("utf-8", "replace"))
        sent += 1
        matched += status == exchange.status
    return time.perf_counter() - wall, time.process_time() - cpu, sent, matched


def replay_on_fresh_server(exchanges: list[Exchange], client: str = "http.client") -> tuple[float, float, int, int]:
    """Start a reference server in this process and :func:`replay` ``exchanges`` to it once with ``client``."""
    from conformance.reference import ReferenceServer
    from conformance.targets import generated_test_key

    with ReferenceServer() as server:
        sender = SENDERS[client](server.host, server.port)
        try:
            return replay(exchanges, sender, generated_test_key())
        finally:
            sender.close()


def main(argv: list[str] | None = None) -> None:
    """Replay a capture ``--repeat`` times against fresh reference servers and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_replay")
    parser.add_argument("capture", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--client", choices=sorted(SENDERS), default="http.client")
    parser.add_argument("--target", help="replay once against this base URL instead of fresh reference servers")
    parser.add_argument("--pace", type=float, help="send at most this many requests per second")
    options = parser.parse_args(argv)
    from conformance.targets import generated_test_key

    exchanges = load_exchanges(options.capture)
    if options.target:
        parts = urlsplit(options.target)
        sender = SENDERS[options.client](parts.hostname or "127.0.0.1", parts.port or 80)
        try:
            wall, cpu, sent, matched = replay(exchanges, sender, generated_test_key(), options.pace)
        finally:
            sender.close()
        json.dump({"wall": [wall], "cpu": [cpu], "requests": sent, "matched": matched}, sys.stdout)
        return
    walls, cpus, sent, matched = [], [], 0, 0
    for _ in range(options.repeat):
        wall, cpu, sent, matched = replay_on_fresh_server(exchanges, options.client)
        walls.append(wall)
        cpus.append(cpu)
    json.dump({"wall": walls, "cpu": cpus, "requests": sent, "matched": matched}, sys.stdout)


if __name__ == "__main__":
    main()
