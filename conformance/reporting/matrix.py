"""The cross-implementation view: one row per requirement, one column per target (think wpt.fyi)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.reporting.html import template_environment
from conformance.reporting.markdown import escape
from conformance.reporting.model import STATUSES
from conformance.reporting.score import percent, score
from conformance.requirements import load_catalogue

_SYMBOLS = {
    "passed": "✅",
    "failed": "❌",
    "error": "💥",
    "xfailed": "⚠️",
    "skipped": "➖",
    "not_assessed": "❔",
    "blocked": "⛔",
    "unsupported": "🚫",
    "not_run": "⏸️",
}


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One requirement and its status on each target (None: not run there)."""

    id: str
    area: str
    level: str
    title: str
    statuses: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    """Requirements × targets, with a score per target."""

    targets: tuple[str, ...]
    urls: tuple[str, ...]
    rows: tuple[MatrixRow, ...]

    def counts(self, column: int) -> dict[str, int]:
        """Count the statuses in one target's column."""
        return {s: sum(1 for r in self.rows if r.statuses[column] == s) for s in STATUSES}

    def scores(self) -> tuple[str, ...]:
        """Return each target's score as a percentage."""
        return tuple(percent(score(self.counts(i))) for i in range(len(self.targets)))


def build_matrix(reports: Sequence[Mapping[str, Any]]) -> Matrix:
    """Build the matrix from ``report.json`` documents, rows in catalogue order."""
    labels = target_labels(reports)
    by_report = [{r["id"]: r for r in report.get("requirements", [])} for report in reports]
    known: dict[str, Mapping[str, Any]] = {}
    for index in by_report:
        for rid, requirement in index.items():
            known.setdefault(rid, requirement)
    order = {r.id: position for position, r in enumerate(load_catalogue())}
    ids = sorted(known, key=lambda rid: (order.get(rid, len(order)), rid))
    rows = tuple(
        MatrixRow(
            rid,
            known[rid]["area"],
            known[rid]["level"],
            known[rid]["title"],
            tuple((index[rid]["status"] if rid in index else None) for index in by_report),
        )
        for rid in ids
    )
    urls = tuple(str(report.get("target", {}).get("url", "?")) for report in reports)
    return Matrix(labels, urls, rows)


def target_labels(reports: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """Name each report's target: its name, then name and URL if names clash, then a number."""
    names = [str(r.get("target", {}).get("name") or r.get("target", {}).get("url") or "target") for r in reports]
    if len(set(names)) < len(names):
        names = [f"{n} ({r.get('target', {}).get('url', '?')})" for n, r in zip(names, reports, strict=True)]
    if len(set(names)) < len(names):
        names = [f"{n} #{i}" for i, n in enumerate(names, start=1)]
    return tuple(names)


def render_matrix_markdown(matrix: Matrix) -> str:
    """Render the matrix as a Markdown table with a score row."""
    header = "| requirement | area | " + " | ".join(escape(t) for t in matrix.targets) + " |"
    lines = [
        "## stripe-conformance matrix",
        "",
        header,
        "| --- | --- | " + " | ".join(":---:" for _ in matrix.targets) + " |",
        "| **score** | | " + " | ".join(f"**{s}**" for s in matrix.scores()) + " |",
    ]
    for row in matrix.rows:
        cells = " | ".join(f"{_SYMBOLS.get(s, '')} {s}" if s else "—" for s in row.statuses)
        lines.append(f"| `{row.id}` | {row.area} | {cells} |")
    return "\n".join(lines) + "\n"


def render_matrix_text(matrix: Matrix) -> str:
    """Render the matrix as an aligned terminal table."""
    width = max([len("requirement"), *(len(r.id) for r in matrix.rows)])
    cols = [max(len(t), 8) for t in matrix.targets]
    lines = [
        f"{'requirement':<{width}}  " + "  ".join(f"{t:<{w}}" for t, w in zip(matrix.targets, cols, strict=True)),
        f"{'score':<{width}}  " + "  ".join(f"{s:<{w}}" for s, w in zip(matrix.scores(), cols, strict=True)),
    ]
    for row in matrix.rows:
        cells = "  ".join(f"{s or '-':<{w}}" for s, w in zip(row.statuses, cols, strict=True))
        lines.append(f"{row.id:<{width}}  {cells}")
    return "\n".join(line.rstrip() for line in lines)


def render_matrix_json(matrix: Matrix) -> str:
    """Render the matrix as JSON."""
    return json.dumps(
        {
            "targets": [
                {"name": t, "url": u, "score": s}
                for t, u, s in zip(matrix.targets, matrix.urls, matrix.scores(), strict=True)
            ],
            "requirements": [
                {"id": r.id, "area": r.area, "level": r.level, "statuses": list(r.statuses)} for r in matrix.rows
            ],
        },
        indent=2,
    )


def render_matrix_html(matrix: Matrix) -> str:
    """Render the matrix as a self-contained HTML page."""
    return template_environment().get_template("matrix.html.j2").render(matrix=matrix, statuses=STATUSES)
