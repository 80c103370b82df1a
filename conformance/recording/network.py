"""Block every outgoing internet connection while a replay runs, so it provably needs no target."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_INTERNET = frozenset({socket.AF_INET, socket.AF_INET6})


class NetworkBlockedError(RuntimeError):
    """A connection was attempted while the network is blocked (a request outside the cassettes)."""


@contextmanager
def network_blocked(why: str) -> Iterator[None]:
    """Make ``connect``/``connect_ex`` on internet sockets raise ``NetworkBlockedError`` inside the block."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def guard(original: Callable[..., Any]) -> Callable[..., Any]:
        def blocked(self: socket.socket, address: Any) -> Any:
            if self.family in _INTERNET:
                raise NetworkBlockedError(f"network is blocked ({why}): refused a connection to {_where(address)}")
            return original(self, address)

        return blocked

    socket.socket.connect = guard(original_connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = guard(original_connect_ex)  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]


def _where(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)
