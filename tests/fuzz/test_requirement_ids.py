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


def test_the_fuzz_scenarios_cite_literally_what_they_verify() -> None:
    import conformance
    from conformance.requirements.index import scan_scenarios

    package = __import__("pathlib").Path(conformance.__file__).resolve().parent
    cited = {s.test.split("::")[1]: set(s.cited) for s in scan_scenarios(package) if "/fuzz/" in s.test}
    assert cited == {
        "test_fuzz_operation": set(requirement_ids.OPERATION_REQUIREMENTS),
        "test_fuzz_stateful_scenarios": set(requirement_ids.SCENARIO_REQUIREMENTS),
    }
