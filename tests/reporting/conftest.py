"""Fixtures for the reporting tests: the report schema and one CLI run against a broken target."""

import json

import pytest
from jsonschema import Draft202012Validator

from conformance.reference import ReferenceServer
from tests.reporting.samples import BROKEN_RUN_KEY, ROOT, NoDefaultOnFirstCard, run_cli


@pytest.fixture(scope="session")
def report_schema():
    schema = json.loads((ROOT / "schemas" / "report" / "report-v1.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


BROKEN_RUN_SEED = "broken-run"
"""Expectations adopted from this run hold on a rerun with the same seed (the fuzzing explores the same)."""


@pytest.fixture(scope="session")
def broken_run(tmp_path_factory):
    """A CLI run against a reference server whose first attached card does not become the default."""
    out = tmp_path_factory.mktemp("broken-run")
    with ReferenceServer(store=NoDefaultOnFirstCard()) as server:
        result = run_cli("run", "--target", server.url, "--api-key", BROKEN_RUN_KEY, "--report-dir", str(out),
                         "--seed", BROKEN_RUN_SEED)
    return out, result
