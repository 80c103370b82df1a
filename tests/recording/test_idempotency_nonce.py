"""Idempotency keys: unique per run (seed + nonce), blanked in cassettes, never part of replay matching."""

from __future__ import annotations

from vcr.request import Request as VcrRequest

from conformance.plugin.state import SessionState
from conformance.recording.scrub import scrub_request
from conformance.recording.seeds import run_id_for, stable_idempotency_key
from conformance.recording.signature import request_key


def _key(run_id: str, nonce: str, worker: str = "gw0", counter: int = 7) -> str:
    """A key as ``stripe_client`` makes it: ``sc-<run id><nonce>-<worker><counter>``."""
    return f"sc-{run_id}{nonce}-{worker}{counter}"


def test_two_runs_with_the_same_seed_send_different_keys() -> None:
    run_id = run_id_for("c0ffee")
    first, second = SessionState().key_nonce, SessionState().key_nonce
    assert first != second
    assert _key(run_id, first) != _key(run_id, second)


def test_cassettes_store_the_key_without_its_nonce() -> None:
    run_id = run_id_for("c0ffee")
    keys = [_key(run_id, SessionState().key_nonce) for _ in range(2)]
    assert len({stable_idempotency_key(key) for key in keys}) == 1
    assert stable_idempotency_key(keys[0]) == f"sc-{run_id}00000000-gw07"
    assert stable_idempotency_key(_key(run_id, SessionState().key_nonce, worker="", counter=3)).endswith("-3")
    for other in ("some-other-key", f"sc-{run_id}-retry-0123456789ab"):
        assert stable_idempotency_key(other) == other
    request = VcrRequest("POST", "http://127.0.0.1:1/v1/customers", b"a=1", {"Idempotency-Key": keys[0]})
    assert scrub_request(request).headers["Idempotency-Key"] == stable_idempotency_key(keys[0])


def test_keys_are_not_part_of_replay_matching() -> None:
    assert request_key("POST", "http://127.0.0.1:1/v1/customers", b"a=1") == request_key(
        "POST", "http://127.0.0.1:2/v1/customers", b"a=1"
    )
