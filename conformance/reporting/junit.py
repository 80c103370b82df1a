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
    if report.root_causes:
        # Root causes first: a CI viewer shows the suite's properties above its test cases.
        causes = ET.SubElement(suite, "properties")
        for cause in report.root_causes:
            ET.SubElement(
                causes,
                "property",
                name=f"root_cause.{cause.id}",
                value=f"{cause.kind}: {cause.reason} (blocks {', '.join(cause.requirements) or 'nothing'})",
            )
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
        ):
            ET.SubElement(properties, "property", name=name, value=value)
        if result.status == "failed":
            first = result.failures[0] if result.failures else {}
            element = ET.SubElement(case, "failure", message=str(first.get("message", "failed")))
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


def write_junit(report: RunReport, directory: Path) -> Path:
    """Write ``junit.xml`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "junit.xml"
    junit_tree(report).write(path, encoding="utf-8", xml_declaration=True)
    return path
