"""Fixtures for the reference server tests: an in-process ASGI client and helpers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conformance.reference import Store, create_app

TEST_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
SHARED_REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"


def encode(params: Mapping[str, Any], prefix: str = "") -> str:
    """Encode nested params in Stripe's bracket notation."""
    parts: list[str] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            parts.append(encode(value, name))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    parts.append(encode(item, f"{name}[]"))
                else:
                    parts.append(f"{quote(name + '[]')}={quote(str(item))}")
        else:
            parts.append(f"{quote(name)}={quote(str(value))}")
    return "&".join(part for part in parts if part)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw)

    @property
    def error(self) -> dict[str, Any]:
        return self.body["error"]


class AsgiClient:
    """Call an ASGI app in-process, one event loop per request."""

    def __init__(self, app: Any, key: str | None = TEST_KEY) -> None:
        self.app = app
        self.key = key

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        key: str | None = "",
        raw_body: bytes | None = None,
    ) -> Reply:
        data = encode(params) if isinstance(params, Mapping) else (params or "")
        query = ""
        body = b""
        if method in ("GET", "DELETE"):
            query = data
        else:
            body = data.encode()
        if raw_body is not None:
            body = raw_body
        all_headers = {"content-type": "application/x-www-form-urlencoded"}
        api_key = self.key if key == "" else key
        if api_key is not None:
            all_headers["authorization"] = f"Bearer {api_key}"
        all_headers.update({name.lower(): value for name, value in (headers or {}).items()})
        return asyncio.run(self._call(method, path, query, body, all_headers))

    def get(self, path: str, params: Mapping[str, Any] | str | None = None, **kwargs: Any) -> Reply:
        return self.request("GET", path, params, **kwargs)

    def post(self, path: str, params: Mapping[str, Any] | str | None = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, params, **kwargs)

    def delete(self, path: str, params: Mapping[str, Any] | str | None = None, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, params, **kwargs)

    async def _call(self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]) -> Reply:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        delivered = False
        messages: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        await self.app(scope, receive, send)
        start = next(message for message in messages if message["type"] == "http.response.start")
        raw = b"".join(message.get("body", b"") for message in messages if message["type"] == "http.response.body")
        reply_headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
        return Reply(start["status"], reply_headers, raw)


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def client(store: Store) -> AsgiClient:
    return AsgiClient(create_app(store))


@pytest.fixture(scope="session")
def make_client() -> Callable[..., AsgiClient]:
    """Build an in-process client for a fresh (or the given) store; usable from any scope."""

    def build(store: Store | None = None, key: str | None = TEST_KEY) -> AsgiClient:
        return AsgiClient(create_app(store), key=key)

    return build


@pytest.fixture
def customer(client: AsgiClient) -> dict[str, Any]:
    reply = client.post("/v1/customers", {"email": "jenny@example.com", "name": "Jenny Rosen"})
    assert reply.status == 200, reply.body
    return reply.body


@pytest.fixture
def add_card(client: AsgiClient) -> Callable[..., dict[str, Any]]:
    def add(customer_id: str, token: str = "tok_visa", family: str = "sources", **extra: Any) -> dict[str, Any]:
        reply = client.post(f"/v1/customers/{customer_id}/{family}", {"source": token, **extra})
        assert reply.status == 200, reply.body
        return reply.body

    return add


@pytest.fixture
def shared_reference() -> Path:
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"shared reference data not found at {SHARED_REFERENCE}")
    return SHARED_REFERENCE
