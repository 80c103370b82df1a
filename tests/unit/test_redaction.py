import base64

from conformance.http import Request, curl_command
from conformance.http.redaction import redact_form, redact_headers, redact_request, redact_text

KEY = "sk_test_51CanaryKeyABCDEFGHIJKLMNOP"
LIVE = "rk_live_51CanaryKeyABCDEFGHIJKLMNOP"


def test_keys_are_masked_in_text():
    text = f"Invalid API Key provided: {KEY} and {LIVE} and pk_test_abc123"
    cleaned = redact_text(text)
    assert KEY not in cleaned and LIVE not in cleaned and "pk_test_abc123" not in cleaned
    assert "sk_test_" in cleaned  # the kind of key stays visible


def test_pan_and_json_secrets_are_masked():
    cleaned = redact_text('{"number": "4242424242424242", "client_secret": "pi_1_secret_x", "cvc": "123"}')
    assert "4242424242424242" not in cleaned and "pi_1_secret_x" not in cleaned and '"123"' not in cleaned


def test_non_luhn_digit_runs_are_kept():
    assert redact_text("created 1700000000123") == "created 1700000000123"


def test_secret_headers():
    headers = redact_headers([("Authorization", "Basic abc"), ("Stripe-Account", "acct_1"), ("X", KEY)])
    values = dict(headers)
    assert values["Authorization"] == "[REDACTED]" and values["Stripe-Account"] == "[REDACTED]"
    assert KEY not in values["X"]


def test_form_card_fields():
    cleaned = redact_form("source[object]=card&source[number]=4242424242424242&source[cvc]=314&name=x")
    assert "4242424242424242" not in cleaned and "314" not in cleaned and "name=x" in cleaned


def test_request_and_curl_never_show_the_key():
    auth = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    request = Request(
        "POST",
        "http://127.0.0.1:1/v1/customers/cus_1/sources",
        (("Authorization", auth), ("Content-Type", "application/x-www-form-urlencoded")),
        b"source[number]=4242424242424242&source[cvc]=123",
    )
    for text in (str(redact_request(request).to_dict()), curl_command(request)):
        assert KEY not in text and auth not in text and "4242424242424242" not in text
    assert '-u "$STRIPE_API_KEY:"' in curl_command(request)
