"""Per-test cassettes end to end at the HTTP layer: record, replay offline, misses, redaction on disk."""

import base64
import json
import socket

import pytest

from conformance.http import StripeClient, Urllib3Transport
from conformance.recording import (
    CassetteMiss,
    NetworkBlockedError,
    RecordingPlan,
    network_blocked,
    use_cassette,
)
from conformance.reference import ReferenceServer

KEY = "sk_test_CANARYcassette0123456789"
PAN = "4242424242424242"


def _client(url: str, key: str = KEY) -> StripeClient:
    keys = iter(f"idem-{n}" for n in range(1000))
    return StripeClient(url, key, transport=Urllib3Transport(timeout=5), idempotency_keys=lambda: next(keys))


def _scenario(client: StripeClient) -> list[tuple[int, object]]:
    """A small card lifecycle with a raw card (a full card number and CVC in the body)."""
    customer = client.post("/v1/customers", {"description": "cassette test", "metadata": {"a": "1", "b": "2"}})
    cid = customer.json()["id"]
    card = client.post(
        f"/v1/customers/{cid}/sources",
        {"source": {"object": "card", "number": PAN, "exp_month": 12, "exp_year": 2031, "cvc": "314"}},
    )
    listed = client.get(f"/v1/customers/{cid}/sources", {"object": "card", "limit": 3})
    again = client.get(f"/v1/customers/{cid}")
    return [(r.status, r.json()) for r in (customer, card, listed, again)]


@pytest.fixture
def recorded(tmp_path):
    """Record the scenario against a reference server into one cassette; return (path, results)."""
    path = tmp_path / "test_mod" / "test_x.json"
    with ReferenceServer() as server, use_cassette(path, RecordingPlan(tmp_path, "rewrite"), label="t::x"):
        results = _scenario(_client(server.url))
    return path, results


def test_replay_answers_offline_with_the_recorded_responses(recorded, tmp_path):
    path, results = recorded
    plan = RecordingPlan.for_replay(tmp_path)
    with network_blocked("test"), use_cassette(path, plan, label="t::x") as cassette:
        replayed = _scenario(_client("http://127.0.0.1:9", key="sk_test_other"))  # other key, other port
    assert replayed == results
    assert cassette.play_count == len(cassette) == 4


def test_nothing_secret_reaches_the_file(recorded):
    path, _ = recorded
    text = path.read_text()
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    assert KEY not in text and basic not in text and PAN not in text and '"314"' not in text
    stored = json.loads(text)["interactions"]
    assert stored[0]["request"]["headers"]["Authorization"] == ["[REDACTED]"]
    assert "source[number]=[REDACTED]4242" in stored[1]["request"]["body"]


def test_parameter_order_does_not_matter(recorded, tmp_path):
    path, _ = recorded
    with use_cassette(path, RecordingPlan.for_replay(tmp_path)):
        response = _client("http://127.0.0.1:9").post(
            "/v1/customers", {"metadata": {"b": "2", "a": "1"}, "description": "cassette test"}
        )
    assert response.status == 200


def test_a_request_not_recorded_fails_with_the_closest_one(recorded, tmp_path):
    path, _ = recorded
    seen = []
    with use_cassette(
        path, RecordingPlan.for_replay(tmp_path), label="mod.py::test_x", cited=("card.create.returns-card",),
        on_miss=seen.append,
    ), pytest.raises(CassetteMiss) as caught:
        _client("http://127.0.0.1:9").post(
            "/v1/customers", {"description": "changed", "metadata": {"a": "1", "b": "2"}}
        )
    message = str(caught.value)
    assert "mod.py::test_x sent a request its cassette has no answer for" in message
    assert "sent:     POST /v1/customers  body: description=changed" in message
    assert "closest:  POST /v1/customers  body: description=cassette test" in message
    assert "differs in body: description sent 'changed', recorded 'cassette test'" in message
    assert "--record-mode rewrite" in message
    assert seen == [caught.value]
    (failure,) = caught.value.failures
    assert failure.requirement_id == "card.create.returns-card" and failure.kind == "replay_mismatch"


def test_a_hand_edited_cassette_no_longer_matches(recorded, tmp_path):
    path, _ = recorded
    data = json.loads(path.read_text())
    data["interactions"][0]["request"]["body"] = data["interactions"][0]["request"]["body"].replace(
        "cassette+test", "edited+by+hand"
    ).replace("cassette%20test", "edited%20by%20hand")
    path.write_text(json.dumps(data))
    with use_cassette(path, RecordingPlan.for_replay(tmp_path), label="t::x"), pytest.raises(CassetteMiss) as caught:
        _scenario(_client("http://127.0.0.1:9"))
    assert "differs in body: description sent 'cassette test', recorded 'edited by hand'" in str(caught.value)


def test_each_recording_plays_once_in_order(tmp_path):
    path = tmp_path / "m" / "t.json"
    with ReferenceServer() as server, use_cassette(path, RecordingPlan(tmp_path, "rewrite")):
        client = _client(server.url)
        cid = client.post("/v1/customers", {}).json()["id"]
        before = client.get(f"/v1/customers/{cid}").json()
        client.post(f"/v1/customers/{cid}", {"description": "now"})
        after = client.get(f"/v1/customers/{cid}").json()
    with use_cassette(path, RecordingPlan.for_replay(tmp_path)):
        client = _client("http://127.0.0.1:9")
        client.post("/v1/customers", {})
        assert client.get(f"/v1/customers/{cid}").json() == before
        client.post(f"/v1/customers/{cid}", {"description": "now"})
        assert client.get(f"/v1/customers/{cid}").json() == after
        with pytest.raises(CassetteMiss, match="all already played"):
            client.get(f"/v1/customers/{cid}")


def test_a_test_without_cassette_says_so(tmp_path):
    with use_cassette(tmp_path / "m" / "new.json", RecordingPlan.for_replay(tmp_path), label="m.py::new"), \
            pytest.raises(CassetteMiss, match="no cassette was recorded for this test"):
        _client("http://127.0.0.1:9").get("/v1/customers")


def test_network_block_refuses_internet_sockets_only():
    with network_blocked("unit test"):
        with socket.socket() as sock, pytest.raises(NetworkBlockedError, match=r"127\.0\.0\.1:9"):
            sock.connect(("127.0.0.1", 9))
        left, right = socket.socketpair()  # local IPC still works
        left.close()
        right.close()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", 9)) != 0  # unblocked again (nothing listens on port 9)


def test_vcrpy_intercepts_the_project_transport(tmp_path):
    from conformance.http import Request, build_transport

    for transport in (Urllib3Transport(timeout=5), build_transport("http://127.0.0.1:9")):
        with network_blocked("test"), use_cassette(tmp_path / "m" / "t.json", RecordingPlan.for_replay(tmp_path)):
            try:
                transport.send(Request("GET", "http://127.0.0.1:9/v1/customers"))
            except CassetteMiss:
                pass  # intercepted: the cassette answered, with a miss since it is empty
            except NetworkBlockedError:
                pytest.fail(
                    f"vcrpy does not intercept {type(transport).__name__}: recording and replay need urllib3's own "
                    "connection-pool and connection classes (which vcrpy patches), looked up at request time"
                )


def test_a_damaged_cassette_fails_its_test_clearly(tmp_path):
    path = tmp_path / "m" / "t.json"
    path.parent.mkdir()
    path.write_text('{"version": 1, "interactions": [')
    with use_cassette(path, RecordingPlan.for_replay(tmp_path), label="m.py::t"), \
            pytest.raises(CassetteMiss, match="the cassette file could not be read"):
        _client("http://127.0.0.1:9").get("/v1/customers")
