"""``stripe-conformance report render REPORT``: every file report of a run from its ``report.json``."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.exit_codes import EXIT_OK, EXIT_USAGE
from conformance.reporting import read_report, write_reports
from conformance.reporting.json_report import report_from_dict


@click.group("report")
def report_group() -> None:
    """Work on a run's report.json."""


@report_group.command("render")
@click.argument("source", metavar="REPORT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--report-dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write report.json, report.html, summary.md and junit.xml (default: REPORT's directory).",
)
def render_command(source: Path, report_dir: Path | None) -> int:
    """Write report.html, summary.md and junit.xml (and report.json) again from one report.json.

    The files are those the run itself wrote, byte for byte: use it after `merge`, after editing a
    report, or to get an old run's reports from a newer version. Exit 0, or 2 when REPORT is not
    a readable stripe-conformance report.
    """
    try:
        document = read_report(source)  # its errors name the file
        report = report_from_dict(document)
    except ValueError as exc:
        message = str(exc) if str(exc).startswith(str(source)) else f"{source}: {exc}"
        click.echo(f"stripe-conformance: error: {message}", err=True)
        return EXIT_USAGE
    directory = report_dir if report_dir is not None else source.parent
    try:
        written = write_reports(report, directory)
    except OSError as exc:
        click.echo(f"stripe-conformance: error: cannot write to {directory}: {exc.strerror or exc}", err=True)
        return EXIT_USAGE
    click.echo(f"wrote {', '.join(str(path) for path in written)}")
    return EXIT_OK
