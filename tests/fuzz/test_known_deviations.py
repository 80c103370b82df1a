"""A target's known deviations are noted by the fuzzing and do not stop it (peers deviate on every answer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_helpers import KEY, mutant_faults, session_for

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


def test_without_the_expectation_the_missing_header_fails_the_operation(no_request_id_server: ReferenceServer) -> None:
    session = session_for(no_request_id_server, examples=2)
    assert REQUEST_ID in {f.requirement_id for f in fuzz_operation(session, BY_ID["PostCustomers"])}
    assert session.noted() == []


def test_an_expected_deviation_is_noted_once_and_the_run_goes_on(no_request_id_server: ReferenceServer) -> None:
    session = session_for(no_request_id_server, examples=2)
    session.known = frozenset({REQUEST_ID})
    assert fuzz_operation(session, BY_ID["PostCustomers"]) == []
    assert [f.requirement_id for f in session.noted()] == [REQUEST_ID]
    assert session.noted()[0].curl  # the evidence keeps its reproduction


def test_an_expected_deviation_does_not_hide_another_fault() -> None:
    with _no_request_id(mutant_faults().UnknownParamsIgnored()) as server:
        session = session_for(server, examples=2)
        session.known = frozenset({REQUEST_ID})
        found = {f.requirement_id for f in fuzz_operation(session, BY_ID["PostCustomers"])}
    assert "fuzz.negative-rejected" in found
    assert REQUEST_ID not in found


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
    assert statuses["fuzz.no-server-error"] == "not_assessed"  # not reached: the test stopped at the first answer

    expect = tmp_path / "expect.toml"
    expect.write_text(
        f'[expectations."{REQUEST_ID}"]\nexpected = "fail"\nreason = "drops the header"\n', encoding="utf-8"
    )
    code, statuses = _run(no_request_id_server.url, tmp_path / "expected", "--expect", str(expect))
    assert code == 0
    assert statuses[REQUEST_ID] == "xfailed"
    assert statuses["fuzz.no-server-error"] == "passed"
    assert statuses["fuzz.list-contract"] == "passed"
