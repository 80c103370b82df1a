"""Compute the two strengths of field presence: ``required`` and ``x-stripe-present``.

``required`` (a MUST: ``schema.*``) is what the 2023-08-16 spec requires, less any field an
example of Stripe's own omits (the example shows Stripe does not always send it). Fields the
spec leaves optional but that every example of a schema location carries are what Stripe is
seen to return always: they go to ``x-stripe-present`` (a SHOULD: ``schema.fixture-fields``),
which validation checks only on request (``SchemaRegistry.validate(strict=True)``,
``validate --strict``). Where a location has no example, the spec's list stands and nothing is
added. Overlay policies name the documented exceptions (fields that some real objects omit),
which are neither required nor expected present.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.schemas.generator.patches import RequiredPolicy
from conformance.schemas.jsonpath import json_pointer
from conformance.schemas.registry import PRESENT_KEYWORD
from conformance.schemas.shapes import Shapes

__all__ = ["PRESENT_KEYWORD", "RequiredReport", "apply_required"]


@dataclass(frozen=True)
class RequiredReport:
    """What the required-field pass saw."""

    examples: int
    object_visits: int
    locations_with_examples: int
    locations_without_examples: int
    spec_required: int
    required: int
    relaxed: tuple[str, ...]
    present: int = 0
    """Fields expected present (``x-stripe-present``) beyond the required ones."""


def apply_required(
    documents: Mapping[str, dict[str, Any]],
    files: Mapping[str, str],
    examples: Iterable[tuple[str, Any]],
    policies: Mapping[str, RequiredPolicy],
) -> RequiredReport:
    """Rewrite the ``required`` list of every object schema in ``documents`` in place.

    ``documents`` maps schema names to their root schemas (whose references are
    relative file paths), ``files`` maps names to those file paths, and ``examples``
    yields ``(name, body)`` pairs: a body documented to be an instance of that schema.
    """
    shapes = Shapes({files[name]: document for name, document in documents.items()})
    seen: dict[int, list[frozenset[str]]] = {}
    count = visits = 0
    for name, body in examples:
        count += 1
        for visit in shapes.visits(body, files[name]):
            visits += 1
            seen.setdefault(id(visit.schema), []).append(frozenset(visit.instance))
    with_examples = without_examples = spec_total = total = present_total = 0
    relaxed: list[str] = []
    for name, document in documents.items():
        policy = policies.get(name, RequiredPolicy())
        for node, pointer, is_root in _object_nodes(document):
            keysets = seen.get(id(node))
            spec_required = set(node.get("required", ()))
            properties = node["properties"].keys()
            always: set[str] = set()
            if keysets:
                with_examples += 1
                always = set(properties).intersection(*keysets)
                required = spec_required & always
                if policy.spec_only and is_root:
                    always &= spec_required
            else:
                without_examples += 1
                required = spec_required
            if is_root:
                required -= policy.optional
                always -= policy.optional
            present = always - required
            spec_total += len(spec_required)
            total += len(required)
            present_total += len(present)
            relaxed.extend(f"{name}#{pointer}: {field}" for field in sorted(spec_required - required))
            if required:
                node["required"] = sorted(required)
            else:
                node.pop("required", None)
            if present:
                node[PRESENT_KEYWORD] = sorted(present)
            else:
                node.pop(PRESENT_KEYWORD, None)
    return RequiredReport(
        count, visits, with_examples, without_examples, spec_total, total, tuple(sorted(relaxed)), present_total
    )


def _object_nodes(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, bool]]:
    """Yield every schema node with ``properties``, its JSON pointer, and whether it is the root."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                yield node, json_pointer(path), not path
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    stack.extend((sub, (*path, key, name)) for name, sub in value.items())
                elif key not in ("enum", "const", "required"):
                    stack.append((value, (*path, key)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
