from urllib.parse import unquote

import pytest

from conformance.http import encode_form, encode_pairs
from conformance.reference import decode_form

CASES = [
    ({"source": "tok_visa"}, [("source", "tok_visa")]),
    ({"metadata": {"a": "1", "b": ""}}, [("metadata[a]", "1"), ("metadata[b]", "")]),
    ({"metadata": {}}, [("metadata", "")]),
    ({"metadata": ""}, [("metadata", "")]),
    ({"expand": ["sources", "default_source"]}, [("expand[]", "sources"), ("expand[]", "default_source")]),
    ({"items": [{"price": "p1", "quantity": 2}]}, [("items[0][price]", "p1"), ("items[0][quantity]", "2")]),
    ({"source": {"object": "card", "number": "4242"}}, [("source[object]", "card"), ("source[number]", "4242")]),
    ({"a": {"b": {"c": "d"}}}, [("a[b][c]", "d")]),
    ({"flag": True, "off": False, "n": 3}, [("flag", "true"), ("off", "false"), ("n", "3")]),
    ({"skip": None, "keep": "x"}, [("keep", "x")]),
    ({"empty_list": []}, [("empty_list", "")]),
]


@pytest.mark.parametrize(("params", "pairs"), CASES)
def test_encode_pairs(params, pairs):
    assert encode_pairs(params) == pairs


ROUND_TRIPS = [
    {"source": "tok_visa"},
    {"metadata": {"order": "6735", "note": "a b&c=d"}},
    {"metadata": ""},
    {"expand": ["sources"]},
    {"items": [{"price": "p1"}, {"price": "p2"}]},
    {"source": {"object": "card", "number": "4242424242424242", "exp_month": "8", "exp_year": "2030"}},
    {"name": "Jenny Rosen", "address": {"line1": "1 Main St", "city": "Berlin"}},
    {"unicode": "Zoë ü 日本"},
]


@pytest.mark.parametrize("params", ROUND_TRIPS)
def test_round_trip_through_reference_decoder(params):
    assert decode_form(encode_form(params)) == params


def test_empty_values_survive_round_trip():
    decoded = decode_form(encode_form({"metadata": {"gone": ""}, "name": ""}))
    assert decoded == {"metadata": {"gone": ""}, "name": ""}


def test_brackets_are_not_percent_encoded_but_values_are():
    text = encode_form({"metadata": {"k": "a&b=c"}})
    assert text.startswith("metadata[k]=")
    assert unquote(text.split("=", 1)[1]) == "a&b=c"
