"""Compare two runs requirement by requirement: fixed, regressed, added, removed, changed, unchanged."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.reporting.markdown import escape

CHANGES = ("regressed", "fixed", "added", "removed", "changed", "unchanged")
_FAILING = frozenset({"failed", "error"})


@dataclass(frozen=True, slots=True)
class RequirementChange:
    """How one requirement's status moved between two runs (None: absent from that run)."""

    id: str
    area: str
    change: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class ReportDiff:
    """Every requirement of either run, classified."""

    old_label: str
    new_label: str
    changes: tuple[RequirementChange, ...]

    def of(self, change: str) -> tuple[RequirementChange, ...]:
        """Return the requirements with this classification."""
        return tuple(c for c in self.changes if c.change == change)

    @property
    def regressed(self) -> bool:
        """True when any requirement got worse (the diff command then exits 1)."""
        return any(c.change == "regressed" for c in self.changes)

    def counts(self) -> dict[str, int]:
        """Count requirements per classification (every classification present)."""
        return {name: len(self.of(name)) for name in CHANGES}


def classify(old: str | None, new: str | None) -> str:
    """Classify a status transition.

    ``regressed``: now failing (failed/error) and was not, or was passing and is now an expected
    failure. ``fixed``: now passing and was failing or an expected failure. ``added``/``removed``:
    present in one run only. ``unchanged``: same status (failed and error are alike). Any other move
    (e.g. passed to skipped, or to one of the statuses without an observation: ``not_assessed``,
    ``blocked``, ``unsupported``, ``not_run``) is ``changed``: a requirement no longer assessed is
    shown, but it is not a regression of the target.
    """
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old == new or (old in _FAILING and new in _FAILING):
        return "unchanged"
    if new in _FAILING or (old == "passed" and new == "xfailed"):
        return "regressed"
    if new == "passed" and (old in _FAILING or old == "xfailed"):
        return "fixed"
    return "changed"


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """Compare two ``report.json`` documents; requirements in the new run's order, then removed ones."""
    before = {r["id"]: r for r in old.get("requirements", [])}
    after = {r["id"]: r for r in new.get("requirements", [])}
    changes = [
        RequirementChange(rid, r["area"], classify(_status(before.get(rid)), r["status"]),
                          _status(before.get(rid)), r["status"])
        for rid, r in after.items()
    ]
    changes += [
        RequirementChange(rid, r["area"], "removed", r["status"], None) for rid, r in before.items() if rid not in after
    ]
    return ReportDiff(run_label(old), run_label(new), tuple(changes))


def run_label(report: Mapping[str, Any]) -> str:
    """Name a run for people: target name and URL, and when it started."""
    target = report.get("target", {})
    return f"{target.get('name', 'custom')} {target.get('url', '?')} @ {report.get('started', '?')}"


def _status(requirement: Mapping[str, Any] | None) -> str | None:
    return None if requirement is None else str(requirement["status"])


def render_diff_text(diff: ReportDiff, *, show_unchanged: bool = False) -> str:
    """Render the diff as an aligned terminal table followed by the counts."""
    rows = [c for c in diff.changes if show_unchanged or c.change != "unchanged"]
    lines = [f"old: {diff.old_label}", f"new: {diff.new_label}", ""]
    if rows:
        width = max(len(c.id) for c in rows)
        lines.append(f"{'change':<10}  {'requirement':<{width}}  {'area':<14}  old -> new")
        for change in sorted(rows, key=lambda c: CHANGES.index(c.change)):
            moved = f"{change.old or '-'} -> {change.new or '-'}"
            lines.append(f"{change.change:<10}  {change.id:<{width}}  {change.area:<14}  {moved}")
        lines.append("")
    lines.append(", ".join(f"{n} {name}" for name, n in diff.counts().items()))
    return "\n".join(lines)


def render_diff_markdown(diff: ReportDiff) -> str:
    """Render the diff as Markdown: counts, then a table of every requirement that moved."""
    counts = diff.counts()
    title = "❌ regressions" if diff.regressed else "✅ no regression"
    lines = [
        f"## stripe-conformance diff — {title}",
        "",
        f"Old: {escape(diff.old_label)}  ",
        f"New: {escape(diff.new_label)}",
        "",
        " · ".join(f"{n} {name}" for name, n in counts.items()),
    ]
    moved = [c for c in diff.changes if c.change != "unchanged"]
    if moved:
        lines += ["", "| change | requirement | area | old | new |", "| --- | --- | --- | --- | --- |"]
        for change in sorted(moved, key=lambda c: CHANGES.index(c.change)):
            lines.append(
                f"| {change.change} | `{change.id}` | {change.area} | {change.old or '—'} | {change.new or '—'} |"
            )
    return "\n".join(lines) + "\n"


def render_diff_json(diff: ReportDiff) -> str:
    """Render the diff as JSON: labels, counts, and every requirement with its classification."""
    return json.dumps(
        {
            "old": diff.old_label,
            "new": diff.new_label,
            "regressed": diff.regressed,
            "counts": diff.counts(),
            "requirements": [
                {"id": c.id, "area": c.area, "change": c.change, "old": c.old, "new": c.new} for c in diff.changes
            ],
        },
        indent=2,
    )
