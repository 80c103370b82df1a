"""The form serializer: Stripe's bracket notation, as the reference server decodes it, through Schemathesis too."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.core import NOT_SET

from conformance.fuzz.reading import read_form
from conformance.fuzz.session import LoadedSurface
from conformance.fuzz.wire import FORM, form_body, register_form_serializer
from conformance.reference import decode_form

KEYS = st.text(st.characters(codec="utf-8", exclude_characters="[]"), min_size=1, max_size=12)
SCALARS = st.one_of(st.text(st.characters(codec="utf-8"), max_size=12), st.integers(-10**6, 10**6), st.booleans())
NESTED = st.dictionaries(
    KEYS,
    st.one_of(
        SCALARS,
        st.dictionaries(KEYS, SCALARS, min_size=1, max_size=3),
        st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=6), min_size=1, max_size=3),
    ),
    max_size=5,
)


def _as_sent(value: Any) -> Any:
    """What the encoding promises: scalars as text, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return {k: _as_sent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    return str(value)


@settings(max_examples=150, database=None, derandomize=True, deadline=None)
@given(params=NESTED)
def test_bodies_round_trip_through_the_reference_decoder(params: dict[str, Any]) -> None:
    body = form_body(params)
    assert body is not None
    decoded = decode_form(body.decode("utf-8"))
    expected = _as_sent(params)
    # The decoder reads a hash indexed 0..n-1 as a list; compare through the same reading.
    assert decoded == read_form(body.decode("utf-8")) == {k: _listify(v) for k, v in expected.items()}


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        done = {k: _listify(v) for k, v in value.items()}
        if done and sorted(done) == sorted(str(i) for i in range(len(done))):
            return [done[str(i)] for i in range(len(done))]
        return done
    if isinstance(value, list):
        return [_listify(v) for v in value]
    return value


def test_empty_values_are_kept_because_they_mean_unset() -> None:
    assert form_body({"metadata": {}, "name": "", "expand": []}) == b"metadata=&name=&expand="
    assert decode_form("metadata=&name=&expand=") == {"metadata": "", "name": "", "expand": ""}


def test_bracket_notation_for_hashes_lists_and_nested_cards() -> None:
    body = form_body({"metadata": {"order": "6735"}, "expand": ["customer", "default_source"],
                      "source": {"number": "4242424242424242", "exp_month": 12}})
    assert body == (b"metadata[order]=6735&expand[]=customer&expand[]=default_source"
                    b"&source[number]=4242424242424242&source[exp_month]=12")


def test_no_body_is_no_body() -> None:
    assert form_body(NOT_SET) is None


def test_schemathesis_sends_form_bodies_with_the_same_encoding() -> None:
    register_form_serializer()
    surface = LoadedSurface.load("http://127.0.0.1:1")
    operation = surface.operation("POST", "/v1/customers/{customer}/sources/{id}")
    body = {"metadata": {"a": "1", "b": ""}, "expand": ["customer"], "name": ""}
    case = operation.Case(path_parameters={"customer": "cus_1", "id": "card_1"}, body=body, media_type=FORM)
    sent = case.as_transport_kwargs()
    assert sent["data"] == form_body(body)
    curl = case.as_curl_command()
    assert "metadata[a]=1" in curl and "name=" in curl
    assert isinstance(case, schemathesis.Case)
