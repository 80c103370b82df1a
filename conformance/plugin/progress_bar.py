"""The terminal form of the progress display: a bar with the time left, drawn by ``rich``.

Scenarios done out of those to run, elapsed time and an estimate of the time left (rich's, from
the pace so far), and under it the requirement counts per area. It is redrawn when a scenario
ends, never from a background thread: a test's captured output must not receive a redraw.
Everything goes through pytest's terminal reporter, so the bar sits where pytest's own lines would.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import pytest
from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Iterable


class _ReporterFile:
    """A text stream writing through pytest's terminal reporter (what rich's console writes to)."""

    def __init__(self, reporter: pytest.TerminalReporter) -> None:
        self._reporter = reporter

    def write(self, text: str) -> int:
        self._reporter.write(text)
        return len(text)

    def flush(self) -> None:
        self._reporter.flush()

    def isatty(self) -> bool:
        return True


class ProgressBar:
    """A rich progress bar with ETA and a line of per-area counts, redrawn on demand."""

    def __init__(self, reporter: pytest.TerminalReporter, width: int) -> None:
        """Draw on ``reporter``'s terminal, ``width`` columns wide."""
        stream: IO[str] = _ReporterFile(reporter)  # type: ignore[assignment]
        self._console = Console(
            file=stream,
            width=width,
            force_terminal=True,
            color_system="standard" if reporter.hasmarkup else None,
            highlight=False,
        )
        self._progress = Progress(
            TextColumn("stripe-conformance"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TextColumn("scenarios"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self._console,
            expand=True,
        )
        self._task = self._progress.add_task("scenarios", total=None)
        self._areas = Text("")
        self._live: Live | None = None

    def update(self, done: int, total: int | None, areas: Iterable[tuple[str, str]]) -> None:
        """Show ``done`` of ``total`` scenarios and each area's ``(name, counts)``, then redraw."""
        self._progress.update(self._task, completed=done, total=total or None)
        # No-break spaces inside a cell: a narrow terminal wraps between areas, never inside one.
        self._areas = Text("  ").join(
            Text.assemble((name, "bold"), "\u00a0", (cells.replace(" ", "\u00a0"), "red" if "failing" in cells else ""))
            for name, cells in areas
        )
        if self._live is None:
            self._live = Live(
                self._renderable(),
                console=self._console,
                auto_refresh=False,  # no thread: redraws happen here only
                redirect_stdout=False,
                redirect_stderr=False,
                transient=False,
            )
            self._live.start()
        self._live.update(self._renderable(), refresh=True)

    def close(self) -> None:
        """Leave the last state on screen and end its lines."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _renderable(self) -> Any:
        return Group(self._progress, self._areas)
