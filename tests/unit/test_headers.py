"""-H/--header: parsing, the headers the suite keeps for itself, sending, and redaction by name."""

import pytest

from conformance.http import Request, Response
from conformance.http.curl import curl_command
from conformance.http.headers import RESERVED_HEADERS, HeaderError, HeaderTransport, parse_header, parse_headers
from conformance.http.redaction import REDACTED, forget_secrets, is_secret_header, redact_request, redact_text


class _Echo:
    def __init__(self):
        self.sent = []

    def send(self, request):
        self.sent.append(request)
        return Response(200, (), b"{}", request)

    def close(self):
        pass


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("Stripe-Account:acct_1abc", ("Stripe-Account", "acct_1abc")),
        ("X-Gateway-Token: t0k3n ", ("X-Gateway-Token", "t0k3n")),
        ("X-Empty:", ("X-Empty", "")),
        ("X-Url: https://a.example:8443/x", ("X-Url", "https://a.example:8443/x")),
    ],
)
def test_parse(spec, parsed):
    assert parse_header(spec) == parsed


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no-colon", "is not NAME:VALUE"),
        (":value", "is not NAME:VALUE"),
        ("Bad Name: x", "not a valid HTTP field name"),
        ("X-A: one\r\nX-B: two", "line break"),
        *[(f"{name.title()}: x", "cannot be set with --header") for name in RESERVED_HEADERS],
    ],
)
def test_refused(spec, message):
    with pytest.raises(HeaderError, match=message):
        parse_header(spec)


def test_a_name_given_twice_is_refused():
    with pytest.raises(HeaderError, match="given twice"):
        parse_headers(["X-A: 1", "x-a: 2"])


def test_the_transport_adds_missing_headers_and_keeps_a_requests_own():
    inner = _Echo()
    transport = HeaderTransport(inner, (("Stripe-Account", "acct_1"), ("X-Trace", "t")))
    response = transport.send(Request("GET", "http://h/v1/customers", (("X-Trace", "mine"),)))
    assert inner.sent[0].headers == (("X-Trace", "mine"), ("Stripe-Account", "acct_1"))
    assert response.request.header("Stripe-Account") == "acct_1"  # evidence shows what was sent


@pytest.mark.parametrize(
    ("name", "secret"),
    [("Stripe-Account", True), ("X-Api-Key", True), ("X-Auth-Token", True), ("Client-Secret", True),
     ("Authorization", True), ("Idempotency-Key", False), ("Stripe-Version", False), ("X-Trace", False)],
)
def test_secret_headers_by_name(name, secret):
    assert is_secret_header(name) is secret


def test_secret_header_values_are_redacted_in_evidence_and_curl():
    request = Request("POST", "http://h/v1/customers", (("Authorization", "Bearer sk_test_abc"),
                                                       ("X-Api-Key", "gw-51e7c4"), ("X-Trace", "t-1")), b"a=1")
    assert dict(redact_request(request).headers)["X-Api-Key"] == REDACTED
    line = curl_command(request)
    assert "gw-51e7c4" not in line and f"X-Api-Key: {REDACTED}" in line and "X-Trace: t-1" in line


def test_a_credential_header_value_is_redacted_even_where_a_target_echoes_it():
    try:
        HeaderTransport(_Echo(), (("X-Api-Key", "gw-51e7c4d9a0"), ("X-Trace", "trace-value-1")))
        assert redact_text('{"error": "unknown key gw-51e7c4d9a0"}') == f'{{"error": "unknown key {REDACTED}"}}'
        assert "trace-value-1" in redact_text("echo trace-value-1")  # not a credential: left as evidence
    finally:
        forget_secrets()
