"""ReferenceServer over real HTTP: start/stop, threads, concurrency, middleware, CLI."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conformance.reference import ReferenceServer, Store, create_app

KEY = "sk_test_server123"
ROOT = Path(__file__).resolve().parents[2]


def call(base: str, method: str, path: str, data: str | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(
        base + path, data=data.encode() if data is not None else None, method=method, headers=headers or {}
    )
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{KEY}:".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, json.loads(error.read())


def test_start_stop_real_request_no_leaks() -> None:
    before = set(threading.enumerate())
    started = time.monotonic()
    server = ReferenceServer(port=0)
    with server:
        assert time.monotonic() - started < 1
        assert server.url.startswith("http://127.0.0.1:")
        assert server.port != 0
        status, headers, body = call(server.url, "POST", "/v1/customers", "email=a%40example.com")
        assert status == 200
        assert body["email"] == "a@example.com"
        assert headers["content-type"] == "application/json"
        assert headers["request-id"].startswith("req_")
        assert headers["stripe-version"] == "2023-08-16"
        status, _, body = call(server.url, "GET", "/v1/nope")
        assert status == 404
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 1
    time.sleep(0.05)
    assert set(threading.enumerate()) - before == set()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.url + "/v1/customers", timeout=1)


def test_store_is_shared_and_reachable() -> None:
    store = Store()
    with ReferenceServer(store=store) as server:
        status, _, body = call(server.url, "POST", "/v1/customers", "name=Shared")
        assert status == 200
        assert server.store is store
    with ReferenceServer(store=store) as again:
        status, _, body_again = call(again.url, "GET", f"/v1/customers/{body['id']}")
        assert status == 200
        assert body_again["name"] == "Shared"


def test_two_servers_at_once_get_different_ports() -> None:
    with ReferenceServer() as one, ReferenceServer() as two:
        assert one.port != two.port
        assert call(one.url, "GET", "/v1/customers")[0] == 200
        assert call(two.url, "GET", "/v1/customers")[0] == 200


def test_concurrent_card_creation_has_no_duplicates() -> None:
    with ReferenceServer() as server:
        _, _, customer = call(server.url, "POST", "/v1/customers")
        path = f"/v1/customers/{customer['id']}/sources"
        results: list[Any] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(8)

        def worker() -> None:
            try:
                barrier.wait()
                for _ in range(5):
                    status, _, body = call(server.url, "POST", path, "source=tok_visa")
                    assert status == 200
                    results.append(body["id"])
            except BaseException as error:  # collected and re-raised in the main thread
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(results) == len(set(results)) == 40
        status, _, listed = call(server.url, "GET", f"{path}?limit=100")
        assert status == 200
        assert sorted(card["id"] for card in listed["data"]) == sorted(results)
        _, _, fetched = call(server.url, "GET", f"/v1/customers/{customer['id']}")
        first = listed["data"][-1]["id"]
        assert fetched["default_source"] == first


def test_concurrent_idempotent_requests_execute_once() -> None:
    with ReferenceServer() as server:
        bodies: list[Any] = []

        def worker() -> None:
            status, _, body = call(
                server.url, "POST", "/v1/customers", "email=x%40example.com", {"Idempotency-Key": "race"}
            )
            bodies.append((status, body))

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        succeeded = {body["id"] for status, body in bodies if status == 200}
        assert len(succeeded) == 1
        assert all(status in (200, 409) for status, _ in bodies)
        _, _, listed = call(server.url, "GET", "/v1/customers")
        assert len(listed["data"]) == 1


def test_works_behind_asgi_middleware() -> None:
    seen: list[str] = []
    inner = create_app()

    async def middleware(scope, receive, send) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])

            async def tagged_send(message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message["headers"], (b"x-wrapped", b"yes")]}
                await send(message)

            await inner(scope, receive, tagged_send)
        else:
            await inner(scope, receive, send)

    with ReferenceServer(app=middleware) as server:
        status, headers, _ = call(server.url, "GET", "/v1/customers")
        assert status == 200
        assert headers["x-wrapped"] == "yes"
    assert seen == ["/v1/customers"]


def test_port_in_use_raises_oserror_and_leaks_nothing() -> None:
    before = set(threading.enumerate())
    with ReferenceServer() as server, pytest.raises(OSError, match=r"(?i)address already in use"):
        ReferenceServer(port=server.port).start()
    time.sleep(0.05)
    assert set(threading.enumerate()) - before == set()


def test_stop_is_idempotent_and_restartable() -> None:
    server = ReferenceServer()
    server.stop()
    server.start()
    first_url = server.url
    assert call(first_url, "GET", "/v1/customers")[0] == 200
    server.stop()
    server.stop()
    with server:
        assert call(server.url, "GET", "/v1/customers")[0] == 200


def test_serve_prints_url_and_stops_on_interrupt() -> None:
    code = "from conformance.reference import serve; serve('127.0.0.1', 0)"
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line
        url = line.split()[line.split().index("on") + 1]
        assert call(url, "GET", "/v1/customers")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.communicate()
