"""Judging negative cases as Stripe reads the wire: only documented limits that survive encoding count."""

from __future__ import annotations

import pytest

from conformance.fuzz.reading import DocumentedSchemas, Unreadable, as_read, read_form
from conformance.fuzz.session import LoadedSurface
from conformance.fuzz.wire import FORM


@pytest.fixture(scope="module")
def surface() -> LoadedSurface:
    return LoadedSurface.load("http://127.0.0.1:1")


def _violated(surface: LoadedSurface, method: str, path: str, **parts: object) -> bool:
    operation = surface.operation(method, path)
    case = operation.Case(media_type=FORM if "body" in parts else None, **parts)
    return DocumentedSchemas().violated(case)


CARD = "/v1/customers/{customer}/sources/{id}"
IDS = {"customer": "cus_1", "id": "card_1"}


@pytest.mark.parametrize(
    ("body", "violated"),
    [
        ({"name": 123}, False),  # a number sent as text is a valid name
        ({"name": None}, False),  # null is not sent at all
        ({"exp_month": "7"}, False),  # numeric text reads as the integer
        ({"exp_month": 13}, True),
        ({"exp_month": "abc"}, True),
        ({"metadata": {"k" * 41: "v"}}, True),
        ({"metadata": {"k" * 40: "v"}}, False),
        ({"metadata": ""}, False),  # unsets all keys
        ({"exp_year": 1999}, False),  # Stripe documents no bound the suite can put in a schema
        ({"bogus": "1"}, True),
        ({"": None}, False),
    ],
)
def test_card_update_bodies(surface: LoadedSurface, body: dict[str, object], violated: bool) -> None:
    assert _violated(surface, "POST", CARD, path_parameters=IDS, body=body) is violated


def test_query_limits_and_unknown_names(surface: LoadedSurface) -> None:
    path = "/v1/customers/{customer}/sources"
    ids = {"customer": "cus_1"}
    assert _violated(surface, "GET", path, path_parameters=ids, query={"limit": 0})
    assert not _violated(surface, "GET", path, path_parameters=ids, query={"limit": "100"})
    assert _violated(surface, "GET", path, path_parameters=ids, query={"nope": "1"})
    assert not _violated(surface, "GET", path, path_parameters=ids, query={"starting_after": "card_x" * 30})


def test_a_list_where_a_hash_is_documented_has_no_single_reading(surface: LoadedSurface) -> None:
    assert not _violated(surface, "POST", CARD, path_parameters=IDS, body={"metadata": ["x"]})


def test_read_form_reads_brackets_like_rack() -> None:
    assert read_form("a[b]=1&c[]=x&c[]=y&d[0][k]=v") == {"a": {"b": "1"}, "c": ["x", "y"], "d": [{"k": "v"}]}
    assert as_read({"m": {"0": "a", "1": "b"}}) == {"m": ["a", "b"]}
    with pytest.raises(Unreadable):
        read_form("a=1&a[b]=2")
    with pytest.raises(Unreadable):
        read_form("a]=1")
