"""The end-of-run console summary: root causes, requirements per area, the failed and unassessed IDs."""

from __future__ import annotations

from collections.abc import Sequence

from conformance.reporting.counting import Counts
from conformance.reporting.model import RequirementResult, RunReport
from conformance.reporting.run_notes import run_notes


def console_summary(report: RunReport, notes: Sequence[str] = ()) -> str:
    """Return the summary block printed at the end of a run; ``notes`` go just before the verdict."""
    lines = [
        f"stripe-conformance: {report.target.name} {report.target.url} (Stripe-Version {report.target.stripe_version})",
        *root_cause_lines(report),
        "requirements per area (passed / assessed):",
    ]
    width = max((len(area) for area in report.by_area()), default=4)
    for area, statuses in report.by_area().items():
        lines.append(f"  {area:<{width}}  {Counts(statuses).line()}")
    counts = Counts.of(r.status for r in report.requirements)
    lines.append(f"requirements: {counts.total}: {counts.line()}" if counts.total else "requirements: none run")
    failed = report.findings  # failed MUSTs (and unexpected passes); failed SHOULDs too under --strict
    if failed:
        lines.append(f"not conforming ({len(failed)}):")
        for result in failed:
            lines.append(f"  {result.status.upper()} {result.id} ({result.level}): {_why(result)}")
            if result.tests:
                lines.append(f"    seen in {_where(result)}")
    unassessed = [r.id for r in report.requirements if r.status == "not_assessed"]
    if unassessed:
        lines.append("not assessed (no check observed an answer): " + " ".join(unassessed))
    if report.warnings and report.strict:  # listed above with the findings
        lines.append(f"SHOULD warnings ({len(report.warnings)}, failing the run under --strict): "
                     + " ".join(r.id for r in report.warnings))
    elif report.warnings:
        lines.append(f"SHOULD warnings ({len(report.warnings)}, not failing the run without --strict):")
        for result in report.warnings:
            lines.append(f"  {result.status.upper()} {result.id} ({result.level}): {_why(result)}")
    for error in report.errors:
        lines.append(f"run error: {error}")
    lines += notes
    lines += run_notes(report)
    lines.append(f"verdict: {report.verdict}")
    return "\n".join(lines)


def root_cause_lines(report: RunReport) -> list[str]:
    """Return one line per root cause (what it kept from a verdict, and why), under a heading."""
    if not report.root_causes:
        return []
    lines = [f"root causes ({len(report.root_causes)}):"]
    for cause in report.root_causes:
        lines.append(f"  {cause.id} ({cause.kind}, {len(cause.requirements)} requirement(s)): {cause.reason}")
    return lines


def _why(result: RequirementResult) -> str:
    """The first failure's message (one line, cut), else the reason."""
    text = str(result.failures[0].get("message")) if result.failures else (result.reason or result.status)
    text = " ".join(text.split())
    return text if len(text) <= _WHY_CHARS else text[: _WHY_CHARS - 1] + "…"


def _where(result: RequirementResult) -> str:
    """The scenario that saw it first, and how many others did."""
    more = len(result.tests) - 1
    return result.tests[0] + (f" and {more} more" if more else "")


_WHY_CHARS = 160
