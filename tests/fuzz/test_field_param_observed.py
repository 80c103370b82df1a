"""``fuzz.error-param-card-fields`` counts an observation only when an answer is judged against one field."""

from __future__ import annotations

import json

from conformance.fuzz.checks import FIELD_CODES, envelope_failures, names_a_field
from conformance.fuzz.requirement_ids import ERROR_PARAM_CARD_FIELDS
from conformance.http.exchange import Request, Response


def _error(status: int, **error: object) -> Response:
    body = json.dumps({"error": {"type": "card_error", "message": "refused", **error}}).encode()
    return Response(status, (), body, Request("POST", "http://127.0.0.1:9/v1/customers/cus_1/sources"))


def test_a_field_code_without_param_is_observed_and_warned() -> None:
    code = sorted(FIELD_CODES)[0]
    response = _error(402, code=code)
    assert names_a_field(response)
    assert [f.requirement_id for f in envelope_failures(response)] == [ERROR_PARAM_CARD_FIELDS]


def test_a_field_code_naming_its_param_is_observed_and_holds() -> None:
    response = _error(402, code=sorted(FIELD_CODES)[0], param="exp_month")
    assert names_a_field(response)
    assert envelope_failures(response) == []


def test_an_answer_about_no_field_is_no_observation() -> None:
    assert not names_a_field(_error(400, code="resource_missing"))
    assert not names_a_field(Response(200, (), b"{}", Request("GET", "http://127.0.0.1:9/v1/customers")))
    assert not names_a_field(Response(400, (), b"not json", Request("GET", "http://127.0.0.1:9/v1/customers")))


def test_an_injected_bad_value_is_observed_through_its_blamed_parameters() -> None:
    response = _error(400, code="parameter_invalid_integer", param="exp_month")
    assert names_a_field(response, blamed=("exp_month",))
