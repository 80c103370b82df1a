"""The end-of-run console summary: counts per area and the failed requirement IDs."""

from __future__ import annotations

from conformance.reporting.model import STATUSES, RunReport


def console_summary(report: RunReport) -> str:
    """Return the summary block printed at the end of a run."""
    lines = [f"stripe-conformance: {report.target.url} (Stripe-Version {report.target.stripe_version})"]
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
    for error in report.errors:
        lines.append(f"run error: {error}")
    lines.append("verdict: " + ("CONFORMS" if report.conforms else "DOES NOT CONFORM"))
    return "\n".join(lines)
