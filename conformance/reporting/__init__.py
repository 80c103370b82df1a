"""Reporting: turn test outcomes into requirement results and write them out."""

from conformance.reporting.aggregate import aggregate
from conformance.reporting.console import console_summary
from conformance.reporting.json_report import REPORT_SCHEMA_VERSION, read_report, write_json_report
from conformance.reporting.junit import write_junit
from conformance.reporting.model import (
    STATUSES,
    RequirementResult,
    RunReport,
    TargetInfo,
    TestOutcome,
)

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "STATUSES",
    "RequirementResult",
    "RunReport",
    "TargetInfo",
    "TestOutcome",
    "aggregate",
    "console_summary",
    "read_report",
    "write_json_report",
    "write_junit",
]
