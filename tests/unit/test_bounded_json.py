"""JSON is parsed with a depth limit: deeper is an error value, never a RecursionError, at any depth."""

import json

import pytest

from conformance.http import Request, Response
from conformance.http.bounded_json import MAX_JSON_DEPTH, JSONTooDeepError, deeper_than, loads
from conformance.reporting.html import _pretty_body


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 100_000])
@pytest.mark.parametrize("shape", ["array", "object", "unclosed"])
def test_too_deep_is_an_error_value(depth, shape):
    if shape == "unclosed" and depth == MAX_JSON_DEPTH + 1:
        pytest.skip("shallow and unclosed: an ordinary parse error")
    text = {"array": "[" * depth + "]" * depth, "object": '{"a":' * depth + "1" + "}" * depth,
            "unclosed": "[" * depth}[shape]
    with pytest.raises(JSONTooDeepError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        loads(text)


def test_at_the_limit_and_ordinary_bodies_parse():
    assert loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    body = {"object": "list", "data": [{"id": f"card_{i}", "checks": {"cvc": "pass"}} for i in range(100)]}
    assert loads(json.dumps(body).encode()) == body
    assert loads('"[[[[[[["') == "[[[[[[["  # brackets inside strings do not nest
    assert not deeper_than({"a": [1, {"b": []}]}, 4) and deeper_than({"a": [1, {"b": []}]}, 3)


def test_response_says_why_it_did_not_read_the_body():
    response = Response(200, (), b"[" * 100_000 + b"]" * 100_000, Request("GET", "http://127.0.0.1:1/v1/x"))
    assert response.json() is None and response.json_problem() == f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    assert Response(200, (), b"{}", response.request).json_problem() is None


def test_html_report_shows_a_deep_body_as_text():
    body = '{"a":' * 100_000 + "1" + "}" * 100_000
    assert _pretty_body(body).startswith('{"a":{"a":')
