"""Bad input of any shape gets a 4xx error envelope, never a 500."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PARAM_NAMES = [
    "source",
    "card",
    "metadata",
    "expand",
    "limit",
    "starting_after",
    "ending_before",
    "email",
    "name",
    "exp_month",
    "exp_year",
    "address_zip",
    "default_source",
    "object",
    "created",
    "balance",
    "preferred_locales",
    "tax_exempt",
    "address",
]
FORM_ALPHABET = string.ascii_letters + string.digits + "[]=&%+_.- \u00e9\u20ac"

scalars = st.one_of(st.text(max_size=12), st.sampled_from(["", "0", "13", "-1", "abc", "tok_visa", "4242424242424242"]))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(PARAM_NAMES), st.text(min_size=1, max_size=6)), children, max_size=3),
    ),
    max_leaves=8,
)
param_trees = st.dictionaries(
    st.one_of(st.sampled_from(PARAM_NAMES), st.text(min_size=1, max_size=8)), values, max_size=4
)


@pytest.fixture(scope="module")
def world(make_client):
    client = make_client()
    cus = client.post("/v1/customers").body["id"]
    card = client.post(f"/v1/customers/{cus}/sources", {"source": "tok_visa"}).body["id"]
    paths = [
        ("POST", "/v1/customers"),
        ("GET", "/v1/customers"),
        ("GET", f"/v1/customers/{cus}"),
        ("POST", f"/v1/customers/{cus}"),
        ("GET", f"/v1/customers/{cus}/sources"),
        ("POST", f"/v1/customers/{cus}/sources"),
        ("GET", f"/v1/customers/{cus}/cards/{card}"),
        ("POST", f"/v1/customers/{cus}/cards/{card}"),
        ("GET", f"/v1/customers/{cus}/cards"),
        ("POST", f"/v1/customers/{cus}/cards"),
    ]
    return client, paths


def assert_client_error_or_success(reply) -> None:
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert reply.body["error"]["type"] in {"invalid_request_error", "card_error", "idempotency_error"}
        assert reply.body["error"]["message"]


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=FORM_ALPHABET, max_size=60), index=st.integers(min_value=0, max_value=9))
def test_random_form_text_never_500(world, body: str, index: int) -> None:
    client, paths = world
    method, path = paths[index]
    assert_client_error_or_success(client.request(method, path, body))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=param_trees, index=st.integers(min_value=0, max_value=9))
def test_random_param_shapes_never_500(world, params, index: int) -> None:
    client, paths = world
    method, path = paths[index]
    assert_client_error_or_success(client.request(method, path, params))
