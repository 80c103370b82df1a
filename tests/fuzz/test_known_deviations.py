"""Findings are noted by the fuzzing and stop nothing, expected or not (peers deviate on every answer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_helpers import KEY, CountingIds, mutant_faults, session_for

from conformance.fuzz.stateless import fuzz_operation
from conformance.fuzz.surface import load_surface, operations
from conformance.reference import ReferenceServer, Store, create_app

BY_ID = {ref.operation_id: ref for ref in operations(load_surface())}
REQUEST_ID = "errors.request-id"


def _no_request_id(store: Store) -> ReferenceServer:
    faults = mutant_faults()
    return ReferenceServer(app=faults.Rewrite(create_app(store), faults.drop_request_id))


@pytest.fixture
def no_request_id_server() -> Iterator[ReferenceServer]:
    with _no_request_id(Store()) as server:
        yield server


def _requests_and_findings(known: frozenset[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Fuzz one operation on a fresh server whose ids count up; return what was sent and what was noted."""
    with _no_request_id(CountingIds()) as server:
        session = session_for(server, examples=3)
        session.known = known
        sent: list[tuple[str, str]] = []
        session.client.observe(lambda response: sent.append((response.request.method, response.request.url)))
        assert fuzz_operation(session, BY_ID["PostCustomers"]) == []  # nothing ends the exploration
        return [(method, url.split("/", 3)[-1]) for method, url in sent], [f.requirement_id for f in session.noted()]


def test_without_the_expectation_the_missing_header_is_noted_and_the_run_goes_on(
    no_request_id_server: ReferenceServer,
) -> None:
    session = session_for(no_request_id_server, examples=2)
    assert fuzz_operation(session, BY_ID["PostCustomers"]) == []
    assert [f.requirement_id for f in session.noted()] == [REQUEST_ID]
    assert session.noted()[0].curl  # the evidence keeps its reproduction


def test_the_exploration_does_not_depend_on_what_the_run_expects() -> None:
    """Expected or not, a finding changes nothing of what is sent: ``expect --from`` then ``--expect`` is stable."""
    plain = _requests_and_findings(frozenset())
    expected = _requests_and_findings(frozenset({REQUEST_ID}))
    assert plain[1] == expected[1] == [REQUEST_ID]
    assert len(plain[0]) > 3 and plain[0] == expected[0]


def test_a_deviation_does_not_hide_another_fault() -> None:
    with _no_request_id(mutant_faults().UnknownParamsIgnored()) as server:
        session = session_for(server, examples=2)
        assert fuzz_operation(session, BY_ID["PostCustomers"]) == []
        noted = {f.requirement_id for f in session.noted()}
    assert {"fuzz.negative-rejected", REQUEST_ID} <= noted


def _run(url: str, report_dir: Path, *extra: str) -> tuple[int, dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--target", url, "-m", "fuzz", "-k", "GetCustomers]",
         "--report-dir", str(report_dir), *extra],
        capture_output=True, text=True, timeout=240, env={**os.environ, "STRIPE_API_KEY": KEY},
    )
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return done.returncode, {r["id"]: r["status"] for r in report["requirements"]}


def test_through_the_cli_the_other_cited_requirements_are_judged(
    no_request_id_server: ReferenceServer, tmp_path: Path
) -> None:
    code, statuses = _run(no_request_id_server.url, tmp_path / "plain")
    assert code == 1
    assert statuses[REQUEST_ID] == "failed"
    assert statuses["fuzz.no-server-error"] == "passed"  # the finding ended nothing: the whole budget ran

    expect = tmp_path / "expect.toml"
    expect.write_text(
        f'[expectations."{REQUEST_ID}"]\nexpected = "fail"\nreason = "drops the header"\n', encoding="utf-8"
    )
    code, statuses = _run(no_request_id_server.url, tmp_path / "expected", "--expect", str(expect))
    assert code == 0
    assert statuses[REQUEST_ID] == "xfailed"
    assert statuses["fuzz.no-server-error"] == "passed"
    assert statuses["fuzz.list-contract"] == "passed"
