"""The Allure comparison: what each test is shown, whichever container files carry it."""

import json

from benchmarks.allure_equivalence import main, view


def _write(root, name, data):
    root.mkdir(exist_ok=True)
    (root / name).write_text(json.dumps(data))


def _result(uuid, status="passed", start=1):
    return {"uuid": uuid, "name": "test_one", "fullName": "m#test_one", "status": status, "start": start,
            "labels": [{"name": "thread", "value": f"pid-{start}"}, {"name": "story", "value": "card.create"}]}


def _fixture(name, start):
    return {"name": name, "status": "passed", "start": start, "stop": start + 1}


def test_one_container_or_two_show_a_test_the_same_fixtures(tmp_path, capsys):
    before, after = tmp_path / "before", tmp_path / "after"
    _write(before, "r1-result.json", _result("t1"))
    _write(before, "c1-container.json", {"uuid": "c1", "children": ["t1"], "befores": [_fixture("client", 1)]})
    _write(before, "c2-container.json", {"uuid": "c2", "children": ["t1"], "befores": [_fixture("check", 2)]})
    _write(before, "c3-container.json", {"uuid": "c3", "befores": [_fixture("operation", 0)]})
    _write(after, "r9-result.json", _result("t9", start=7))  # other uuid, times and thread: another run
    _write(after, "c9-container.json",
           {"uuid": "c9", "children": ["t9"], "befores": [_fixture("check", 8), _fixture("client", 9)]})
    assert main([str(before), str(after)]) == 0
    assert "equivalent: yes" in capsys.readouterr().out
    assert (view(before).childless, view(after).childless) == (1, 0)


def test_a_lost_fixture_or_another_status_is_a_difference(tmp_path, capsys):
    before, after, broken = tmp_path / "before", tmp_path / "after", tmp_path / "broken"
    for root in (before, after):
        _write(root, "r1-result.json", _result("t1"))
    _write(before, "c1-container.json", {"uuid": "c1", "children": ["t1"], "befores": [_fixture("client", 1)]})
    _write(broken, "r1-result.json", _result("t1", status="broken"))
    _write(broken, "c1-container.json", {"uuid": "c1", "children": ["t1"], "befores": [_fixture("client", 1)]})
    assert main([str(before), str(after)]) == 1
    assert "tests shown other fixtures: 1" in capsys.readouterr().out
    assert main([str(before), str(broken)]) == 1
    assert "results differing: 1" in capsys.readouterr().out
