"""Allure results for the suite's scenarios: labels, links to the cited docs, and the exchanges.

Active only when allure-pytest writes results (``--alluredir``, which the CLI and
``--stripe-report-dir`` set to ``<report dir>/allure-results``). Per scenario: epic = the suite,
feature = the requirement's area, story = the requirement ID, severity from its level, a
``level`` and an ``evidence`` label per cited requirement, a ``warning`` label (and the
``should-warning`` tag) per SHOULD it failed, a link per cited reference section, and the
request/response/curl of each exchange of the scenario body (redacted). At the end of the run,
the run-level files: ``environment.properties`` (verdict, ``--strict`` and the SHOULD warnings
count among them), ``categories.json`` and, in CI, ``executor.json``
(``conformance.reporting.allure_meta``).

Which scenarios get their exchanges attached is ``--stripe-allure-attach``: ``failures`` (the
default) only those that did not pass (failed, error, xfailed) or failed a SHOULD, ``all`` every scenario (three
files per exchange: most of the run's writing), ``none`` never. The exchanges are kept in memory
while the scenario runs and attached once its teardown has reported, when its outcome is known.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import allure
import pytest

from conformance.checks import Verifier
from conformance.checks.failures import EVIDENCE_BODY_BYTES
from conformance.http import Response, StripeClient
from conformance.http.curl import curl_command
from conformance.http.redaction import redact_request, redact_response
from conformance.plugin.run_settings import run_settings
from conformance.plugin.state import VERIFIER_KEY
from conformance.reporting import RunReport
from conformance.reporting.allure_meta import write_allure_metadata
from conformance.reporting.attachments import ATTACH_FAILURES, ATTACH_NONE, attaches_exchanges
from conformance.reporting.citations import doc_links
from conformance.requirements import load_catalogue
from conformance.settings import SettingsError

EPIC = "Stripe conformance"
ALLURE_DIR_NAME = "allure-results"
_DYNAMIC: Any = allure.dynamic  # allure-pytest's API is untyped
_SEVERITY = {"MUST": allure.severity_level.CRITICAL, "SHOULD": allure.severity_level.NORMAL}


def default_allure_dir(config: pytest.Config) -> None:
    """With ``--stripe-report-dir`` and no ``--alluredir``: write results to ``<dir>/allure-results``.

    Must run before allure-pytest's own ``pytest_configure`` (from ``pytest_cmdline_main``, which
    xdist workers call too).
    """
    from conformance.plugin.allure_redaction import use_redacting_file_logger

    use_redacting_file_logger()  # whatever writes Allure results in a session with this plugin goes through it
    option = config.option
    try:
        report_dir = run_settings(config).report_dir
    except SettingsError:
        return  # reported by the plugin's pytest_configure, with exit code 2
    if not report_dir or not hasattr(option, "allure_report_dir") or option.allure_report_dir:
        return
    option.allure_report_dir = f"{report_dir}/{ALLURE_DIR_NAME}"
    # Results of an earlier run would mix with this one's: the controller empties the directory
    # before any xdist worker starts; a worker cleaning it could delete another worker's results.
    option.clean_alluredir = not hasattr(config, "workerinput")


def allure_active(config: pytest.Config) -> bool:
    """Tell whether allure-pytest is writing results in this session."""
    return bool(getattr(config.option, "allure_report_dir", None))


def write_run_files(config: pytest.Config, report: RunReport, seed: str | None) -> None:
    """Write the Allure run-level files (environment, categories, executor) when Allure results are written."""
    if allure_active(config):
        write_allure_metadata(Path(config.option.allure_report_dir), report, seed=seed, env=os.environ)


_EXCHANGES_KEY = pytest.StashKey[list[Response]]()
_NOT_PASSED_KEY = pytest.StashKey[bool]()


class AllureLabels:
    """Label each scenario by suite/area/requirement and attach what it exchanged with the target."""

    def __init__(self, attach: str = ATTACH_FAILURES) -> None:
        """Attach exchanges per ``attach``, a policy of ``conformance.reporting.attachments``."""
        attaches_exchanges(attach, passed=False)  # ValueError for an unknown policy, before anything runs
        self._attach = attach

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Add the labels and links as the scenario starts (the Allure test result exists by then)."""
        marker = item.get_closest_marker("requirement")
        if marker is None:
            return
        catalogue = load_catalogue()
        _DYNAMIC.epic(EPIC)
        levels = []
        features: set[str] = set()  # a scenario citing two requirements of one area is one feature
        for requirement_id in dict.fromkeys(marker.args):
            if requirement_id not in catalogue:
                continue
            requirement = catalogue.get(requirement_id)
            if requirement.area not in features:
                features.add(requirement.area)
                _DYNAMIC.feature(requirement.area)
            _DYNAMIC.story(requirement.id)
            _DYNAMIC.label("requirement_id", requirement.id)
            _DYNAMIC.label("level", f"{requirement.id}: {requirement.level}")
            for proof in requirement.evidence:
                _DYNAMIC.label("evidence", f"{requirement.id}: {proof.kind}: {proof.ref}")
            levels.append(requirement.level)
            for name, url in doc_links(requirement.source):
                _DYNAMIC.link(url, name=name)
        if levels:
            _DYNAMIC.severity(_SEVERITY["MUST" if "MUST" in levels else "SHOULD"])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Keep the scenario body's exchanges until its outcome is known (teardown's report)."""
        funcargs = getattr(item, "funcargs", {})
        client = funcargs.get("stripe_client") if item.get_closest_marker("requirement") else None
        if not isinstance(client, StripeClient) or self._attach == ATTACH_NONE:
            return (yield)
        exchanges: list[Response] = []
        client.observe(exchanges.append)
        try:
            return (yield)
        finally:
            # A copy: what the fixtures' cleanup sends through the same client is not the body's evidence.
            item.stash[_EXCHANGES_KEY] = exchanges.copy()

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Note a phase that did not pass; after teardown, attach the evidence the policy asks for.

        ``tryfirst``: the outermost wrapper, so it sees each report as the plugin's own hooks left
        it (a 429 that outlived the retries is turned into a skip there, not a failure).
        """
        report = yield
        if item.get_closest_marker("requirement") is None:
            return report
        if report.failed or (report.skipped and hasattr(report, "wasxfail")):
            item.stash[_NOT_PASSED_KEY] = True
        if report.when == "teardown":
            self._attach_evidence(item)
        return report

    def _attach_evidence(self, item: pytest.Item) -> None:
        """Attach the body's exchanges (per the policy) and the conformance failures, then forget them."""
        exchanges = item.stash.get(_EXCHANGES_KEY, [])
        item.stash[_EXCHANGES_KEY] = []  # items live as long as the session: keep no bodies around
        verifier = item.stash.get(VERIFIER_KEY, None)
        warned = _warnings(verifier) if isinstance(verifier, Verifier) else []
        for requirement_id in warned:  # the scenario may pass in pytest's eyes: the label says it warned
            _DYNAMIC.label("warning", f"{requirement_id}: SHOULD failed")
        if warned:
            _DYNAMIC.tag("should-warning")
        passed = not item.stash.get(_NOT_PASSED_KEY, False) and not warned
        if attaches_exchanges(self._attach, passed=passed):
            for number, response in enumerate(exchanges, start=1):
                _attach_exchange(number, response)
        if isinstance(verifier, Verifier) and verifier.failures:
            allure.attach(
                "\n\n".join(str(f) for f in verifier.failures),
                name="conformance failures",
                attachment_type=allure.attachment_type.TEXT,
            )


def _warnings(verifier: Verifier) -> list[str]:
    """The SHOULD requirements this scenario's checks failed (recorded, never raised), once each."""
    return list(dict.fromkeys(f.requirement_id for f in verifier.failures if f.requirement_id in verifier.advisory))


def _attach_exchange(number: int, response: Response) -> None:
    request = response.request
    label = f"{number}. {request.method} {request.path} → {response.status}"
    allure.attach(
        json.dumps(redact_request(request).to_dict(), indent=2),
        name=f"{label}: request",
        attachment_type=allure.attachment_type.JSON,
    )
    allure.attach(
        json.dumps(redact_response(response.cut(EVIDENCE_BODY_BYTES)).to_dict(), indent=2),
        name=f"{label}: response",
        attachment_type=allure.attachment_type.JSON,
    )
    allure.attach(curl_command(request), name=f"{label}: curl", attachment_type=allure.attachment_type.TEXT)
