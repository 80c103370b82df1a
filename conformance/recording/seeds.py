"""Everything a run generates derives from one seed, so a replay sends exactly what was recorded."""

from __future__ import annotations

import hashlib
import random
import secrets

SEED_BYTES = 8


def new_seed() -> str:
    """Return a fresh random seed (hex)."""
    return secrets.token_hex(SEED_BYTES)


def derive(seed: str, *purpose: str) -> str:
    """Return a hex digest derived from ``seed`` for ``purpose`` (stable across runs and machines)."""
    material = "\x00".join((seed, *purpose)).encode("utf-8")
    return hashlib.sha256(material).hexdigest()


def run_id_for(seed: str) -> str:
    """Return the run id (12 hex characters) a run with ``seed`` tags its objects with."""
    return derive(seed, "run-id")[:12]


def random_for(seed: str, *purpose: str) -> random.Random:
    """Return a ``random.Random`` seeded from ``seed`` and ``purpose`` (e.g. a test's node id)."""
    return random.Random(int(derive(seed, *purpose)[:16], 16))


def int_seed_for(seed: str, *purpose: str) -> int:
    """Return a 64-bit integer seed (for Hypothesis and other generators) derived from ``seed``."""
    return int(derive(seed, *purpose)[:16], 16)
