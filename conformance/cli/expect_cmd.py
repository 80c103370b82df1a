"""``stripe-conformance expect --from report.json``: the expectations that make that run pass."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.exit_codes import EXIT_OK, EXIT_USAGE
from conformance.expectations import expectations_toml
from conformance.reporting import read_report


@click.command("expect")
@click.option(
    "--from",
    "source",
    metavar="REPORT",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A report.json whose failures become expected failures.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output.",
)
def expect_command(source: Path, output: Path | None) -> int:
    """Write an expectations file (TOML) that accepts every failure of a run.

    Use it to adopt the gate on an implementation that does not conform yet: commit the file, pass it
    to `run --expect FILE`, then fix deviations one by one (an unexpected pass fails the run until
    its entry is removed).
    """
    try:
        report = read_report(source)
    except ValueError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    text = expectations_toml(report, source=source.name)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    return EXIT_OK
