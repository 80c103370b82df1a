"""The CI recipes of docs/ci/ run: their steps, executed here against the reference server.

Each recipe is parsed and its shell steps run in order (tests/ci/recipes.py emulates the CI service
around them): start the target, run every shard, merge, collect Allure results, write the step
summary, upload. The fuzzing budget is 1 here (the recipes say 3) to keep the test short.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import yaml

from conformance.cli import COMMANDS
from tests.ci.recipes import Pipeline, run_github, run_gitlab

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "docs" / "ci" / "github-actions.yml"
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
MERGE_AVAILABLE = any(name == "merge" for name, _ in COMMANDS)
NO_MERGE = "the merge command is not in this version of the suite (it lands with the early-ended-runs work)"


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _skip_merge(name: str, script: str) -> str | None:
    return None if MERGE_AVAILABLE or "stripe-conformance merge" not in script else f"not run: {NO_MERGE}"


@pytest.fixture
def pipeline(tmp_path):
    run = Pipeline(tmp_path, {}, skip_step=_skip_merge)
    yield run
    run.stop_leftovers()


def _overrides():
    return {"TARGET_PORT": _free_port(), "FUZZ_EXAMPLES": "1", "CONFORMANCE_SEED": "ci-recipe-test"}


def _assert_every_step_passed(pipeline):
    failed = pipeline.failed()
    assert not failed, "\n\n".join(f"{r.job} / {r.name}: exit {r.code}\n{r.output[-3000:]}" for r in failed)


def _shard_reports(directory, count):
    # The merged report's upload (conformance-report/) sits beside the shards' and is not one of them.
    reports = sorted(p for p in directory.glob("*/report.json") if p.parent.name != "conformance-report")
    assert len(reports) == count, reports
    return [json.loads(path.read_text()) for path in reports]


def test_the_github_workflow_runs_shards_merges_summarises_and_uploads(pipeline):
    workflow = yaml.safe_load(GITHUB.read_text())
    shards = workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    assert workflow["env"]["SHARDS"] == str(len(shards)), "the matrix and SHARDS disagree"
    run_github(GITHUB, pipeline, _overrides())
    _assert_every_step_passed(pipeline)
    artifacts = pipeline.artifacts
    reports = _shard_reports(artifacts, len(shards))
    assert all(report["requirements"] for report in reports)
    for shard in shards:  # each shard uploaded its report.html, junit and Allure results
        uploaded = artifacts / f"conformance-shard-{shard}"
        assert (uploaded / "report.html").is_file() and (uploaded / "junit.xml").is_file()
        assert list((uploaded / "allure-results").glob("*-result.json"))
        assert " GET /v1/customers" in (uploaded / "target.log").read_text()  # serve --log in the recipe
    if not MERGE_AVAILABLE:
        skipped = [r for r in pipeline.results if r.note.startswith("not run:")]
        assert [r.name for r in skipped] == ["Merge the shards"]
        pytest.skip(f"merge step not executed: {NO_MERGE}; the shards, Allure collection and uploads ran")
    report = artifacts / "conformance-report"
    merged = json.loads((report / "report.json").read_text())
    assert merged["conforms"] and len(merged["requirements"]) >= max(len(r["requirements"]) for r in reports)
    assert {"report.html", "junit.xml", "summary.md"} <= {p.name for p in report.iterdir()}
    assert len(list((report / "allure-results").glob("*-result.json"))) == sum(
        len(list((artifacts / f"conformance-shard-{s}" / "allure-results").glob("*-result.json"))) for s in shards)
    assert (pipeline.root / "step-summary.md").read_text() == (report / "summary.md").read_text()


def test_the_gitlab_pipeline_runs_the_same_recipe(pipeline):
    document = yaml.safe_load(GITLAB.read_text())
    count = int(document["conformance"]["parallel"])
    run_gitlab(GITLAB, pipeline, _overrides(), {"CI_PIPELINE_ID": "4242"})
    _assert_every_step_passed(pipeline)
    reports = _shard_reports(pipeline.artifacts / "conformance-1" / "reports", 1)
    reports += [json.loads(p.read_text()) for i in range(2, count + 1)
                for p in (pipeline.artifacts / f"conformance-{i}" / "reports").glob("*/report.json")]
    assert len(reports) == count
    if not MERGE_AVAILABLE:
        pytest.skip(f"merge script not executed: {NO_MERGE}; the shards ran")
    merged = pipeline.artifacts / "conformance-report" / "merged"
    assert json.loads((merged / "report.json").read_text())["conforms"]
    assert (merged / "report.html").is_file() and (merged / "junit.xml").is_file()
    assert list((merged / "allure-results").glob("*-result.json"))


def test_the_recipes_gate_on_the_exit_code():
    workflow = yaml.safe_load(GITHUB.read_text())
    steps = {step.get("name"): step for job in workflow["jobs"].values() for step in job["steps"]}
    for gate in ("Run shard ${{ matrix.shard }} of the suite", "Merge the shards"):
        assert "continue-on-error" not in steps[gate] and "|| true" not in steps[gate]["run"]
    for after in ("Stop the target", "Upload the shard's reports", "Write the job summary", "Upload the report",
                  "Collect the Allure results"):
        assert steps[after]["if"] == "always()", after  # reports are kept whatever the verdict
    assert workflow["jobs"]["merge"]["if"] == "always()"
    gitlab = yaml.safe_load(GITLAB.read_text())
    assert gitlab["conformance"]["artifacts"]["when"] == "always" and gitlab["conformance-report"]["when"] == "always"
    scripts = gitlab["conformance"]["script"] + gitlab["conformance-report"]["script"]
    assert not any("|| true" in line for line in scripts)
