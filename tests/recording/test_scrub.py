"""The vcrpy hooks apply the redaction to requests (on a copy) and to responses, gzip included."""

import base64
import gzip
import json

from vcr.request import Request as VcrRequest

from conformance.recording.scrub import scrub_request, scrub_response

KEY = "sk_test_CANARYscrub0123456789"


def test_request_copy_is_redacted_and_the_live_request_untouched():
    auth = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    live = VcrRequest(
        "POST",
        "http://127.0.0.1:1/v1/customers/cus_1/sources?client_secret=pi_1_secret_2",
        b"source[number]=4242424242424242&source[cvc]=123&metadata[k]=v",
        {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded", "Stripe-Account": "acct_1"},
    )
    clean = scrub_request(live)
    assert live.headers["Authorization"] == auth and b"4242424242424242" in live.body  # still sendable
    assert clean.headers["Authorization"] == "[REDACTED]" and clean.headers["Stripe-Account"] == "[REDACTED]"
    assert b"4242424242424242" not in clean.body and b"cvc]=123" not in clean.body and b"metadata[k]=v" in clean.body
    assert "pi_1_secret_2" not in clean.uri


def test_response_headers_and_body_are_redacted():
    body = json.dumps({"secret": "whsec_abc", "message": f"Invalid API Key provided: {KEY}"}).encode()
    response = {
        "status": {"code": 401, "message": "Unauthorized"},
        "headers": {"Set-Cookie": ["session=abc"], "Content-Type": ["application/json"]},
        "body": {"string": body},
    }
    clean = scrub_response(response)
    text = clean["body"]["string"].decode()
    assert KEY not in text and "whsec_abc" not in text
    assert clean["headers"]["Set-Cookie"] == ["[REDACTED]"]


def test_compressed_responses_are_decoded_before_redaction():
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Encoding": ["gzip"], "Content-Type": ["application/json"]},
        "body": {"string": gzip.compress(f'{{"leak": "{KEY}"}}'.encode())},
    }
    clean = scrub_response(response)
    assert KEY.encode() not in clean["body"]["string"] and b"sk_test_[REDACTED]" in clean["body"]["string"]
    assert "Content-Encoding" not in clean["headers"]
