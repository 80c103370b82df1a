"""What a benchmark reports: figures with their goal, and the table they print as."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure: its benchmark, what it is, the median, its range, and its goal."""

    bench: str
    what: str
    value: float | None
    unit: str
    spread: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def shown(self) -> str:
        """The value with its unit, or ``-`` when not measured."""
        if self.value is None:
            return "-"
        digits = f"{self.value:.3g}" if abs(self.value) < 1000 else f"{self.value:,.0f}"
        return f"{digits} {self.unit}".strip()

    @property
    def verdict(self) -> str:
        """``met``, ``NOT met``, or blank when the figure has no goal."""
        return {True: "met", False: "NOT met", None: ""}[self.met]


def skipped(bench: str, what: str, reason: str) -> Figure:
    """A figure that could not be measured, with the reason."""
    return Figure(bench, what, None, "", note=f"skipped: {reason}")


def table(figures: Iterable[Figure]) -> str:
    """A Markdown table of ``figures`` (readable in a terminal and pasteable into RESULTS.md)."""
    header = ("#", "figure", "median", "range", "goal", "", "note")
    rows = [header, tuple("---" for _ in header)]
    rows += [(f.bench, f.what, f.shown, f.spread, f.goal, f.verdict, f.note) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if row[1] != "---" else "-" * width for cell, width in zip(row, widths, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
