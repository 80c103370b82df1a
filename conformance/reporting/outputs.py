"""Write every file report of a run into the report directory."""

from __future__ import annotations

from pathlib import Path

from conformance.reporting.html import write_html_report
from conformance.reporting.json_report import write_json_report
from conformance.reporting.junit import write_junit
from conformance.reporting.markdown import write_markdown_summary
from conformance.reporting.model import RunReport

REPORT_FILES = ("report.json", "report.html", "summary.md", "junit.xml")


def write_reports(report: RunReport, directory: Path) -> tuple[Path, ...]:
    """Write ``report.json``, ``report.html``, ``summary.md`` and ``junit.xml``; return their paths."""
    return (
        write_json_report(report, directory),
        write_html_report(report, directory),
        write_markdown_summary(report, directory),
        write_junit(report, directory),
    )
