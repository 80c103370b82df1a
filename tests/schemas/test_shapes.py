"""Walking plans: which object schema describes each object of a body."""

from __future__ import annotations

from conformance.schemas.shapes import Shapes

DOCUMENTS = {
    "thing.json": {
        "type": "object",
        "properties": {
            "object": {"type": "string", "enum": ["thing"]},
            "owner": {
                "anyOf": [
                    {"type": "string"},
                    {"$ref": "owner.json"},
                    {"$ref": "deleted_owner.json"},
                    {"type": "object", "maxProperties": 0},
                    {"type": "null"},
                ]
            },
            "parts": {"type": "array", "items": {"$ref": "defs/part.json"}},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "self": {"anyOf": [{"$ref": "thing.json"}, {"type": "null"}]},
        },
    },
    "owner.json": {
        "type": "object",
        "properties": {"object": {"type": "string", "enum": ["owner"]}, "name": {"type": "string"}},
    },
    "deleted_owner.json": {
        "type": "object",
        "properties": {
            "object": {"type": "string", "enum": ["owner"]},
            "deleted": {"type": "boolean", "enum": [True]},
        },
    },
    "defs/part.json": {"type": "object", "properties": {"n": {"type": "integer"}}},
}


def visits(body: object) -> list[tuple[tuple[str | int, ...], str, tuple[str | int, ...], list[str]]]:
    shapes = Shapes(DOCUMENTS)
    return [(v.instance_path, v.file, v.schema_path, sorted(v.unknown)) for v in shapes.visits(body, "thing.json")]


def test_branches_are_picked_by_object_and_deleted() -> None:
    live = {"object": "thing", "owner": {"object": "owner", "name": "n", "x": 1}}
    assert visits(live) == [
        ((), "thing.json", (), []),
        (("owner",), "owner.json", ("properties", "owner", "anyOf", 1), ["x"]),
    ]
    deleted = {"object": "thing", "owner": {"object": "owner", "deleted": True}}
    assert visits(deleted)[1][1] == "deleted_owner.json"


def test_ids_nulls_and_empty_objects_are_not_objects_to_visit() -> None:
    for owner in ("own_1", None):
        assert len(visits({"owner": owner})) == 1
    # {} takes the empty-object branch: it is no example of owner.json.
    assert len(visits({"owner": {}})) == 1


def test_arrays_maps_and_recursion() -> None:
    body = {"parts": [{"n": 1}, {"n": 2, "m": 3}], "metadata": {"k": "v"}, "self": {"object": "thing"}, "new": 1}
    assert visits(body) == [
        ((), "thing.json", (), ["new"]),
        (("parts", 0), "defs/part.json", ("properties", "parts", "items"), []),
        (("parts", 1), "defs/part.json", ("properties", "parts", "items"), ["m"]),
        (("metadata",), "thing.json", ("properties", "metadata"), []),
        (("self",), "thing.json", ("properties", "self", "anyOf", 0), []),
    ]
