"""Cassette file format, the cassette-set manifest, seeds and cassette names."""

import json
from pathlib import Path

import pytest

from conformance.recording import (
    MANIFEST_NAME,
    CassetteSet,
    CassetteSetError,
    RecordingPlan,
    cassette_path,
    derive,
    open_cassette_set,
    random_for,
    read_cassette_set,
    run_id_for,
    serializer,
    write_cassette_set,
)
from conformance.recording.manifest import clear_cassette_set


def _cassette(body: str) -> dict:
    return {
        "version": 1,
        "interactions": [
            {
                "request": {"method": "GET", "uri": "http://h/v1/x", "body": None, "headers": {}},
                "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": body}},
            }
        ],
    }


@pytest.mark.parametrize(
    "body",
    [
        '{"id":"cus_1","n":[1,2],"é":null}', '{"id": "cus_1"}', '{\n  "id": "cus_1"\n}', '{\n  "id": "cus_1"\n}\n',
        "not json", '{"a" : 1}', '{"a": 1}\n\n', "",
    ],
)
def test_serializer_round_trips_the_exact_body(body):
    text = serializer.serialize(_cassette(body))
    assert serializer.deserialize(text)["interactions"][0]["response"]["body"]["string"] == body


def test_json_bodies_are_stored_readable():
    stored = json.loads(serializer.serialize(_cassette('{"id":"cus_1"}')))
    assert stored["interactions"][0]["response"]["body"] == {"json": {"id": "cus_1"}, "layout": "compact"}


def _set(**changes) -> CassetteSet:
    values = dict(
        seed="abc", base_url="http://127.0.0.1:1", stripe_version="2023-08-16", target_name="reference",
        tool_version="0.1.0", recorded_at="2026-01-02T03:04:05Z", record_mode="rewrite",
    )
    return CassetteSet(**(values | changes))


def test_manifest_round_trip_and_errors(tmp_path):
    write_cassette_set(tmp_path, _set(results={"a.b": "passed"}, options={"stripe_fuzz_examples": 1}))
    loaded = read_cassette_set(tmp_path)
    assert loaded == _set(results={"a.b": "passed"}, options={"stripe_fuzz_examples": 1})
    assert loaded.recorded_datetime.year == 2026
    with pytest.raises(CassetteSetError, match="not a directory of recorded cassettes"):
        read_cassette_set(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CassetteSetError, match=r"no cassette-set\.json"):
        read_cassette_set(tmp_path / "empty")
    (tmp_path / MANIFEST_NAME).write_text("{}")
    with pytest.raises(CassetteSetError, match="format"):
        read_cassette_set(tmp_path)


def test_rewrite_clears_only_a_cassette_set(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    with pytest.raises(CassetteSetError, match="refusing"):
        clear_cassette_set(foreign)
    assert (foreign / "keep.txt").exists()
    cassettes = tmp_path / "set"
    write_cassette_set(cassettes, _set())
    (cassettes / "test_mod").mkdir()
    (cassettes / "test_mod" / "test_a.json").write_text("{}")
    assert clear_cassette_set(cassettes) == 2
    assert list(cassettes.iterdir()) == []


def test_open_keeps_the_seed_of_an_existing_set_and_rewrite_replaces_it(tmp_path):
    common = dict(stripe_version="2023-08-16", target_name="reference", base_url=None, tool_version="0")
    first = open_cassette_set(RecordingPlan(tmp_path, "once"), seed="s1", **common)
    again = open_cassette_set(RecordingPlan(tmp_path, "new_episodes"), seed=None, **common)
    assert first.seed == again.seed == "s1" and again.recorded_at == first.recorded_at
    with pytest.raises(CassetteSetError, match="seed"):
        open_cassette_set(RecordingPlan(tmp_path, "all"), seed="other", **common)
    assert open_cassette_set(RecordingPlan(tmp_path, "rewrite"), seed="s2", **common).seed == "s2"
    assert open_cassette_set(RecordingPlan.for_replay(tmp_path), seed=None, **common).seed == "s2"
    with pytest.raises(CassetteSetError):
        open_cassette_set(RecordingPlan.for_replay(tmp_path / "nothing"), seed=None, **common)


def test_plan_vocabulary():
    tmp = Path("x")
    assert RecordingPlan(tmp, "rewrite").vcr_mode == "all"
    assert RecordingPlan.for_replay(tmp).records is False
    with pytest.raises(ValueError, match="not one of"):
        RecordingPlan(tmp, "any")


def test_seeds_are_deterministic_and_separate_purposes():
    assert run_id_for("s") == run_id_for("s") != run_id_for("t")
    assert len(run_id_for("s")) == 12
    assert derive("s", "a") != derive("s", "b")
    assert random_for("s", "test::x").random() == random_for("s", "test::x").random()


def test_cassette_names_are_predictable(tmp_path):
    named = cassette_path(tmp_path, "conformance/suite/test_create.py::test_a")
    assert named == tmp_path / "test_create" / "test_a.json"
    assert cassette_path(tmp_path, "test_create.py::TestX::test_b[tok/visa]") == (
        tmp_path / "test_create" / "TestX.test_b[tok_visa].json"
    )
    long = cassette_path(tmp_path, "t.py::test_" + "x" * 300)
    assert len(long.name) <= 160 and long.parent.name == "t"
