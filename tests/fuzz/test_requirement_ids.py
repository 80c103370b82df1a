"""Every requirement a fuzz finding can land on is in the catalogue (a finding on an unknown id would vanish)."""

from __future__ import annotations

from conformance.fuzz import requirement_ids
from conformance.requirements import load_catalogue


def test_every_fuzz_requirement_is_catalogued() -> None:
    catalogue = load_catalogue()
    ids = {value for name, value in vars(requirement_ids).items() if name.isupper() and isinstance(value, str)}
    assert len(ids) >= 18
    for rid in ids:
        assert rid in catalogue, rid
        if rid.startswith("fuzz."):
            assert catalogue.get(rid).area == "fuzz"
    cited = set(requirement_ids.OPERATION_REQUIREMENTS) | set(requirement_ids.SCENARIO_REQUIREMENTS)
    assert {rid for rid in ids if rid.startswith("fuzz.")} == cited
