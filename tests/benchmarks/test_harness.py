"""The benchmark harness's pure parts: id mapping of the bare replay, credentials, the table."""

import base64

from benchmarks.bare_replay import IdMap, credentials
from benchmarks.figures import Figure, skipped, table
from benchmarks.measure import median, spread


def test_ids_of_a_captured_response_map_to_the_replayed_ones_in_order():
    ids = IdMap()
    ids.learn(
        '{"id": "cus_AAAAAAAAAAAA", "default_source": "card_BBBBBBBBBBBB"}',
        '{"id": "cus_XXXXXXXXXXXX", "default_source": "card_YYYYYYYYYYYY"}',
    )
    assert ids.apply("/v1/customers/cus_AAAAAAAAAAAA/sources/card_BBBBBBBBBBBB") == (
        "/v1/customers/cus_XXXXXXXXXXXX/sources/card_YYYYYYYYYYYY"
    )


def test_unknown_ids_short_words_and_other_prefixes_stay():
    ids = IdMap()
    ids.learn('{"id": "cus_AAAAAAAAAAAA"}', '{"id": "card_ZZZZZZZZZZZZ"}')  # prefixes differ: not the same object
    assert ids.apply("source=tok_visa&id=cus_AAAAAAAAAAAA&x=cus_NEVERSEEN0000") == (
        "source=tok_visa&id=cus_AAAAAAAAAAAA&x=cus_NEVERSEEN0000"
    )


def test_first_mapping_wins():
    ids = IdMap()
    ids.learn('"cus_AAAAAAAAAAAA"', '"cus_BBBBBBBBBBBB"')
    ids.learn('"cus_AAAAAAAAAAAA"', '"cus_CCCCCCCCCCCC"')
    assert ids.apply("cus_AAAAAAAAAAAA") == "cus_BBBBBBBBBBBB"


def test_credentials_fill_both_placeholders():
    filled = credentials("sk_test_abc")
    assert filled["{key}"] == "sk_test_abc"
    assert base64.b64decode(filled["{key_basic}"]) == b"sk_test_abc:"


def test_table_shows_values_goals_and_skips():
    text = table(
        [
            Figure("1", "ratio", 1.2345, "×", goal="≤ 1.5×", met=True),
            Figure("4", "rate", 12345.6, "req/s", spread([12000.0, 13000.0])),
            skipped("3", "replay", "no cassettes"),
        ]
    )
    lines = text.splitlines()
    assert lines[0].startswith("| #")
    assert "1.23 ×" in lines[2] and "met" in lines[2]
    assert "12,346 req/s" in lines[3] and "12,000–13,000" in lines[3]
    assert "skipped: no cassettes" in lines[4]


def test_median_of_nothing_is_nan():
    assert median([]) != median([])
    assert median([3.0, 1.0, 2.0]) == 2.0


def test_suite_figures_count_requests_per_area_and_scenario():
    from benchmarks.measure import ChildRun
    from benchmarks.suite_overhead import SuiteRuns, figures

    live = [ChildRun(2.0, 1.5, 80.0, 0, "", ""), ChildRun(3.0, 1.7, 90.0, 0, "", "")]
    captured = [
        {"scenario": "suite/test_a.py::test_one", "area": "create", "elapsed": 0.001},
        {"scenario": "suite/test_a.py::test_one", "area": "create", "elapsed": 0.001},
        {"scenario": "suite/test_b.py::test_two", "area": "auth", "elapsed": 0.002},
    ]
    off = [ChildRun(1.0, 0.75, 70.0, 0, "", "")]
    runs = SuiteRuns(live, captured, [0.1, 0.1], [0.05], 3, [0.2], [0.1], off, files=[415, 417])
    rows = {row.what: row for row in figures(runs)}
    assert rows["  files written by the run"].value == 416
    assert "allure-results/ costs 53% of the run's CPU" in rows["  same run with Allure results off, wall"].note
    assert rows["requests per default run"].value == 3
    assert rows["  area create"].value == 2 and rows["  area auth"].value == 1
    assert rows["  most: test_a.py::test_one"].value == 2
    assert rows["overhead ratio vs the send loop only, wall"].value == 25.0
    assert rows["overhead ratio vs the send loop only, wall"].met is False
    assert rows["peak RSS of a default run, max"].value == 90.0
    assert rows["peak RSS of a default run, max"].met is None  # 2 runs: fewer than 10, not judged


def test_pytest_summary_reads_the_last_count_line():
    from benchmarks.cassette_replay import pytest_summary

    assert pytest_summary("x\n34 failed, 46 passed, 1 skipped in 6.63s\n") == "34 failed, 46 passed, 1 skipped"
    quiet_cli = "scenarios: 81 run (46 passed, 34 failed, 1 skipped); each checks one or more of the requirements above"
    assert pytest_summary(f"{quiet_cli}\nverdict: CONFORMS\n") == "46 passed, 34 failed, 1 skipped"
    assert pytest_summary("==== 46 passed, 1 warning in 5.29s ====") == "46 passed, 1 warning"
    assert pytest_summary("no summary") == ""


def test_the_whole_process_floor_is_compared_with_the_run():
    from benchmarks.measure import ChildRun
    from benchmarks.suite_overhead import SuiteRuns, figures

    live = [ChildRun(2.0, 1.5, 80.0, 0, "", "")] * 10
    whole = [ChildRun(1.0, 0.5, 60.0, 0, "", ""), ChildRun(0.8, 0.5, 60.0, 0, "", "")]
    runs = SuiteRuns(live, [], [0.1], [0.05], 0, [0.2], [0.1], bare_process=whole)
    rows = {row.what: row for row in figures(runs)}
    assert rows["overhead ratio vs the whole-process floor, wall"].value == 2.0 / 0.9
    assert rows["overhead ratio vs the whole-process floor, wall"].met is None  # the goal is on CPU
    assert rows["overhead ratio vs the whole-process floor, CPU"].value == 3.0
    assert rows["overhead ratio vs the whole-process floor, CPU"].met is True
    assert rows["peak RSS of a default run, max"].met is True
    slower = [ChildRun(2.0, 1.6, 80.0, 0, "", "")] * 10
    rows = {row.what: row for row in figures(SuiteRuns(slower, [], [0.1], [0.05], 0, [0.2], [0.1], bare_process=whole))}
    assert rows["overhead ratio vs the whole-process floor, CPU"].met is False


def test_the_generation_floor_bounds_the_ratio_a_run_can_reach():
    import json

    from benchmarks.measure import ChildRun
    from benchmarks.suite_overhead import SuiteRuns, figures

    live = [ChildRun(9.0, 4.5, 130.0, 0, "", "")] * 10
    whole = [ChildRun(0.9, 0.7, 60.0, 0, "", "")] * 3
    parts = {"imports": 0.3, "draws": 1.7, "sends": 0.7, "examples": 184, "requests": 813, "matched": 789}
    floor = [ChildRun(3.5, cpu, 150.0, 0, json.dumps(parts), "") for cpu in (2.8, 2.9, 3.1)]
    rows = {
        row.what: row
        for row in figures(SuiteRuns(live, [], [0.1], [0.05], 0, [0.2], [0.1], bare_process=whole, floor=floor))
    }
    floor_row = next(row for what, row in rows.items() if what.startswith("floor of a run that fuzzes"))
    assert floor_row.value == 2.9
    assert "imports 0.3 s, draws 1.7 s, sends 0.7 s; 184 examples drawn" in floor_row.note
    lowest = rows["  lowest CPU ratio a run drawing those cases can reach"]
    assert lowest.value == 2.9 / 0.7
    assert "goal is below it" in lowest.note


def test_memory_is_judged_over_ten_runs_and_the_run_in_an_empty_directory():
    from benchmarks.measure import ChildRun
    from benchmarks.suite_overhead import SuiteRuns, figures

    live = [ChildRun(2.0, 1.5, 130.0 + i, 0, "", "") for i in range(10)]
    fresh = ChildRun(3.0, 2.5, 330.0, 0, "", "")
    rows = {row.what: row for row in figures(SuiteRuns(live, [], [0.1], [0.05], 0, [0.2], [0.1]))}
    assert rows["peak RSS of a default run, median"].value == 134.5
    assert rows["peak RSS of a default run, max"].value == 139.0
    assert rows["peak RSS of a default run, max"].met is True
    rows = {row.what: row for row in figures(SuiteRuns(live, [], [0.1], [0.05], 0, [0.2], [0.1], fresh=fresh))}
    assert rows["peak RSS of a default run in an empty directory (no .hypothesis/ yet)"].value == 330.0
    assert rows["peak RSS of a default run, max"].met is False  # the fresh run breaks "every run"
    rows = {row.what: row for row in figures(SuiteRuns(live[:5], [], [0.1], [0.05], 0, [0.2], [0.1]))}
    assert rows["peak RSS of a default run, max"].met is None
    assert "fewer than 10, not judged" in rows["peak RSS of a default run, median"].note
