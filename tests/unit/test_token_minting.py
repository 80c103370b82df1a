"""TokenMintingTransport: fixed test tokens swapped for minted ones, everything else untouched."""

import json
from urllib.parse import parse_qs

from conformance.http.exchange import Request, Response
from conformance.targets.token_minting import TEST_CARDS, TokenMintingTransport, mint_token

BASE = "http://127.0.0.1:9"
HEADERS = (("Authorization", "Bearer sk_test_x"), ("Stripe-Version", "2023-08-16"))


class FakeTarget:
    """Mints tok_minted_N for /v1/tokens, echoes every other request's body."""

    def __init__(self, refuse_tokens=False):
        self.sent: list[Request] = []
        self.refuse_tokens = refuse_tokens
        self.closed = False

    def send(self, request):
        self.sent.append(request)
        if request.url.endswith("/v1/tokens"):
            if self.refuse_tokens:
                return Response(401, (), b'{"error": {"type": "invalid_request_error"}}', request)
            body = json.dumps({"id": f"tok_minted_{len(self.sent)}", "object": "token"}).encode()
            return Response(200, (), body, request)
        return Response(200, (), request.body, request)

    def close(self):
        self.closed = True


def post(body, *headers):
    return Request("POST", f"{BASE}/v1/customers/cus_1/sources", (*HEADERS, *headers), body.encode())


def test_fixed_token_is_replaced_by_a_token_minted_from_its_test_card():
    target = FakeTarget()
    response = TokenMintingTransport(target).send(post("source=tok_mastercard&metadata[a]=1"))
    mint = target.sent[0]
    assert mint.url == f"{BASE}/v1/tokens"
    assert parse_qs(mint.body.decode())["card[number]"] == [TEST_CARDS["tok_mastercard"].number]
    assert mint.header("authorization") == "Bearer sk_test_x"
    assert response.body == b"source=tok_minted_1&metadata[a]=1"


def test_other_requests_and_unknown_tokens_pass_untouched():
    target = FakeTarget()
    transport = TokenMintingTransport(target)
    for request in (
        post("source=tok_does_not_exist_0042"),
        post("name=tok_visa"),
        post("description=source=tok_visa"),
        Request("GET", f"{BASE}/v1/customers/cus_1/sources?source=tok_visa", HEADERS),
    ):
        assert transport.send(request).request == request
    assert all(not r.url.endswith("/v1/tokens") for r in target.sent)


def test_when_minting_is_refused_the_target_answers_the_fixed_token_itself():
    target = FakeTarget(refuse_tokens=True)
    response = TokenMintingTransport(target).send(post("source=tok_visa"))
    assert response.body == b"source=tok_visa"


def test_a_retry_with_the_same_idempotency_key_reuses_the_same_minted_token():
    target = FakeTarget()
    transport = TokenMintingTransport(target)
    key = ("Idempotency-Key", "k-1")
    first = transport.send(post("source=tok_visa", key))
    retry = transport.send(post("source=tok_visa", key))
    other = transport.send(post("source=tok_visa", ("Idempotency-Key", "k-2")))
    assert first.body == retry.body
    assert other.body != first.body


def test_mint_token_returns_none_for_tokens_without_a_test_card():
    assert mint_token(FakeTarget(), BASE, dict(HEADERS), "tok_unheard_of") is None


def test_close_closes_the_wrapped_transport():
    target = FakeTarget()
    TokenMintingTransport(target).close()
    assert target.closed
