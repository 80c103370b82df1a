"""Random identifiers in Stripe's ``prefix_alnum`` style."""

from __future__ import annotations

import os
import secrets
import string
import threading
from collections.abc import Mapping
from types import MappingProxyType

ALPHANUMERIC = string.ascii_letters + string.digits
INVOICE_PREFIX_ALPHABET = string.ascii_uppercase + string.digits


def _byte_tables(alphabet: str) -> tuple[bytes, bytes]:
    """Map each random byte to a character of ``alphabet``, and list the bytes to drop.

    Bytes at or above the largest multiple of the alphabet's size would favour its first
    characters, so they are dropped rather than mapped.
    """
    size = len(alphabet)
    limit = 256 - 256 % size
    table = bytes(ord(alphabet[byte % size]) for byte in range(256))
    return table, bytes(range(limit, 256))


_TABLES: Mapping[str, tuple[bytes, bytes]] = MappingProxyType(
    {alphabet: _byte_tables(alphabet) for alphabet in (ALPHANUMERIC, INVOICE_PREFIX_ALPHABET)}
)


def random_id(prefix: str, length: int = 24) -> str:
    """Return ``<prefix>_`` followed by ``length`` random alphanumeric characters."""
    return f"{prefix}_{random_alnum(length)}"


POOL_BYTES = 4096
"""Random bytes drawn at once (one system call) for the characters of many ids."""


class _Pools(threading.local):
    """Each thread's unused random characters, per alphabet (a thread never hands out another's)."""

    def __init__(self) -> None:
        self.characters: dict[str, str] = {}


_pools = _Pools()


def _forget_pools() -> None:
    """Start a forked child with no characters of its parent's, which the parent hands out too."""
    global _pools
    _pools = _Pools()


os.register_at_fork(after_in_child=_forget_pools)


def random_alnum(length: int, alphabet: str = ALPHANUMERIC) -> str:
    """Return ``length`` random characters drawn from ``alphabet`` (ASCII, at most 256 characters).

    Random bytes go through one ``bytes.translate`` instead of a ``secrets.choice`` (a system call)
    per character, and are drawn ``POOL_BYTES`` at a time: every response carries a fresh request
    id, so this is on the hot path (benchmarks/RESULTS.md). Each character is handed out once.
    """
    pools = _pools.characters
    pool = pools.get(alphabet, "")
    while len(pool) < length:
        table, drop = _TABLES.get(alphabet) or _byte_tables(alphabet)
        pool += secrets.token_bytes(max(POOL_BYTES, 2 * length)).translate(table, drop).decode("ascii")
    pools[alphabet] = pool[length:]
    return pool[:length]


def invoice_prefix() -> str:
    """Return a random customer invoice prefix such as ``7FE1103A``."""
    return random_alnum(8, INVOICE_PREFIX_ALPHABET)
