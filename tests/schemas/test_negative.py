"""The schemas are not vacuous: breaking any documented constraint of a valid body fails it.

From one valid body per top-level schema (its fixture, else a synthesized one; only
synthesized ones when the shared reference folder is absent), the
cases are generated over every object schema the body holds, nested ones included:
each required field removed, each typed field given a value of another JSON type,
each enum field given an undocumented value.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from conformance.schemas import SchemaRegistry


def _bases(registry: SchemaRegistry, fixtures: dict[str, Any], helpers: Any) -> dict[str, Any]:
    bases = {}
    for name in registry.schema_names():
        body = fixtures.get(name)
        if body is None:
            body = helpers.synthesize(registry, name)
        assert registry.validate(body, schema=name, strict=False) == [] or registry.is_valid(body, schema=name), (
            f"base body of {name} is not valid"
        )
        bases[name] = body
    return bases


def test_synthesized_bodies_are_valid(registry: SchemaRegistry, helpers: Any) -> None:
    for name in registry.schema_names():
        body = helpers.synthesize(registry, name)
        # Synthesized bodies hold the required fields only: strict presence (a SHOULD) is not asked of them.
        unknown = [e for e in registry.validate(body, schema=name, strict=True) if "is missing" not in e.message]
        assert registry.validate(body, schema=name) == [] and unknown == [], name


def test_every_generated_negative_case_fails(
    registry: SchemaRegistry, fixtures_if_present: dict[str, Any], helpers: Any, record: Any
) -> None:
    bases = _bases(registry, fixtures_if_present, helpers)
    kinds: Counter[str] = Counter()
    schemas_with_cases = set()
    accepted = []
    misplaced = []
    for name, base in sorted(bases.items()):
        for case in helpers.negative_cases(registry, name, base):
            kinds[case.kind] += 1
            schemas_with_cases.add(name)
            if registry.is_valid(case.body, schema=name):
                accepted.append(str(case))
                continue
            errors = [e for e in registry.validate(case.body, schema=name) if e.severity == "error"]
            # A missing field is reported on its object; a wrong `object` kind inside an
            # expandable field may be reported on the field (no alternative fits it).
            where = case.path[:-1] if case.kind == "missing-required" else case.path
            expected = {_json_path(where)}
            if case.path[-1] == "object":
                expected.add(_json_path(case.path[:-1]))
            if not any(e.json_path in expected for e in errors):
                misplaced.append(f"{case}: expected an error at {expected}, got {errors}")
    total = sum(kinds.values())
    print(f"negative cases: {total} generated over {len(schemas_with_cases)} schemas ({dict(kinds)})")
    record("negative cases generated", total)
    record("negative cases rejected", total - len(accepted))
    for kind, count in sorted(kinds.items()):
        record(f"negative cases: {kind}", count)
    assert accepted == []
    assert misplaced == [], "\n".join(misplaced)
    assert schemas_with_cases == set(registry.schema_names())
    assert total > 1000


def _json_path(parts: tuple[str | int, ...]) -> str:
    from conformance.schemas.jsonpath import json_path

    return json_path(parts)
