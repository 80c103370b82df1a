from conformance.checks import ValueMismatch
from conformance.reporting import RunReport, TargetInfo, TestOutcome, aggregate, root_causes
from conformance.reporting.json_report import report_to_dict
from conformance.requirements import load_catalogue

A, B = "card.create.returns-card", "card.default.first-card"
CAUSE = {"id": "precondition.card-attach", "reason": "no way to attach a card worked.", "evidence": {"curl": "c"}}


def _failure(rid):
    return ValueMismatch(requirement_id=rid, message="expected x, got y").to_dict()


def _results(outcomes):
    return {r.id: r for r in aggregate(outcomes, load_catalogue())}


def _status(outcomes):
    return {rid: r.status for rid, r in _results(outcomes).items()}


def test_observed_checks_pass_their_requirements():
    outcome = TestOutcome("t1", (A, B), "passed", passed_checks=(A, B), observations={A: 3, B: 1})
    results = _results([outcome])
    assert {rid: r.status for rid, r in results.items()} == {A: "passed", B: "passed"}
    assert results[A].observations == 3 and results[B].observations == 1


def test_passed_test_without_observations_passes_nothing():
    results = _results([TestOutcome("t1", (A, B), "passed", passed_checks=(A,))])
    assert results[A].status == "passed"
    assert results[B].status == "not_assessed" and results[B].observations == 0
    assert "no check" in (results[B].reason or "")


def test_reason_given_by_the_test_is_kept():
    outcome = TestOutcome("t1", (A,), "passed", unassessed={A: "no card was ever attached."})
    assert _results([outcome])[A].reason == "no card was ever attached."


def test_failure_is_attributed_to_its_requirement_only():
    outcome = TestOutcome("t1", (A, B), "failed", passed_checks=(A,), failures=(_failure(B),))
    assert _status([outcome]) == {A: "passed", B: "failed"}


def test_unreached_citation_is_not_assessed_not_passed():
    outcome = TestOutcome("t1", (A, B), "failed", failures=(_failure(A),))
    results = _results([outcome])
    assert results[A].status == "failed" and results[A].observations == 1
    assert results[B].status == "not_assessed" and "not reached" in (results[B].reason or "")


def test_untyped_crash_is_error():
    assert _status([TestOutcome("t1", (A,), "failed", detail="KeyError")]) == {A: "error"}


def test_worst_outcome_wins_across_tests():
    outcomes = [
        TestOutcome("t1", (A,), "passed", passed_checks=(A,)),
        TestOutcome("t2", (A,), "failed", failures=(_failure(A),)),
    ]
    assert _status(outcomes) == {A: "failed"}


def test_one_observed_pass_beats_a_blocked_test():
    outcomes = [
        TestOutcome("t1", (A,), "blocked", root_cause=CAUSE),
        TestOutcome("t2", (A,), "passed", passed_checks=(A,)),
    ]
    assert _status(outcomes) == {A: "passed"}


def test_blocked_test_blocks_its_citations_with_the_root_cause():
    outcomes = [
        TestOutcome("t1", (A, B), "blocked", root_cause=CAUSE),
        TestOutcome("t2", (B,), "blocked", root_cause=CAUSE | {"reason": "said again."}),
    ]
    results = _results(outcomes)
    assert {r.status for r in results.values()} == {"blocked"}
    assert {r.blocked_by for r in results.values()} == {CAUSE["id"]}
    causes = root_causes(outcomes, tuple(results.values()))
    assert len(causes) == 1
    assert causes[0].requirements == (A, B) and causes[0].reason == CAUSE["reason"]


def test_unsupported_route_is_a_root_cause_too():
    cause = {"id": "route.list-cards", "reason": "GET /v1/customers/{customer}/sources answers 404.", "evidence": None}
    outcome = TestOutcome("t1", (A,), "unsupported", root_cause=cause)
    results = _results([outcome])
    assert results[A].status == "unsupported" and results[A].blocked_by == "route.list-cards"
    assert root_causes([outcome], tuple(results.values()))[0].kind == "unsupported"


def test_skips_map_to_not_run_unsupported_or_not_assessed():
    outcomes = [
        TestOutcome("t1", (A,), "skipped", detail="not run: the run deadline of 5 s had passed"),
        TestOutcome("t2", (B,), "skipped", detail="target profile 'x' does not claim webhooks: ..."),
        TestOutcome("t3", ("card.delete.stub",), "skipped", detail="fuzzing is off"),
    ]
    assert _status(outcomes) == {A: "not_run", B: "unsupported", "card.delete.stub": "not_assessed"}


def test_report_conforms_without_failures_and_unassessed_does_not_fail_it():
    outcomes = [TestOutcome("t1", (A,), "passed", passed_checks=(A,)), TestOutcome("t2", (B,), "blocked")]
    results = aggregate(outcomes, load_catalogue())
    report = RunReport("0", TargetInfo("http://x", "2023-08-16"), "s", "f", results)
    assert report.conforms and report.summary["passed"] == 1 and report.summary["blocked"] == 1
    failing = aggregate([TestOutcome("t3", (A,), "failed", failures=(_failure(A),))], load_catalogue())
    assert not RunReport("0", TargetInfo("http://x", "2023-08-16"), "s", "f", failing).conforms


def test_report_json_puts_root_causes_before_the_requirements():
    outcomes = [TestOutcome("t1", (A,), "blocked", root_cause=CAUSE)]
    results = aggregate(outcomes, load_catalogue())
    report = RunReport("0", TargetInfo("http://x", "2023-08-16"), "s", "f", results,
                       root_causes=root_causes(outcomes, results))
    data = report_to_dict(report)
    keys = list(data)
    assert keys.index("root_causes") < keys.index("summary") < keys.index("requirements")
    assert data["root_causes"][0]["requirements"] == [A]
    assert data["requirements"][0]["blocked_by"] == CAUSE["id"] and data["requirements"][0]["observations"] == 0


def test_outcome_round_trips_as_data():
    outcome = TestOutcome(
        "t1", (A,), "failed", failures=(_failure(A),), detail="d", duration=0.5,
        observations={A: 2}, unassessed={B: "why"}, root_cause=CAUSE,
    )
    assert TestOutcome.from_dict(outcome.to_dict()) == outcome
