"""``junit.xml``: one test case per requirement, with its ID and area as properties.

Counted as every other format counts (``counting``): xfailed and every not-assessed status are
``<skipped>`` (the latter with "not assessed (status)" and the reason), so a CI's passed count is
the passed requirements.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.reporting.model import NOT_ASSESSED_STATUSES, RunReport


def junit_tree(report: RunReport) -> ET.ElementTree[ET.Element]:
    """Build the JUnit XML tree for ``report``."""
    summary = report.summary
    suites = ET.Element("testsuites", name="stripe-conformance")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"stripe-conformance {report.target.url}",
        tests=str(summary["total"]),
        failures=str(summary["failed"]),
        errors=str(summary["error"]),
        # A CI test tab's "passed" (tests - failures - errors - skipped) is then the passed requirements.
        skipped=str(sum(summary[s] for s in (*NOT_ASSESSED_STATUSES, "xfailed"))),
        timestamp=report.started,
    )
    # Root causes first: a CI viewer shows the suite's properties above its test cases.
    properties = ET.SubElement(suite, "properties")
    for cause in report.root_causes:
        ET.SubElement(
            properties,
            "property",
            name=f"root_cause.{cause.id}",
            value=f"{cause.kind}: {cause.reason} (blocks {', '.join(cause.requirements) or 'nothing'})",
        )
    _run_properties(properties, report)
    for result in report.requirements:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"conformance.{result.area}",
            name=result.id,
            time=f"{round(result.duration, 4):.3f}",  # from report.json's rounding: re-rendered, the same
        )
        properties = ET.SubElement(case, "properties")
        for name, value in (
            ("requirement_id", result.id),
            ("area", result.area),
            ("level", result.level),
            ("source", result.source),
            ("status", result.status),
            ("observations", str(result.observations)),
            *((("blocked_by", result.blocked_by),) if result.blocked_by else ()),
            *(("evidence", f"{item['kind']}: {item['ref']}") for item in result.evidence),
        ):
            ET.SubElement(properties, "property", name=name, value=value)
        if result.warning:
            ET.SubElement(properties, "property", name="warning", value="SHOULD failed: not gating without --strict")
        if result.status == "failed":
            first = result.failures[0] if result.failures else {}
            message = str(first.get("message", "failed"))
            if result.warning:  # a CI's failure list shows it; the run's verdict and exit code say whether it gates
                message = f"SHOULD warning{' (gating: --strict)' if report.strict else ''}: {message}"
            element = ET.SubElement(case, "failure", message=message)
            element.text = "\n\n".join(
                f"{f.get('message')}\n{f.get('curl') or ''}" for f in result.failures
            )
        elif result.status == "error":
            ET.SubElement(case, "error", message=result.reason or "error")
        elif result.status == "xfailed":
            ET.SubElement(case, "skipped", message=f"{result.status}: {result.reason or 'no reason given'}")
        elif result.status in NOT_ASSESSED_STATUSES:
            message = f"not assessed ({result.status}): {result.reason or 'no reason given'}"
            ET.SubElement(case, "skipped", message=message)
    ET.indent(suites)
    return ET.ElementTree(suites)


def _run_properties(properties: ET.Element, report: RunReport) -> None:
    """Say on the suite how the run ended: verdict, outcome, strictness, warnings, shard, requests, failed deletes."""
    values = [("verdict", report.verdict), ("outcome", report.outcome), ("strict", str(report.strict).lower()),
              ("should_warnings", str(len(report.warnings)))]
    chosen = report.selection.items()
    values += [(f"selection.{key}", str(value)) for key, value in chosen if isinstance(value, str | int)]
    values += [(f"traffic.{key}", str(value)) for key, value in report.traffic.items()]
    values += [("teardown_failure", f"{f['type']} {f['id']} {f['status']}") for f in report.teardown_failures]
    for name, value in values:
        ET.SubElement(properties, "property", name=name, value=value)


def write_junit(report: RunReport, directory: Path) -> Path:
    """Write ``junit.xml`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "junit.xml"
    junit_tree(report).write(path, encoding="utf-8", xml_declaration=True)
    return path
