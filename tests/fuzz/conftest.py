"""Fixtures for the fuzz tests: reference servers (faithful, deterministic or faulty) and fuzz sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fuzz_helpers import session_for

from conformance.fuzz.session import FuzzSession
from conformance.reference import ReferenceServer, Store


@pytest.fixture
def fuzz_against() -> Iterator[Callable[..., FuzzSession]]:
    """Start a reference server with the given store and return a fuzz session against it."""
    servers: list[ReferenceServer] = []

    def start(store: Store | None = None, examples: int = 2, seed: str = "tests") -> FuzzSession:
        server = ReferenceServer(store=store or Store()).start()
        servers.append(server)
        return session_for(server, examples, seed)

    yield start
    for server in servers:
        server.stop()
