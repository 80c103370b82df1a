"""Bad input to the reference server: always a Stripe error or a normal answer, never a 500, never a hang.

Requests go over a real socket to a running server (so "never a hang" is a socket timeout, not an
in-process call). Hypothesis generates the malformed bodies, bytes, keys and ids; the fixed cases
cover the sizes the issue names (10,000 parameters, deep nesting, huge values).
"""

import http.client
import json
import string
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.reference import ReferenceServer

KEY = "sk_test_fuzz1234567"
AUTH = {"Authorization": f"Bearer {KEY}"}
TIMEOUT = 10.0
"""Seconds an answer may take; a longer wait is a hang."""

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STRIPE_ERROR_TYPES = {"invalid_request_error", "api_error", "card_error", "idempotency_error", "authentication_error"}


@pytest.fixture(scope="module")
def target():
    """A reference server with one customer holding one card."""
    with ReferenceServer() as server:
        host, port = "127.0.0.1", server.port
        _, body, _ = send((host, port), "POST", "/v1/customers", b"description=fuzz", FORM)
        customer = json.loads(body)["id"]
        _, body, _ = send((host, port), "POST", f"/v1/customers/{customer}/sources", b"source=tok_visa", FORM)
        card = json.loads(body)["id"]
        yield (host, port), customer, card


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def send(address, method, path, body=b"", headers=None, auth=True):
    """Send raw bytes; return (status, body, seconds). A timeout fails the test as a hang."""
    connection = http.client.HTTPConnection(*address, timeout=TIMEOUT)
    started = time.monotonic()
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {**(AUTH if auth else {}), **(headers or {})}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read(), time.monotonic() - started
    except TimeoutError:
        pytest.fail(f"{method} {path[:80]}: no answer within {TIMEOUT} s (hang)")
    finally:
        connection.close()


def assert_stripe_answer(status, body, *, must_refuse=False):
    assert status < 500, f"HTTP {status}: {body[:300]!r}"
    if must_refuse:
        assert 400 <= status < 500, f"expected a 4xx, got {status}: {body[:200]!r}"
    if status >= 400:
        error = json.loads(body).get("error")
        assert isinstance(error, dict) and error.get("type") in STRIPE_ERROR_TYPES, body[:300]
        assert isinstance(error.get("message"), str) and error["message"]


def endpoints(customer, card):
    return [
        ("POST", "/v1/customers"),
        ("POST", f"/v1/customers/{customer}"),
        ("POST", f"/v1/customers/{customer}/sources"),
        ("POST", f"/v1/customers/{customer}/sources/{card}"),
        ("GET", f"/v1/customers/{customer}/sources"),
        ("GET", "/v1/customers"),
    ]


FORM_ALPHABET = st.sampled_from(list("&=[]%+.;") + list(string.ascii_letters[:8]) + ["%00", "%ff", "%5B", "é", " "])
form_text = st.lists(FORM_ALPHABET, max_size=80).map("".join)


@FUZZ
@given(text=form_text, which=st.integers(0, 5))
def test_malformed_form_bodies(target, text, which):
    address, customer, card = target
    method, path = endpoints(customer, card)[which]
    if method == "GET":
        status, body, _ = send(address, "GET", f"{path}?{quote(text, safe='&=[]%+')}")
    else:
        status, body, _ = send(address, method, path, text.encode(), FORM)
    assert_stripe_answer(status, body)


@FUZZ
@given(raw=st.binary(max_size=200), which=st.integers(0, 3))
def test_arbitrary_bytes_including_invalid_utf8(target, raw, which):
    address, customer, card = target
    method, path = endpoints(customer, card)[which]
    status, body, _ = send(address, method, path, raw, FORM)
    assert_stripe_answer(status, body)


@pytest.mark.parametrize(
    "body",
    [b"description=\xff\xfe", b"description=%ff%fe", b"metadata[%c3%28]=x", b"\xc3\x28=1", b"name=%ed%a0%80"],
    ids=["raw-bytes", "percent-invalid", "invalid-key", "raw-key", "surrogate"],
)
def test_invalid_utf8_is_a_400(target, body):
    address, customer, _ = target
    status, answer, _ = send(address, "POST", f"/v1/customers/{customer}", body, FORM)
    assert_stripe_answer(status, answer, must_refuse=True)


@pytest.mark.parametrize("count", [1_001, 10_000])
def test_thousands_of_parameters_are_a_400(target, count):
    address, customer, _ = target
    body = "&".join(f"metadata[k{n}]=v" for n in range(count)).encode()
    status, answer, seconds = send(address, "POST", f"/v1/customers/{customer}", body, FORM)
    assert_stripe_answer(status, answer, must_refuse=True)
    assert seconds < 5


@pytest.mark.parametrize(
    "key",
    ["metadata" + "[a]" * 11, "metadata" + "[a]" * 5_000, "a" + "[" * 10_000, "a" + "]" * 10_000, "[" * 5_000 + "x"],
    ids=["depth-11", "depth-5000", "open-10000", "close-10000", "leading-open"],
)
def test_deeply_nested_or_unbalanced_brackets_are_a_400(target, key):
    address, customer, _ = target
    status, answer, seconds = send(address, "POST", f"/v1/customers/{customer}", f"{key}=x".encode(), FORM)
    assert_stripe_answer(status, answer, must_refuse=True)
    assert seconds < 5


@pytest.mark.parametrize(
    ("param", "size"),
    [("description", 5_001), ("description", 1_000_000), ("metadata[k]", 501), ("metadata[" + "k" * 41 + "]", 1),
     ("name", 1_000_000)],
    # Bodies over the server's 1 MB cap are answered 413 before they are read (tests/load/test_load_limits.py);
    # the largest values here stay under it, so the refusal judged is the parameter's own.
    ids=["description-5001", "description-1MB", "metadata-value-501", "metadata-key-41", "name-1MB"],
)
def test_huge_values_are_a_400(target, param, size):
    address, customer, _ = target
    body = f"{param}=".encode() + b"x" * size
    status, answer, seconds = send(address, "POST", f"/v1/customers/{customer}", body, FORM)
    assert_stripe_answer(status, answer, must_refuse=True)
    assert seconds < 5


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"description": "x", "metadata": {"a": "b"}}'),
        ("application/json", b"[1, 2, 3]"),
        ("multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--'),
        ("text/plain", b"description=plain"),
        ("application/x-www-form-urlencoded; charset=latin-1", b"description=caf%E9"),
        ("", b"description=none"),
    ],
    ids=["json-object", "json-array", "multipart", "text-plain", "latin-1", "no-content-type"],
)
def test_wrong_content_types_never_break_the_server(target, content_type, body):
    address, customer, _ = target
    headers = {"Content-Type": content_type} if content_type else {}
    status, answer, _ = send(address, "POST", f"/v1/customers/{customer}", body, headers)
    assert_stripe_answer(status, answer)


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=xyz"])
def test_structured_non_form_bodies_are_refused(target, content_type):
    address, customer, _ = target
    multipart = b"--xyz\r\nContent-Disposition: form-data\r\n\r\n--xyz--"
    body = b'{"description": "x"}' if "json" in content_type else multipart
    status, answer, _ = send(address, "POST", f"/v1/customers/{customer}", body, {"Content-Type": content_type})
    assert_stripe_answer(status, answer, must_refuse=True)


TRAVERSALS = [
    "..", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%2e%2e%2f%2e%2e", "cus_x%00", "cus_x%0d%0aSet-Cookie:%20a=b",
    "%ff%fe", "cus_" + "a" * 10_000, "cus_%E2%80%AE", "..;", "%252e%252e", "cus_x?y", "cus_x#frag",
]


@pytest.mark.parametrize("segment", TRAVERSALS, ids=[f"t{n}" for n in range(len(TRAVERSALS))])
def test_path_traversal_in_ids_is_a_404(target, segment):
    address, customer, card = target
    for method, path in [
        ("GET", f"/v1/customers/{segment}"),
        ("GET", f"/v1/customers/{customer}/sources/{segment}"),
        ("DELETE", f"/v1/customers/{customer}/sources/{segment}"),
        ("POST", f"/v1/customers/{segment}/sources"),
        ("GET", f"/v1/customers/{segment}/sources/{card}"),
    ]:
        status, answer, _ = send(address, method, path, b"source=tok_visa" if method == "POST" else b"", FORM)
        assert_stripe_answer(status, answer, must_refuse=True)
    status, body, _ = send(address, "GET", f"/v1/customers/{customer}/sources/{card}")
    assert status == 200 and json.loads(body)["id"] == card  # nothing was touched


segment_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)


@FUZZ
@given(segment=segment_text, method=st.sampled_from(["GET", "POST", "DELETE"]))
def test_generated_ids_are_stripe_errors(target, segment, method):
    address, customer, card = target
    path = f"/v1/customers/{customer}/sources/{quote(segment, safe='')}"
    status, answer, _ = send(address, method, path, b"name=x" if method == "POST" else b"", FORM)
    assert_stripe_answer(status, answer, must_refuse=segment != card)


@FUZZ
@given(
    keys=st.lists(
        st.text(alphabet=st.sampled_from(list("ab[]0_")), min_size=1, max_size=12), min_size=1, max_size=20
    ),
    value=st.text(max_size=30),
)
def test_generated_bracket_keys(target, keys, value):
    address, customer, _ = target
    body = "&".join(f"{quote(key, safe='[]')}={quote(value)}" for key in keys).encode()
    status, answer, _ = send(address, "POST", f"/v1/customers/{customer}", body, FORM)
    assert_stripe_answer(status, answer)


def test_the_server_still_answers_after_all_of_it(target):
    address, customer, card = target
    status, _, _ = send(address, "GET", f"/v1/customers/{customer}/sources/{card}")
    assert status == 200


def test_an_overlong_request_line_is_refused_by_the_http_layer(target):
    """Past the HTTP server's line limit the answer is its plain 400, not a Stripe envelope: still no 5xx."""
    address, _, _ = target
    status, _, seconds = send(address, "GET", "/v1/customers?email=" + "a" * 100_000)
    assert 400 <= status < 500 and seconds < 5


def test_the_nesting_check_detects_a_server_without_a_depth_limit(target, monkeypatch):
    """The checks above are not vacuous: lift the decoder's depth limit and deep nesting becomes a 500."""
    from conformance.reference import forms

    monkeypatch.setattr(forms, "MAX_DEPTH", 10**9)
    address, customer, _ = target
    body = ("metadata" + "[a]" * 5_000 + "=x").encode()
    status, answer, _ = send(address, "POST", f"/v1/customers/{customer}", body, FORM)
    with pytest.raises(AssertionError):
        assert_stripe_answer(status, answer, must_refuse=True)
