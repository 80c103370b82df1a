"""Per-test cassettes end to end at the HTTP layer: record, replay offline, misses, redaction on disk.

Every replay test runs twice: through vcrpy (``use_cassette`` around urllib3) and through the
transport-seam player a pytest run replays with (``ReplayTransport``); both must behave the same.
"""

import base64
import json
import socket
from contextlib import contextmanager

import pytest

from conformance.http import StripeClient, Urllib3Transport, build_transport
from conformance.recording import (
    CassetteMiss,
    NetworkBlockedError,
    RecordingPlan,
    network_blocked,
    use_cassette,
)
from conformance.recording.player import ReplayTransport
from conformance.reference import ReferenceServer

KEY = "sk_test_CANARYcassette0123456789"
PAN = "4242424242424242"


def _client(url: str, key: str = KEY, transport=None) -> StripeClient:
    keys = iter(f"idem-{n}" for n in range(1000))
    transport = transport or Urllib3Transport(timeout=5)
    return StripeClient(url, key, transport=transport, idempotency_keys=lambda: next(keys))


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


@pytest.fixture(params=["vcrpy", "transport"])
def replaying(request, tmp_path):
    """Replay one cassette file either way; yields (cassette, make_client) inside the network block."""

    @contextmanager
    def replay(path, *, label="", cited=(), on_miss=None):
        plan = RecordingPlan.for_replay(tmp_path)
        url = "http://127.0.0.1:9"  # another port than the recording's, where nothing listens
        with network_blocked("test"):
            if request.param == "vcrpy":
                with use_cassette(path, plan, label=label, cited=cited, on_miss=on_miss) as cassette:
                    yield cassette, lambda key=KEY: _client(url, key)
                return
            player = ReplayTransport(plan)
            with player.playing(path, label=label, cited=cited, on_miss=on_miss) as cassette:
                yield cassette, lambda key=KEY: _client(url, key, transport=build_transport(url, inner=player))

    return replay


def test_replay_answers_offline_with_the_recorded_responses(recorded, replaying):
    path, results = recorded
    with replaying(path, label="t::x") as (cassette, client):
        replayed = _scenario(client(key="sk_test_other"))  # other key, other port
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


def test_parameter_order_does_not_matter(recorded, replaying):
    path, _ = recorded
    with replaying(path) as (_, client):
        response = client().post(
            "/v1/customers", {"metadata": {"b": "2", "a": "1"}, "description": "cassette test"}
        )
    assert response.status == 200


def test_a_request_not_recorded_fails_with_the_closest_one(recorded, replaying):
    path, _ = recorded
    seen = []
    with replaying(
        path, label="mod.py::test_x", cited=("card.create.returns-card",), on_miss=seen.append
    ) as (_, client), pytest.raises(CassetteMiss) as caught:
        client().post(
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
    assert failure.request["method"] == "POST" and failure.request["url"].endswith("/v1/customers")
    assert failure.request["headers"]["Authorization"] == "[REDACTED]" and KEY not in json.dumps(failure.request)
    assert "description=changed" in failure.request["body"]


def test_a_hand_edited_cassette_no_longer_matches(recorded, replaying):
    path, _ = recorded
    data = json.loads(path.read_text())
    data["interactions"][0]["request"]["body"] = data["interactions"][0]["request"]["body"].replace(
        "cassette+test", "edited+by+hand"
    ).replace("cassette%20test", "edited%20by%20hand")
    path.write_text(json.dumps(data))
    with replaying(path, label="t::x") as (_, client), pytest.raises(CassetteMiss) as caught:
        _scenario(client())
    assert "differs in body: description sent 'cassette test', recorded 'edited by hand'" in str(caught.value)


def test_each_recording_plays_once_in_order(tmp_path, replaying):
    path = tmp_path / "m" / "t.json"
    with ReferenceServer() as server, use_cassette(path, RecordingPlan(tmp_path, "rewrite")):
        client = _client(server.url)
        cid = client.post("/v1/customers", {}).json()["id"]
        before = client.get(f"/v1/customers/{cid}").json()
        client.post(f"/v1/customers/{cid}", {"description": "now"})
        after = client.get(f"/v1/customers/{cid}").json()
    with replaying(path) as (_, make_client):
        client = make_client()
        client.post("/v1/customers", {})
        assert client.get(f"/v1/customers/{cid}").json() == before
        client.post(f"/v1/customers/{cid}", {"description": "now"})
        assert client.get(f"/v1/customers/{cid}").json() == after
        with pytest.raises(CassetteMiss, match="all already played"):
            client.get(f"/v1/customers/{cid}")


def test_a_test_without_cassette_says_so(tmp_path, replaying):
    with replaying(tmp_path / "m" / "new.json", label="m.py::new") as (_, client), \
            pytest.raises(CassetteMiss, match="no cassette was recorded for this test"):
        client().get("/v1/customers")


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
        plan = RecordingPlan.for_replay(tmp_path)
        # Intercepted, the empty cassette answers with a miss; anything else (an answer, a blocked socket) fails.
        with network_blocked("test"), use_cassette(tmp_path / "m" / "t.json", plan), pytest.raises(CassetteMiss):
            try:
                transport.send(Request("GET", "http://127.0.0.1:9/v1/customers"))
            except NetworkBlockedError:
                pytest.fail(
                    f"vcrpy does not intercept {type(transport).__name__}: recording and replay need urllib3's "
                    "own connection-pool and connection classes (which vcrpy patches), looked up at request time"
                )


@pytest.mark.parametrize(
    "content",
    [
        b'{"version": 1, "interactions": [',
        b'{"version": 1}',
        b'{"interactions": [{"request": {}}]}',
        b"\xff\xfe",
        b"  \n",
    ],
    ids=["cut-short", "no-interactions", "bad-interaction", "not-utf8", "blank"],
)
def test_a_damaged_cassette_fails_its_test_clearly(tmp_path, replaying, content):
    path = tmp_path / "m" / "t.json"
    path.parent.mkdir()
    path.write_bytes(content)
    with replaying(path, label="m.py::t") as (_, client), \
            pytest.raises(CassetteMiss, match="the cassette file could not be read"):
        client().get("/v1/customers")


def test_the_player_refuses_a_request_outside_any_cassette(tmp_path):
    player = ReplayTransport(RecordingPlan.for_replay(tmp_path))
    with pytest.raises(NetworkBlockedError, match="outside any test"):
        _client("http://127.0.0.1:9", transport=player).get("/v1/customers")
