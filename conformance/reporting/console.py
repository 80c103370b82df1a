"""The end-of-run console summary: root causes first, counts per area, the failed and unassessed IDs."""

from __future__ import annotations

from conformance.reporting.model import STATUSES, RunReport


def console_summary(report: RunReport) -> str:
    """Return the summary block printed at the end of a run."""
    lines = [f"stripe-conformance: {report.target.url} (Stripe-Version {report.target.stripe_version})"]
    lines += root_cause_lines(report)
    width = max((len(area) for area in report.by_area()), default=4)
    for area, counts in report.by_area().items():
        cells = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        lines.append(f"  {area:<{width}}  {cells}")
    summary = report.summary
    totals = ", ".join(f"{summary[s]} {s}" for s in STATUSES if summary[s])
    lines.append(f"requirements: {summary['total']} ({totals or 'none run'})")
    failed = [r.id for r in report.requirements if r.status in ("failed", "error")]
    if failed:
        lines.append("not conforming: " + " ".join(failed))
    unassessed = [r.id for r in report.requirements if r.status == "not_assessed"]
    if unassessed:
        lines.append("not assessed (no check observed an answer): " + " ".join(unassessed))
    for error in report.errors:
        lines.append(f"run error: {error}")
    lines.append("verdict: " + ("CONFORMS" if report.conforms else "DOES NOT CONFORM"))
    return "\n".join(lines)


def root_cause_lines(report: RunReport) -> list[str]:
    """Return one line per root cause (what it kept from a verdict, and why), under a heading."""
    if not report.root_causes:
        return []
    lines = [f"root causes ({len(report.root_causes)}):"]
    for cause in report.root_causes:
        lines.append(f"  {cause.id} ({cause.kind}, {len(cause.requirements)} requirement(s)): {cause.reason}")
    return lines
