"""Replay matching keys: method, path, decoded query and body, order-free; never headers or host."""

from conformance.recording.signature import closest, differences, request_key


def test_parameter_order_and_encoding_do_not_matter():
    first = request_key("post", "http://127.0.0.1:1/v1/customers?expand[]=a&limit=3", b"b=2&a=1&metadata[k]=v w")
    second = request_key(
        "POST", "http://127.0.0.1:2/v1/customers?limit=3&expand%5B%5D=a", "a=1&metadata%5Bk%5D=v+w&b=2"
    )
    assert first == second


def test_values_and_paths_do_matter():
    base = request_key("POST", "http://h/v1/customers/cus_1/sources", b"source=tok_visa")
    assert base != request_key("POST", "http://h/v1/customers/cus_1/sources", b"source=tok_mastercard")
    assert base != request_key("POST", "http://h/v1/customers/cus_2/sources", b"source=tok_visa")
    assert base != request_key("GET", "http://h/v1/customers/cus_1/sources", b"source=tok_visa")


def test_json_bodies_compare_decoded():
    one = request_key("POST", "http://h/x", b'{"a": 1, "b": [1, 2]}', "application/json")
    two = request_key("POST", "http://h/x", b'{"b":[1,2],"a":1}', "application/json")
    assert one == two


def test_differences_name_what_changed():
    sent = request_key("POST", "http://h/v1/c/cus_1/sources?expand[]=customer", b"source=tok_mastercard&x=1")
    recorded = request_key("POST", "http://h/v1/c/cus_1/sources", b"source=tok_visa&y=2")
    found = differences(sent, recorded)
    assert "query: expand[] sent but not recorded" in found
    assert "body: source sent 'tok_mastercard', recorded 'tok_visa'" in found
    assert "body: x sent but not recorded" in found and "body: y recorded but not sent" in found


def test_closest_prefers_same_route_and_most_shared_parameters():
    sent = request_key("POST", "http://h/v1/customers/cus_9/sources", b"source=tok_amex")
    recorded = [
        request_key("GET", "http://h/v1/customers/cus_9", None),
        request_key("POST", "http://h/v1/customers", b"description=x"),
        request_key("POST", "http://h/v1/customers/cus_9/sources", b"source=tok_visa"),
    ]
    assert closest(sent, recorded) == 2
    assert closest(sent, []) is None


def test_describe_is_one_line():
    key = request_key("GET", "http://h/v1/customers?limit=2", None)
    assert key.describe() == "GET /v1/customers?limit=2"
