import pytest

from conformance.checks import ConformanceError, EnvelopeViolation, StatusMismatch, Verifier
from conformance.checks.verifier import resolve_path
from conformance.http import Request, Response

REQ = Request("GET", "http://127.0.0.1:1/v1/customers/cus_1", (("Authorization", "Basic c2tfdGVzdF94Og=="),))


def response(status, body):
    return Response(status, (("Content-Type", "application/json"),), body.encode(), REQ)


def test_status_failure_is_typed_with_evidence():
    verifier = Verifier(["card.retrieve.by-id"])
    with pytest.raises(ConformanceError) as info:
        verifier.status(response(500, '{"error": {"message": "boom"}}'), 200)
    failure = info.value.failures[0]
    assert isinstance(failure, StatusMismatch)
    assert failure.requirement_id == "card.retrieve.by-id"
    assert "expected HTTP 200, got 500" in failure.message
    assert failure.curl.startswith("curl") and "c2tfdGVzdF94" not in failure.curl
    assert failure.request["headers"]["Authorization"] == "[REDACTED]"


def test_passed_checks_are_counted():
    verifier = Verifier(["a.b"])
    verifier.status(response(200, '{"id": "x"}'), 200)
    verifier.equal(response(200, '{"id": "x"}'), "$.id", "x")
    assert verifier.passed == {"a.b": 2}


def test_error_envelope_checks_type_code_param():
    verifier = Verifier(["a.b"])
    good = '{"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "m", "param": "id"}}'
    verifier.error(response(404, good), status=404, code="resource_missing", param="id")
    with pytest.raises(ConformanceError) as info:
        verifier.error(response(404, '{"message": "nope"}'), status=404)
    assert isinstance(info.value.failures[0], EnvelopeViolation)


def test_soft_collects_every_failure():
    verifier = Verifier(["a.b"])
    with pytest.raises(ConformanceError) as info, verifier.soft():
        verifier.equal(response(200, '{"x": 1, "y": 2}'), "$.x", 2)
        verifier.equal(response(200, '{"x": 1, "y": 2}'), "$.y", 3)
    assert len(info.value.failures) == 2


def test_ambiguous_requirement_must_be_named():
    with pytest.raises(ValueError, match="name the requirement"):
        Verifier(["a.b", "c.d"]).status(response(200, "{}"), 200)


def test_resolve_path():
    doc = {"data": [{"id": "c1"}], "a": {"b": None}}
    assert resolve_path(doc, "$.data[0].id") == "c1"
    assert resolve_path(doc, "$.a.b") is None
    assert repr(resolve_path(doc, "$.nope")) == "<missing>"


def test_an_advisory_failure_is_recorded_but_does_not_stop_the_scenario():
    check = Verifier(["a.must", "a.should"], advisory=["a.should"])
    check.status(response(404, "{}"), 200, req="a.should")
    check.status(response(200, "{}"), 200, req="a.must")
    assert [f.requirement_id for f in check.failures] == ["a.should"]
    assert check.passed == {"a.must": 1}
    with pytest.raises(ConformanceError):
        check.status(response(404, "{}"), 200, req="a.must")
