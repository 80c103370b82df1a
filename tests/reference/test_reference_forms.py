"""The bracket-notation form decoder."""

from __future__ import annotations

import pytest

from conformance.reference import decode_form
from conformance.reference.forms import MAX_DEPTH, MAX_PARAMS, FormDecodeError


def test_documented_example() -> None:
    body = "a=1&b[c]=2&b[d][e]=3&l[]=x&l[]=y&m[0][k]=v&m[1][k]=w&metadata="
    assert decode_form(body) == {
        "a": "1",
        "b": {"c": "2", "d": {"e": "3"}},
        "l": ["x", "y"],
        "m": [{"k": "v"}, {"k": "w"}],
        "metadata": "",
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", {}),
        ("a=", {"a": ""}),
        ("a", {"a": ""}),
        ("a=1&&b=2&", {"a": "1", "b": "2"}),
        ("name=Jenny+Rosen", {"name": "Jenny Rosen"}),
        ("email=a%40b.com", {"email": "a@b.com"}),
        ("k%5Bx%5D=1", {"k": {"x": "1"}}),
        ("q=%E2%82%AC", {"q": "€"}),
        ("a=1&a=2", {"a": "2"}),
        ("expand[]=sources", {"expand": ["sources"]}),
        ("expand[0]=sources&expand[1]=default_source", {"expand": ["sources", "default_source"]}),
        ("m[1][k]=w&m[0][k]=v", {"m": [{"k": "v"}, {"k": "w"}]}),
        ("m[][k]=v&m[][j]=u&m[][k]=w", {"m": [{"k": "v", "j": "u"}, {"k": "w"}]}),
        ("metadata[0]=a&metadata[5]=b", {"metadata": {"0": "a", "5": "b"}}),
        ("metadata[key]=", {"metadata": {"key": ""}}),
        ("a[b][c][d]=deep", {"a": {"b": {"c": {"d": "deep"}}}}),
        ("v=a%3Db%26c", {"v": "a=b&c"}),
    ],
)
def test_decodes(body: str, expected: dict[str, object]) -> None:
    assert decode_form(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "a[b=1",
        "a]=1",
        "a[b]]=1",
        "a[b]c=1",
        "a[[b]]=1",
        "[a]=1",
        "=1",
        "a=1&a[b]=2",
        "a[b]=2&a=1",
        "l[]=x&l[k]=y",
        "l[k]=y&l[]=x",
        "a[b]=1&a[b][c]=2",
        "l[][]=x",
        "v=%FF",
        "k%C3=1",
        "a" + "[x]" * (MAX_DEPTH + 1) + "=1",
        "&".join(f"p{index}=1" for index in range(MAX_PARAMS + 1)),
    ],
)
def test_rejects_malformed(body: str) -> None:
    with pytest.raises(FormDecodeError):
        decode_form(body)


def test_limits_are_inclusive() -> None:
    assert len(decode_form("&".join(f"p{index}=1" for index in range(MAX_PARAMS)))) == MAX_PARAMS
    nested = decode_form("a" + "[x]" * MAX_DEPTH + "=1")
    assert "a" in nested


def test_form_errors_are_value_errors() -> None:
    assert issubclass(FormDecodeError, ValueError)


@pytest.mark.parametrize(
    "body",
    ["a[b=1", "a=1&a[b]=2", "v=%FF", "&".join(f"p{i}=1" for i in range(1001)), "a" + "[x]" * 12 + "=1"],
)
def test_malformed_body_is_a_400_invalid_request(client, customer, body: str) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}", body)
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"


def test_malformed_query_string_is_a_400(client) -> None:
    reply = client.get("/v1/customers", "limit[=3")
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"


def test_invalid_utf8_body_is_a_400(client) -> None:
    reply = client.post("/v1/customers", raw_body=b"name=\xff\xfe")
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"


def test_json_body_is_rejected_not_crashed(client) -> None:
    reply = client.post("/v1/customers", '{"email": "a@b.com"}')
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
