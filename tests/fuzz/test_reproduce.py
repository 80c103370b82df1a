"""Reproducing a failure: the calls as curl lines, ids created earlier captured into shell variables."""

from __future__ import annotations

import json

from conformance.fuzz.reproduce import curl_sequence
from conformance.http.exchange import Request, Response

BASE = "http://127.0.0.1:9"
AUTH = (("Authorization", "Bearer sk_test_secretkey1234567890"),)


def _exchange(method: str, path: str, body: str = "", answer: dict[str, object] | None = None) -> Response:
    request = Request(method, BASE + path, AUTH, body.encode())
    return Response(200, (("Content-Type", "application/json"),), json.dumps(answer or {}).encode(), request)


def test_ids_from_earlier_answers_become_variables() -> None:
    calls = [
        _exchange(
            "POST", "/v1/customers", "source=tok_visa", {"id": "cus_ABCDEF123", "default_source": "card_XYZ123456"}
        ),
        _exchange("POST", "/v1/customers/cus_ABCDEF123/sources", "source=tok_amex", {"id": "card_NEW999999"}),
        _exchange("POST", "/v1/customers/cus_ABCDEF123", "default_source=card_XYZ123456&name=a%20b"),
        _exchange("DELETE", "/v1/customers/cus_ABCDEF123/sources/card_NEW999999"),
    ]
    lines = curl_sequence(calls).splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("R1=$(curl ") and 'ID1=$(jq -r .id <<< "$R1")' in lines[0]
    assert 'DEFAULT_SOURCE1=$(jq -r .default_source <<< "$R1")' in lines[0]
    assert '/v1/customers/"${ID1}"/sources' in lines[1]
    assert "default_source='\"${DEFAULT_SOURCE1}\"'&name=a%20b'" in lines[2]
    assert '/v1/customers/"${ID1}"/sources/"${ID2}" -H "Authorization: Bearer $STRIPE_API_KEY"' in lines[3]
    assert all("cus_ABCDEF123" not in line for line in lines[1:])
    assert all("sk_test_secretkey" not in line for line in lines)


def test_a_single_call_is_one_plain_line() -> None:
    line = curl_sequence([_exchange("GET", "/v1/customers?limit=3")])
    assert line.startswith("curl -sS ") and "\n" not in line
