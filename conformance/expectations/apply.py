"""Apply expectations to a run's report: expected failures become ``xfailed``, unexpected passes fail.

The rules, per requirement in the report that an entry names (the observed status is kept in
the result's ``expectation`` record):

- ``expected = "skip"``: the requirement is reported ``skipped`` whatever happened (front-ends do
  not even run scenarios whose every citation is expected to skip);
- observed ``failed``/``error`` and ``fail`` expected: ``xfailed``, the failures kept as evidence;
- observed ``passed`` and ``pass`` not expected: ``failed`` with an ``unexpected_pass`` failure
  (strict: a deviation that went away must be removed from the file);
- anything else keeps its status (a skip is never a failure; an unexpected failure stays one).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from conformance.expectations.model import Expectation, Expectations
from conformance.reporting.model import RequirementResult, RunReport

UNEXPECTED_PASS = "unexpected_pass"


def apply_expectations(report: RunReport, expectations: Expectations) -> RunReport:
    """Return a copy of ``report`` with ``expectations`` applied to its requirement results."""
    if not expectations.entries and not expectations.origins:
        return report
    results = tuple(_apply(result, expectations.get(result.id)) for result in report.requirements)
    origins = tuple(dict.fromkeys((*report.expectations, *expectations.origins)))
    return dataclasses.replace(report, requirements=results, expectations=origins)


def _apply(result: RequirementResult, expectation: Expectation | None) -> RequirementResult:
    if expectation is None:
        return result
    record = expectation.to_dict() | {"observed": result.status}
    if expectation.skips:
        return dataclasses.replace(
            result, status="skipped", reason=f"expected skip: {expectation.reason}", expectation=record
        )
    accepted = expectation.accepts(result.status)
    if accepted and result.status in ("failed", "error"):
        return dataclasses.replace(
            result, status="xfailed", reason=f"expected failure: {expectation.reason}", expectation=record
        )
    if not accepted and result.status == "passed":
        return dataclasses.replace(
            result,
            status="failed",
            reason=f"unexpected pass: expected {expectation.describe()} ({expectation.reason})",
            failures=(*result.failures, _unexpected_pass(result, expectation)),
            expectation=record,
        )
    return dataclasses.replace(result, expectation=record)


def _unexpected_pass(result: RequirementResult, expectation: Expectation) -> dict[str, Any]:
    return {
        "kind": UNEXPECTED_PASS,
        "title": "Unexpected pass",
        "requirement_id": result.id,
        "message": (
            f"passed, but {expectation.origin} expects {expectation.describe()} "
            f"({expectation.reason}); remove or update the entry"
        ),
        "json_path": None,
        "request": None,
        "response": None,
        "curl": None,
    } | ({"test": result.tests[0]} if result.tests else {})
