"""Everything a run generates derives from one seed, so a replay sends exactly what was recorded."""

from __future__ import annotations

import hashlib
import random
import re
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


KEY_NONCE_BYTES = 4
_NONCE_IN_KEY = re.compile(rf"^(sc-[0-9a-f]{{12}})[0-9a-f]{{{2 * KEY_NONCE_BYTES}}}(?=-)")
_STABLE_NONCE = "0" * 2 * KEY_NONCE_BYTES


def new_key_nonce() -> str:
    """Return a fresh per-run nonce for the idempotency keys (never from the seed).

    The seed alone would repeat keys when a run is reproduced with the same ``--seed`` within
    Stripe's 24 hours of key retention: old keys with new parameters get ``idempotency_error``
    or replay old answers. A run's keys are ``sc-<run id><nonce>-<worker><counter>``.
    """
    return secrets.token_hex(KEY_NONCE_BYTES)


def stable_idempotency_key(key: str) -> str:
    """Return ``key`` with its per-run nonce replaced by zeros (what a cassette stores).

    Keys are not part of replay matching (``signature``), so blanking the nonce keeps two
    recordings of one seed identical without changing what a replay answers.
    """
    return _NONCE_IN_KEY.sub(lambda match: match.group(1) + _STABLE_NONCE, key)
