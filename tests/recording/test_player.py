"""The transport-seam player answers exactly what vcrpy answered, for the same cassettes and requests."""

import json
from pathlib import Path

import pytest

from conformance.http import Request, Urllib3Transport
from conformance.recording import RecordingPlan, network_blocked, use_cassette
from conformance.recording.player import ReplayTransport, sent_evidence, sent_key
from conformance.recording.serializer import deserialize
from conformance.reference import ReferenceServer

REFERENCE = Path(__file__).resolve().parents[2] / "cassettes" / "reference"

# Raw request targets urllib3 rewrites before sending (dot segments, spaces, non-ASCII, stray "%"):
# a recording stores what went on the wire, so the player must key what urllib3 would send.
ODD_TARGETS = [
    "/v1/customers/cus_1/../cus_2?expand[]=a b",
    "/v1/customers/ä ö?q=é+1&r=%zz&s=a%2Bb",
    "/v1/customers/./x/?limit=3&limit=4#frag",
    "/v1//customers?email=a@b.c&x=[1]",
]


def _requests(base: str) -> list[Request]:
    form = (("Content-Type", "application/x-www-form-urlencoded"),)
    sent = [Request("GET", base + target, (("Authorization", "Bearer sk_test_abc123"),)) for target in ODD_TARGETS]
    sent.append(Request("POST", base + "/v1/customers", form, b"description=a+b&metadata[k]=%C3%A9"))
    sent.append(Request("POST", base + "/v1/customers", (("Content-Type", "application/json"),), b'{"b": 1, "a": 2}'))
    sent.append(Request("POST", base + "/v1/tokens", form, b"card[number]=4242424242424242&card[cvc]=123"))
    return sent


def test_odd_urls_and_bodies_recorded_by_vcrpy_replay_through_the_player(tmp_path):
    path = tmp_path / "m" / "t.json"
    transport = Urllib3Transport(timeout=5)
    with ReferenceServer() as server, use_cassette(path, RecordingPlan(tmp_path, "rewrite")):
        recorded = [transport.send(request) for request in _requests(server.url)]
    plan = RecordingPlan.for_replay(tmp_path)
    player = ReplayTransport(plan)
    with network_blocked("test"):
        with use_cassette(path, plan):
            by_vcrpy = [transport.send(request) for request in _requests("http://127.0.0.1:9")]
        with player.playing(path) as cassette:
            by_player = [player.send(request) for request in _requests("http://127.0.0.1:9")]
    assert cassette.play_count == len(cassette) == len(recorded)
    assert [r.status for r in by_player] == [r.status for r in recorded]
    for want, got in zip(by_vcrpy, by_player, strict=True):
        assert (got.status, got.body) == (want.status, want.body)
        assert sorted((k.lower(), v) for k, v in got.headers) == sorted((k.lower(), v) for k, v in want.headers)


def test_the_key_is_taken_after_redaction():
    sent = Request(
        "POST", "http://h/v1/tokens", (("Content-Type", "application/x-www-form-urlencoded"),),
        b"card[number]=4242424242424242",
    )
    assert sent_key(sent).body == (("card[number]", "[REDACTED]4242"),)
    assert "4242424242424242" not in json.dumps(sent_evidence(sent))


def _cassettes() -> list[Path]:
    return sorted(REFERENCE.rglob("test_*/*.json")) if REFERENCE.is_dir() else []


@pytest.mark.skipif(not _cassettes(), reason="cassettes/reference is not in this checkout")
def test_every_reference_recording_gets_the_same_answer_from_both(tmp_path):
    """Each recorded request of cassettes/reference, sent again: vcrpy and the player answer the same."""
    plan = RecordingPlan.for_replay(REFERENCE)
    player = ReplayTransport(plan)
    transport = Urllib3Transport(timeout=5)
    compared = 0
    with network_blocked("test"):
        for path in _cassettes():
            requests = [_as_sent(item["request"]) for item in deserialize(path.read_text())["interactions"]]
            with use_cassette(path, plan):
                expected = [transport.send(request) for request in requests]
            with player.playing(path) as cassette:
                answered = [player.send(request) for request in requests]
            assert cassette.play_count == len(requests)
            for want, got in zip(expected, answered, strict=True):
                assert (got.status, got.body) == (want.status, want.body), path
                assert sorted((k.lower(), v) for k, v in got.headers) == sorted(
                    (k.lower(), v) for k, v in want.headers
                ), path
            compared += len(requests)
    assert compared > 100


def _as_sent(recorded: dict) -> Request:
    headers = tuple(
        (name, values[0] if isinstance(values, list) else values) for name, values in recorded["headers"].items()
    )
    body = recorded["body"] or b""
    return Request(recorded["method"], recorded["uri"], headers, body.encode() if isinstance(body, str) else body)
