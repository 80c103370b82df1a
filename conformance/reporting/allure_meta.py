"""The run-level files of an Allure results directory: environment, categories and executor.

Allure reads three optional files beside the per-test results (see Allure's report structure
docs, https://allurereport.org/docs/how-it-works-environment-file/ and the categories and
executor pages next to it):

- ``environment.properties``: key = value lines shown in the report's Environment widget; here
  the target, its API version, the seed and the versions of the tools that shaped the run;
- ``categories.json``: rules that sort non-passing tests into named groups by status and message;
  here a target's deviation (product defect) is kept apart from what the target does not offer and
  from infrastructure noise (rate limits, the deadline, connections), which are no verdict;
- ``executor.json``: the CI build that produced the results, with its link, read from the CI's own
  environment variables (GitHub Actions, GitLab CI, or a generic ``BUILD_URL``).

Pure functions over plain data: no Allure library is imported here.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from conformance.reporting.model import RunReport

TOOL_LIBRARIES = ("pytest", "schemathesis", "hypothesis", "vcrpy", "allure-pytest")
"""The libraries whose versions the Environment widget lists (beside Python and the suite)."""

CATEGORIES: tuple[dict[str, Any], ...] = (
    {
        "name": "Target does not offer it (unsupported, not claimed by its profile)",
        "matchedStatuses": ["skipped", "broken", "failed"],
        "messageRegex": r"(?s).*(unsupported: |does not claim ).*",
    },
    {
        "name": "Blocked by a failed precondition (reported once, at its root cause)",
        "matchedStatuses": ["skipped", "broken", "failed"],
        "messageRegex": r"(?s).*blocked by .*",
    },
    {
        "name": "Infrastructure: rate limit, deadline, connection (no verdict on the target)",
        "matchedStatuses": ["skipped", "broken", "failed"],
        "messageRegex": r"(?s).*(infrastructure: |not run: |no usable response|timed out|Connection).*",
    },
    {
        "name": "Product defects: the target deviates from a requirement",
        "matchedStatuses": ["failed"],
    },
    {
        "name": "Suite errors: the conformance suite broke (report it to us)",
        "matchedStatuses": ["broken"],
    },
)
"""Allure categories, first match wins: the specific causes before the catch-all defect groups."""


def environment(report: RunReport, seed: str | None) -> dict[str, str]:
    """Return the Environment widget's entries for ``report`` (run with ``seed``)."""
    entries = {
        "target": report.target.name,
        "target.url": report.target.url,
        "stripe.version": report.target.stripe_version,
        "seed": seed or "(none)",
        "verdict": report.verdict,
        "strict": "true" if report.strict else "false",
        "should.warnings": str(len(report.warnings)),
        "stripe-conformance": report.tool_version,
        "python": platform.python_version(),
    }
    for name in TOOL_LIBRARIES:
        try:
            entries[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return entries


def properties_text(entries: Mapping[str, str]) -> str:
    """Render ``entries`` as a Java properties file (escaped, one ``key = value`` per line)."""
    return "".join(f"{_escape(key, key=True)} = {_escape(value)}\n" for key, value in entries.items())


def _escape(text: str, *, key: bool = False) -> str:
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if key:  # in a value only the line breaks and backslashes above are special
        for char in "=:#! ":
            out = out.replace(char, "\\" + char)
    return out


def executor(env: Mapping[str, str]) -> dict[str, Any] | None:
    """Return the Allure executor of the CI build described by ``env`` (os.environ), or None outside CI."""
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_RUN_ID"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        repository = env.get("GITHUB_REPOSITORY", "")
        run = f"{server}/{repository}/actions/runs/{env['GITHUB_RUN_ID']}"
        attempt = env.get("GITHUB_RUN_ATTEMPT")
        return _without_empty(
            {
                "name": "GitHub Actions",
                "type": "github",
                "url": f"{server}/{repository}",
                "buildOrder": _int(env.get("GITHUB_RUN_NUMBER")),
                "buildName": f"{env.get('GITHUB_WORKFLOW', 'workflow')} #{env.get('GITHUB_RUN_NUMBER', '?')}"
                + (f" (job {env['GITHUB_JOB']})" if env.get("GITHUB_JOB") else ""),
                "buildUrl": f"{run}/attempts/{attempt}" if attempt else run,
            }
        )
    if env.get("GITLAB_CI") == "true" and env.get("CI_JOB_URL"):
        return _without_empty(
            {
                "name": "GitLab CI",
                "type": "gitlab",
                "url": env.get("CI_PROJECT_URL"),
                "buildOrder": _int(env.get("CI_PIPELINE_IID")),
                "buildName": f"{env.get('CI_PROJECT_PATH', 'pipeline')} #{env.get('CI_PIPELINE_IID', '?')} "
                f"({env.get('CI_JOB_NAME', 'job')})",
                "buildUrl": env["CI_JOB_URL"],
                "reportUrl": env.get("CI_PIPELINE_URL"),
            }
        )
    if env.get("BUILD_URL"):  # Jenkins and the CIs that copied its variables
        return _without_empty(
            {
                "name": "CI",
                "type": "jenkins" if env.get("JENKINS_URL") else "ci",
                "url": env.get("JENKINS_URL"),
                "buildOrder": _int(env.get("BUILD_NUMBER")),
                "buildName": env.get("BUILD_TAG") or env.get("JOB_NAME"),
                "buildUrl": env["BUILD_URL"],
            }
        )
    return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "")}


def write_allure_metadata(
    directory: Path, report: RunReport, *, seed: str | None, env: Mapping[str, str]
) -> tuple[Path, ...]:
    """Write ``environment.properties``, ``categories.json`` and (in CI) ``executor.json``; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "environment.properties", directory / "categories.json"]
    written[0].write_text(properties_text(environment(report, seed)), encoding="utf-8")
    written[1].write_text(json.dumps(list(CATEGORIES), indent=2) + "\n", encoding="utf-8")
    build = executor(env)
    if build is not None:
        written.append(directory / "executor.json")
        written[-1].write_text(json.dumps(build, indent=2) + "\n", encoding="utf-8")
    return tuple(written)
