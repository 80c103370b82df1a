"""The redaction rules every cassette, report and log goes through (pure functions, no vcrpy)."""

import base64
import json

import pytest

from conformance.http.redaction import (
    REDACTED,
    redact_body,
    redact_form,
    redact_header,
    redact_text,
    redact_url,
)

CANARY = "sk_test_CANARY0123456789abcdefXYZ"
PAN = "4242424242424242"


@pytest.mark.parametrize(
    "key",
    [CANARY, "sk_live_51Hxyz0123456789", "rk_test_abcdef0123", "rk_live_abcdef0123", "pk_test_abc", "pk_live_abc"],
)
def test_api_keys_anywhere_in_text(key):
    text = f'{{"error": {{"message": "Invalid API Key provided: {key}"}}}} and again {key}.'
    cleaned = redact_text(text)
    assert key not in cleaned
    assert key[:8] + REDACTED in cleaned  # the kind of key stays visible


def test_base64_of_a_key_is_removed():
    encoded = base64.b64encode(f"{CANARY}:".encode()).decode()
    for text in (encoded, f"Basic {encoded}", f"token={encoded}&x=1", f"auth: {encoded}"):
        assert encoded not in redact_text(text)


def test_webhook_and_client_secrets():
    text = json.dumps({"secret": "whsec_abc123", "client_secret": "pi_3Abc_secret_Xyz", "note": "whsec_zz9"})
    cleaned = redact_text(text)
    assert "whsec_abc123" not in cleaned and "pi_3Abc_secret_Xyz" not in cleaned and "whsec_zz9" not in cleaned
    assert "seti_1Abc_secret_Q1" not in redact_text("see seti_1Abc_secret_Q1 here")


@pytest.mark.parametrize(
    "pan", [PAN, "4242 4242 4242 4242", "4242-4242-4242-4242", "5555555555554444", "378282246310005"]
)
def test_full_card_numbers_in_text_keep_only_last4(pan):
    cleaned = redact_text(f"card {pan} declined")
    digits = pan.replace(" ", "").replace("-", "")
    assert digits not in cleaned.replace(" ", "").replace("-", "")
    assert cleaned.endswith(f"{REDACTED}{digits[-4:]} declined")


def test_object_ids_and_timestamps_are_not_taken_for_card_numbers():
    text = '{"id": "card_4242424242424242", "created": 1700000000, "fingerprint": "x4242424242424242"}'
    assert redact_text(text) == text


def test_json_card_fields():
    cleaned = redact_text('{"number": "4000 0566 5566 5556", "cvc": "123", "invoice": {"number": "ABC-0001"}}')
    assert "4000 0566" not in cleaned and '"123"' not in cleaned
    assert '"number": "ABC-0001"' in cleaned  # an invoice number is no card number


@pytest.mark.parametrize("prefix", ["source", "card"])
def test_form_card_number_and_cvc(prefix):
    body = f"{prefix}[object]=card&{prefix}[number]={PAN}&{prefix}[cvc]=314&{prefix}[exp_month]=12&name=Jenny"
    cleaned = redact_form(body)
    assert PAN not in cleaned and "314" not in cleaned
    assert f"{prefix}[number]={REDACTED}4242" in cleaned and f"{prefix}[cvc]={REDACTED}" in cleaned
    assert f"{prefix}[exp_month]=12" in cleaned and "name=Jenny" in cleaned


def test_form_secrets_even_when_not_luhn():
    cleaned = redact_form("source[number]=4242424242424241&cvc=999&client_secret=abc&secret=s3")
    assert "4242424242424241" not in cleaned and "999" not in cleaned and "abc" not in cleaned and "s3" not in cleaned


@pytest.mark.parametrize(
    "text",
    [
        f"source[number]={PAN}&source[cvc]=123",
        f'{{"number": "{PAN}", "cvc": "123", "k": "{CANARY}", "secret": "whsec_x1"}}',
        f"Bearer {CANARY} and {base64.b64encode(CANARY.encode()).decode()}",
    ],
)
def test_redaction_is_idempotent(text):
    once = redact_form(text) if text.startswith("source") else redact_text(text)
    twice = redact_form(once) if text.startswith("source") else redact_text(once)
    assert once == twice


@pytest.mark.parametrize("name", ["Authorization", "authorization", "Stripe-Account", "Cookie", "Set-Cookie"])
def test_secret_headers_are_blanked(name):
    assert redact_header(name, "Basic c2tfdGVzdF9hYmM6") == REDACTED


def test_other_headers_are_scrubbed_as_text():
    assert CANARY not in redact_header("X-Debug", f"key={CANARY}")
    assert redact_header("Idempotency-Key", "sc-abc-1") == "sc-abc-1"


def test_url_query_path_and_userinfo():
    url = f"https://{CANARY}:@api.example.test/v1/keys/{CANARY}?number={PAN}&limit=3"
    cleaned = redact_url(url)
    assert CANARY not in cleaned and PAN not in cleaned and "limit=3" in cleaned


def test_body_by_content_type():
    form = redact_body(f"card[number]={PAN}".encode(), "application/x-www-form-urlencoded; charset=utf-8")
    assert PAN.encode() not in form
    text = redact_body(f'{{"message": "{CANARY}"}}'.encode(), "application/json")
    assert CANARY.encode() not in text
    binary = b"\xff\xfe\x00binary " + CANARY.encode()  # not UTF-8: redacted as text, its length kept visible
    cleaned = redact_body(binary, "application/octet-stream").decode("utf-8")
    assert CANARY not in cleaned and "binary" in cleaned and f"not UTF-8: {len(binary)} bytes" in cleaned
    assert redact_body(b"", None) == b""
