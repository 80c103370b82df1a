"""A pytest plugin that logs every request the suite puts on the wire, with the scenario's area.

Loaded into a ``stripe-conformance run`` child through ``PYTEST_PLUGINS`` (the run disables plugin
autoload, not that variable) when ``STRIPE_BENCH_CAPTURE`` names the JSON-lines file to write. It
wraps ``Urllib3Transport.send``, the innermost transport, so retries and the SDK's requests count
too. The run's API key is written as ``{key}`` (the bare replay substitutes its own).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Generator
from typing import IO, Any

import pytest

from conformance.http.exchange import Request, Response
from conformance.http.transport import Urllib3Transport
from conformance.requirements import load_catalogue

CAPTURE_ENV = "STRIPE_BENCH_CAPTURE"
KEY_PLACEHOLDER = "{key}"
BASIC_PLACEHOLDER = "{key_basic}"
OUTSIDE = "(outside scenarios)"

Send = Callable[[Urllib3Transport, Request], Response]


class WireLog:
    """Writes one JSON line per request sent; knows which scenario (and area) is running."""

    def __init__(self, out: IO[str], api_key: str) -> None:
        """Write to ``out``; ``api_key`` is replaced by a placeholder wherever a header carries it."""
        self._out = out
        self._secrets = {api_key: KEY_PLACEHOLDER} if api_key else {}
        if api_key:
            encoded = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
            self._secrets[encoded] = BASIC_PLACEHOLDER
        self._areas = {requirement.id: requirement.area for requirement in load_catalogue()}
        self.scenario = ""
        self.area = OUTSIDE

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
        """Attribute the requests of this scenario (setup and teardown included) to its first cited area."""
        marker = item.get_closest_marker("requirement")
        cited = tuple(marker.args) if marker else ()
        self.scenario = item.nodeid
        self.area = next((self._areas[r] for r in cited if r in self._areas), OUTSIDE)
        try:
            return (yield)
        finally:
            self.scenario, self.area = "", OUTSIDE

    def record(self, request: Request, response: Response, sent: float) -> None:
        """Write one exchange sent at ``sent`` (wall clock), with when it was answered and by which process."""
        headers = [[name, self._hide(name, value)] for name, value in request.headers]
        line = {
            "scenario": self.scenario,
            "area": self.area,
            "method": request.method,
            "url": request.url,
            "headers": headers,
            "body": base64.b64encode(request.body).decode("ascii"),
            "status": response.status,
            "elapsed": response.elapsed,
            "response": response.body.decode("utf-8", "replace"),
            "process": os.getpid(),
            "sent": sent,
            "answered": time.time(),
        }
        self._out.write(json.dumps(line) + "\n")

    def _hide(self, name: str, value: str) -> str:
        """Write credentials as placeholders: the whole ``Authorization`` value, whatever key it carries."""
        if name.lower() == "authorization":
            scheme = value.partition(" ")[0]
            return f"Basic {BASIC_PLACEHOLDER}" if scheme.lower() == "basic" else f"{scheme} {KEY_PLACEHOLDER}"
        for secret, placeholder in self._secrets.items():
            value = value.replace(secret, placeholder)
        return value


_LOG_KEY = pytest.StashKey[tuple[WireLog, IO[str], Send]]()


def pytest_configure(config: pytest.Config) -> None:
    """Start logging when the capture file is named (and only in the process that runs scenarios)."""
    path = os.environ.get(CAPTURE_ENV)
    if not path:
        return
    # Line-buffered: the processes of a concurrent run append whole lines to the same file.
    out = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - closed in pytest_unconfigure
    log = WireLog(out, os.environ.get("STRIPE_API_KEY", ""))
    original: Send = Urllib3Transport.send

    def send(self: Urllib3Transport, request: Request) -> Response:
        sent = time.time()
        response = original(self, request)
        log.record(request, response, sent)
        return response

    Urllib3Transport.send = send  # type: ignore[method-assign]
    config.pluginmanager.register(log, "stripe-bench-wire-log")
    config.stash[_LOG_KEY] = (log, out, original)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop logging and restore the transport."""
    entry = config.stash.get(_LOG_KEY, None)
    if entry is None:
        return
    _, out, original = entry
    Urllib3Transport.send = original  # type: ignore[method-assign]
    out.close()
