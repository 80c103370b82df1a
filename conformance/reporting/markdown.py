"""``summary.md``: a compact Markdown summary for a CI step summary or a pull-request comment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.reporting.counting import Counts
from conformance.reporting.json_report import report_to_dict
from conformance.reporting.model import NOT_ASSESSED_STATUSES, RunReport, is_finding, is_warning
from conformance.reporting.run_notes import document_notes

_MAX_LISTED = 50


def render_markdown(report: Mapping[str, Any]) -> str:
    """Render a ``report.json`` document as the Markdown summary."""
    requirements = list(report.get("requirements", []))
    target = report.get("target", {})
    counts = Counts.of(r["status"] for r in requirements)
    verdict = ("✅ " if report.get("conforms") else "❌ ") + str(report.get("verdict") or "DOES NOT CONFORM").lower()
    strict = bool(report.get("strict"))
    warnings = [r for r in requirements if is_warning(r)]
    lines = [
        f"## stripe-conformance: {escape(str(target.get('name', 'custom')))} — {verdict}",
        "",
        *_root_cause_lines(report.get("root_causes") or []),
        f"Score **{counts.score_text}** over {counts.total} requirements: {counts.line(with_score=False)}. "
        f"Target `{target.get('url', '?')}`, Stripe-Version `{target.get('stripe_version', '?')}`.",
        "",
        "| area | passed / assessed | score | not assessed | failed |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    areas: dict[str, list[Mapping[str, Any]]] = {}
    for requirement in requirements:
        areas.setdefault(requirement["area"], []).append(requirement)
    for area, members in areas.items():
        area_counts = Counts.of(r["status"] for r in members)
        failed = [f"`{r['id']}`" for r in members if r["status"] in ("failed", "error")]
        lines.append(
            f"| {escape(area)} | {area_counts.ratio()} | {area_counts.score_text} | "
            f"{area_counts.not_assessed_text()} | {' '.join(failed)} |"
        )
    failing = [r for r in requirements if is_finding(r, strict)]
    if failing:
        lines += ["", f"### Failed ({len(failing)})", ""]
        lines += [_failure_line(r) for r in failing[:_MAX_LISTED]]
        if len(failing) > _MAX_LISTED:
            lines.append(f"- … and {len(failing) - _MAX_LISTED} more (see report.html)")
    if warnings:
        gate = "failing this run (--strict)" if strict else "not failing the run without --strict"
        lines += ["", f"### SHOULD warnings ({len(warnings)}, {gate})", ""]
        lines += [_failure_line(r) for r in warnings[:_MAX_LISTED]]
        if len(warnings) > _MAX_LISTED:
            lines.append(f"- … and {len(warnings) - _MAX_LISTED} more (see report.html)")
    expected = [r for r in requirements if r["status"] == "xfailed"]
    if expected:
        lines += ["", f"<details><summary>Expected failures ({len(expected)})</summary>", ""]
        lines += [f"- `{r['id']}`: {escape(str(r.get('reason') or ''))}" for r in expected[:_MAX_LISTED]]
        lines += ["", "</details>"]
    unassessed = [r for r in requirements if r["status"] in NOT_ASSESSED_STATUSES]
    if unassessed:
        lines += ["", f"<details><summary>Not assessed ({len(unassessed)}): no check observed an answer</summary>", ""]
        lines += [
            f"- `{r['id']}` ({r['status']}): {escape(str(r.get('reason') or 'no reason given'))}"
            for r in unassessed[:_MAX_LISTED]
        ]
        lines += ["", "</details>"]
    for error in report.get("errors", []):
        lines += ["", f"**Run error:** {escape(str(error))}"]
    lines += [f"\n**Run:** {escape(note)}" for note in document_notes(report)]
    return "\n".join(lines) + "\n"


def write_markdown_summary(report: RunReport, directory: Path) -> Path:
    """Write ``summary.md`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "summary.md"
    path.write_text(render_markdown(report_to_dict(report)), encoding="utf-8")
    return path


def _root_cause_lines(causes: list[Mapping[str, Any]]) -> list[str]:
    if not causes:
        return []
    lines = [f"### Root causes ({len(causes)})", ""]
    for cause in causes:
        ids = cause.get("requirements") or []
        lines.append(
            f"- **{escape(str(cause.get('kind', 'blocked')))}** `{escape(str(cause.get('id', '?')))}`: "
            f"{escape(str(cause.get('reason', '')))} — {len(ids)} requirement(s) not assessed"
        )
    return [*lines, ""]


def _failure_line(requirement: Mapping[str, Any]) -> str:
    failures = requirement.get("failures") or []
    why = str(failures[0].get("message")) if failures else str(requirement.get("reason") or requirement["status"])
    seen = requirement.get("observations")
    counted = f", {seen} observation(s)" if isinstance(seen, int) else ""
    return f"- `{requirement['id']}` ({requirement['level']}{counted}): {escape(why)}"


def escape(text: str) -> str:
    """Make free text safe inside a Markdown table cell or list item (one line, no pipes or HTML)."""
    text = " ".join(text.split())
    for char, replacement in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("`", "\\`")):
        text = text.replace(char, replacement)
    return text[:300] + "…" if len(text) > 300 else text
