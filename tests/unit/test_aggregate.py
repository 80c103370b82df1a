from conformance.checks import ValueMismatch
from conformance.reporting import RunReport, TargetInfo, TestOutcome, aggregate
from conformance.requirements import load_catalogue

A, B = "card.create.returns-card", "card.default.first-card"


def _failure(rid):
    return ValueMismatch(requirement_id=rid, message="expected x, got y").to_dict()


def _status(outcomes):
    return {r.id: r.status for r in aggregate(outcomes, load_catalogue())}


def test_passed_test_passes_its_citations():
    assert _status([TestOutcome("t1", (A, B), "passed")]) == {A: "passed", B: "passed"}


def test_failure_is_attributed_to_its_requirement_only():
    outcome = TestOutcome("t1", (A, B), "failed", passed_checks=(A,), failures=(_failure(B),))
    assert _status([outcome]) == {A: "passed", B: "failed"}


def test_unreached_citation_is_skipped_not_passed():
    outcome = TestOutcome("t1", (A, B), "failed", failures=(_failure(A),))
    assert _status([outcome]) == {A: "failed", B: "skipped"}


def test_untyped_crash_is_error():
    assert _status([TestOutcome("t1", (A,), "failed", detail="KeyError")]) == {A: "error"}


def test_worst_outcome_wins_across_tests():
    outcomes = [TestOutcome("t1", (A,), "passed"), TestOutcome("t2", (A,), "failed", failures=(_failure(A),))]
    assert _status(outcomes) == {A: "failed"}


def test_report_conforms_only_without_failures():
    results = aggregate([TestOutcome("t1", (A,), "passed")], load_catalogue())
    report = RunReport("0", TargetInfo("http://x", "2023-08-16"), "s", "f", results)
    assert report.conforms and report.summary["passed"] == 1


def test_outcome_round_trips_as_data():
    outcome = TestOutcome("t1", (A,), "failed", failures=(_failure(A),), detail="d", duration=0.5)
    assert TestOutcome.from_dict(outcome.to_dict()) == outcome
