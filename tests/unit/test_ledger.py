"""The run ledger: tagging create calls, recording what they made, bounded teardown."""

import json
from urllib.parse import parse_qsl

import pytest

from conformance.http.exchange import Request, Response
from conformance.http.transport import TransportError
from conformance.targets.cleanup import DESCRIPTION_TAG, RUN_METADATA_KEY, _leftover
from conformance.targets.ledger import (
    BREAKER_FAILURES,
    NOT_SENT,
    LedgerEntry,
    LedgerError,
    LedgerTransport,
    RunLedger,
    created_entry,
    ledger_run_id,
    load_ledger,
    read_ledger,
    tag_request,
    tear_down,
)

FORM = (("Content-Type", "application/x-www-form-urlencoded"),)


def post(path, body=b""):
    return Request("POST", "http://127.0.0.1:9" + path, FORM, body)


def sent_pairs(request):
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


@pytest.mark.parametrize("path", ["/v1/customers", "/v1/webhook_endpoints"])
def test_a_create_call_gets_the_run_tag_in_its_metadata(path):
    tagged = tag_request(post(path, b"email=a%40b.c&metadata[keep]=1"), "run1")
    assert sent_pairs(tagged) == {"email": "a@b.c", "metadata[keep]": "1", f"metadata[{RUN_METADATA_KEY}]": "run1"}


def test_an_empty_create_body_gets_the_tag_alone():
    assert tag_request(post("/v1/customers"), "run1").body == f"metadata[{RUN_METADATA_KEY}]=run1".encode()


@pytest.mark.parametrize(
    "body",
    [b"metadata=", b"&".join(f"metadata[k{i}]=v".encode() for i in range(50))],
    ids=["unsets-metadata", "fifty-keys"],
)
def test_without_room_in_the_metadata_the_description_names_the_run(body):
    tagged = tag_request(post("/v1/customers", body), "run1")
    description = sent_pairs(tagged)["description"]
    assert DESCRIPTION_TAG.match(description).group("run") == "run1"
    assert _leftover({"id": "cus_1", "description": description}).run_id == "run1"  # the sweep finds it


@pytest.mark.parametrize(
    "request_",
    [
        post("/v1/customers", b"metadata=&description=mine"),  # no room at all: the ledger still has it
        post("/v1/customers/cus_1", b"name=x"),  # an update, not a create
        post("/v1/customers/cus_1/sources", b"source=tok_visa"),  # a child: it goes with its customer
        Request("POST", "http://127.0.0.1:9/v1/customers", (("Content-Type", "application/json"),), b"{}"),
        post("/v1/customers", b"%%%not a form"),
        Request("GET", "http://127.0.0.1:9/v1/customers"),
    ],
    ids=["no-room", "update", "child", "json", "not-a-form", "get"],
)
def test_other_calls_are_sent_unchanged(request_):
    assert tag_request(request_, "run1") is request_


def answer(request, status=200, body=None):
    return Response(status, (), json.dumps(body).encode() if body is not None else b"", request)


def test_created_entries_name_the_path_that_deletes_them():
    customer = created_entry(post("/v1/customers"), answer(None, body={"id": "cus_1", "object": "customer"}))
    card = created_entry(
        post("/v1/customers/cus_1/sources"), answer(None, body={"id": "card_1", "object": "card"})
    )
    assert customer == LedgerEntry("customer", "cus_1", "/v1/customers/cus_1")
    assert card == LedgerEntry("card", "card_1", "/v1/customers/cus_1/sources/card_1", "/v1/customers/cus_1")
    assert created_entry(post("/v1/customers"), answer(None, 400, {"error": {}})) is None
    assert created_entry(post("/v1/customers/cus_1"), answer(None, body={"id": "cus_1", "object": "customer"})) is None


def test_the_ledger_file_is_written_as_objects_come_and_go(tmp_path):
    path = tmp_path / "ledger.jsonl"
    ledger = RunLedger("run1", path)
    ledger.created(LedgerEntry("customer", "cus_1", "/v1/customers/cus_1"))
    ledger.created(LedgerEntry("card", "card_1", "/v1/customers/cus_1/sources/card_1", "/v1/customers/cus_1"))
    ledger.created(LedgerEntry("customer", "cus_2", "/v1/customers/cus_2"))
    assert [e.id for e in read_ledger(path)[0]] == ["cus_1", "cus_2"]  # the card goes with its customer
    ledger.deleted("/v1/customers/cus_1")
    assert [e.id for e in read_ledger(path)[0]] == ["cus_2"] and ledger_run_id(path) == "run1"
    assert not ledger.knows("/v1/customers/cus_1/sources/card_1")


def test_a_damaged_ledger_file_is_one_clear_error(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text('{"event": "created"}\n')
    with pytest.raises(LedgerError, match=r"ledger\.jsonl:1"):
        read_ledger(path)


class Scripted:
    """A transport answering DELETEs with ``status`` and creates with a fresh customer."""

    def __init__(self, status=200):
        self.status = status
        self.sent = []

    def send(self, request):
        self.sent.append(request)
        if request.method == "POST":
            return answer(request, body={"id": f"cus_{len(self.sent)}", "object": "customer"})
        return answer(request, self.status, {})

    def close(self):
        pass


def test_teardown_deletes_stop_after_a_run_of_failures_but_probe_now_and_then():
    retrying, plain = Scripted(500), Scripted(500)
    ledger = RunLedger("run1")
    transport = LedgerTransport(retrying, ledger, plain=plain)
    with transport.teardown():
        statuses = [transport.send(Request("DELETE", f"http://h/v1/customers/cus_{i}")).status for i in range(30)]
    assert retrying.sent == []  # teardown never goes through the retries
    assert statuses[:BREAKER_FAILURES] == [500] * BREAKER_FAILURES
    assert len(plain.sent) == BREAKER_FAILURES + 2  # five failures, then one probe in ten
    assert statuses.count(NOT_SENT) == 30 - len(plain.sent)


def test_a_delete_under_test_is_not_teardown_and_passes_the_checkpoint():
    stops = []
    transport = LedgerTransport(Scripted(), RunLedger("run1"), checkpoint=lambda: stops.append(1))
    created = transport.send(post("/v1/customers"))
    transport.send(Request("DELETE", "http://h/v1/customers/" + created.json()["id"]))
    with transport.teardown():
        transport.send(Request("DELETE", "http://h/v1/customers/cus_x"))
    assert stops == [1, 1]  # teardown is never stopped half-way
    assert transport.ledger.outstanding() == []


def test_final_teardown_is_bounded_by_the_breaker_and_the_budget():
    ledger = RunLedger("run1")
    for i in range(20):
        ledger.created(LedgerEntry("customer", f"cus_{i}", f"/v1/customers/cus_{i}"))
    sent = []

    def failing(path):
        sent.append(path)
        return answer(None, 500, {})

    failures = tear_down(ledger, failing, budget=60)
    assert len(sent) == BREAKER_FAILURES and len(failures) == 20
    assert {f.status for f in failures} == {500, f"not attempted: {BREAKER_FAILURES} deletes in a row failed"}
    clock = iter([0.0, 100.0, 200.0])
    late = tear_down(ledger, failing, budget=50, clock=lambda: next(clock, 300.0))
    assert all(str(f.status).startswith("not attempted: the teardown time") for f in late[1:])


def test_final_teardown_deletes_and_records_what_is_gone(tmp_path):
    ledger = RunLedger("run1", tmp_path / "ledger.jsonl")
    ledger.created(LedgerEntry("customer", "cus_1", "/v1/customers/cus_1"))
    ledger.created(LedgerEntry("webhook_endpoint", "we_1", "/v1/webhook_endpoints/we_1"))

    def flaky(path):
        if path.endswith("we_1"):
            raise TransportError("timed out", Request("DELETE", path))
        return answer(None, 200, {})

    failures = tear_down(ledger, flaky, budget=60)
    assert [f.to_dict() for f in failures] == [{"type": "webhook_endpoint", "id": "we_1", "status": "timed out"}]
    outstanding, failed = read_ledger(tmp_path / "ledger.jsonl")
    assert [e.id for e in outstanding] == ["we_1"] and failed == [failures[0].to_dict()]


def test_a_create_that_got_no_answer_makes_teardown_sweep_the_run_tag(tmp_path):
    class Interrupted(Scripted):
        def send(self, request):
            raise KeyboardInterrupt  # the signal lands while the target is creating the customer

    path = tmp_path / "ledger.jsonl"
    transport = LedgerTransport(Interrupted(), RunLedger("run1", path))
    with pytest.raises(KeyboardInterrupt):
        transport.send(post("/v1/customers"))
    assert transport.ledger.uncertain and load_ledger(path, "run1").uncertain
    reading = LedgerTransport(Interrupted(), RunLedger("run2"))
    with pytest.raises(KeyboardInterrupt):
        reading.send(Request("GET", "http://h/v1/customers"))
    assert not reading.ledger.uncertain  # a read creates nothing


class Objects:
    """A transport keeping customers as a target would: metadata merged key by key, ``metadata=`` unsets all."""

    def __init__(self, delete_status=200):
        self.delete_status = delete_status
        self.customers = {}
        self.sent = []

    def send(self, request):
        self.sent.append(request)
        path = request.url.split("127.0.0.1:9", 1)[-1]
        if request.method == "DELETE":
            if self.delete_status == 200:
                self.customers.pop(path.rsplit("/", 1)[-1], None)
            return answer(request, self.delete_status, {})
        pairs = parse_qsl(request.body.decode(), keep_blank_values=True)
        if path == "/v1/customers":
            customer = {"id": f"cus_{len(self.customers) + 1}", "object": "customer", "metadata": {},
                        "description": None}
            self.customers[customer["id"]] = customer
        else:
            customer = self.customers[path.rsplit("/", 1)[-1]]
        for key, value in pairs:
            if key == "metadata":
                customer["metadata"] = {}
            elif key.startswith("metadata["):
                customer["metadata"][key[len("metadata["):-1]] = value
            elif key == "description":
                customer["description"] = value or None
        return answer(request, body=dict(customer, metadata=dict(customer["metadata"])))

    def close(self):
        pass


def test_an_update_that_unsets_the_tag_is_answered_as_sent_then_tagged_again_once(tmp_path):
    target, plain = Objects(), None
    path = tmp_path / "ledger.jsonl"
    transport = LedgerTransport(target, RunLedger("run1", path), plain=plain)
    created = transport.send(post("/v1/customers")).json()
    assert created["metadata"] == {RUN_METADATA_KEY: "run1"}
    stripped = transport.send(post(f"/v1/customers/{created['id']}", b"metadata="))
    assert stripped.json()["metadata"] == {}  # the call under test is sent and answered exactly as generated
    assert stripped.request.body == b"metadata="
    assert transport.ledger.to_retag() == [(f"/v1/customers/{created['id']}", f"metadata[{RUN_METADATA_KEY}]=run1")]
    assert load_ledger(path, "run1").to_retag()  # the file says so too (for the xdist controller)
    assert transport.restore_tags() == 1 and transport.restore_tags() == 0  # one follow-up, not one per call
    follow_up = target.sent[-1]
    assert follow_up.method == "POST" and sent_pairs(follow_up) == {f"metadata[{RUN_METADATA_KEY}]": "run1"}
    assert follow_up.header("Idempotency-Key") is None
    assert target.customers[created["id"]]["metadata"] == {RUN_METADATA_KEY: "run1"}
    assert transport.ledger.to_retag() == [] and load_ledger(path, "run1").to_retag() == []


def test_a_create_without_room_for_the_tag_is_tagged_after_it_and_teardown_restores_before_deleting():
    target = Objects(delete_status=500)
    transport = LedgerTransport(target, RunLedger("run1"))
    created = transport.send(post("/v1/customers", b"metadata=&description=mine")).json()  # sent as generated
    assert created["description"] == "mine" and created["metadata"] == {}
    for _ in range(BREAKER_FAILURES + 1):  # the breaker opens: the last delete is not even sent
        transport.send(post("/v1/customers"))
    with transport.teardown():
        for customer in list(target.customers):
            transport.send(Request("DELETE", f"http://127.0.0.1:9/v1/customers/{customer}"))
    assert all(_leftover(c) is not None for c in target.customers.values())  # every leftover carries the tag


def test_an_object_without_metadata_room_gets_the_tag_in_its_description():
    target = Objects()
    transport = LedgerTransport(target, RunLedger("run1"))
    created = transport.send(post("/v1/customers")).json()
    fifty = b"metadata=&" + b"&".join(f"metadata[k{i}]=v".encode() for i in range(50))
    transport.send(post(f"/v1/customers/{created['id']}", fifty))
    transport.restore_tags()
    customer = target.customers[created["id"]]
    assert len(customer["metadata"]) == 50 and DESCRIPTION_TAG.match(customer["description"]).group("run") == "run1"


def test_final_teardown_tags_again_what_it_could_not_delete(tmp_path):
    path = tmp_path / "ledger.jsonl"
    target = Objects(delete_status=500)
    transport = LedgerTransport(target, RunLedger("run1", path))
    created = transport.send(post("/v1/customers")).json()
    transport.send(post(f"/v1/customers/{created['id']}", b"metadata="))  # the run is stopped right here
    ledger = load_ledger(path, "run1")  # the xdist controller's view

    def retag(object_path, form):
        return target.send(post(object_path, form.encode()))

    failures = tear_down(ledger, lambda p: target.send(Request("DELETE", "http://127.0.0.1:9" + p)), budget=60,
                         retag=retag)
    assert [f.entry.id for f in failures] == [created["id"]]
    assert target.customers[created["id"]]["metadata"] == {RUN_METADATA_KEY: "run1"}
    assert load_ledger(path, "run1").to_retag() == []
