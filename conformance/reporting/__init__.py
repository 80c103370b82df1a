"""Reporting: turn test outcomes into requirement results and write them out."""

from conformance.reporting.aggregate import aggregate, root_causes
from conformance.reporting.console import console_summary
from conformance.reporting.diff import ReportDiff, diff_reports
from conformance.reporting.html import render_html, write_html_report
from conformance.reporting.json_report import REPORT_SCHEMA_VERSION, read_report, report_to_dict, write_json_report
from conformance.reporting.junit import write_junit
from conformance.reporting.markdown import render_markdown, write_markdown_summary
from conformance.reporting.matrix import Matrix, build_matrix
from conformance.reporting.model import (
    STATUSES,
    RequirementResult,
    RootCause,
    RunReport,
    TargetInfo,
    TestOutcome,
)
from conformance.reporting.outputs import REPORT_FILES, write_reports

__all__ = [
    "REPORT_FILES",
    "REPORT_SCHEMA_VERSION",
    "STATUSES",
    "Matrix",
    "ReportDiff",
    "RequirementResult",
    "RootCause",
    "RunReport",
    "TargetInfo",
    "TestOutcome",
    "aggregate",
    "build_matrix",
    "console_summary",
    "diff_reports",
    "read_report",
    "render_html",
    "render_markdown",
    "report_to_dict",
    "root_causes",
    "write_html_report",
    "write_json_report",
    "write_junit",
    "write_markdown_summary",
    "write_reports",
]
