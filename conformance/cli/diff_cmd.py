"""``stripe-conformance diff OLD.json NEW.json``: what got fixed or regressed between two runs."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.exit_codes import EXIT_NONCONFORMING, EXIT_OK, EXIT_USAGE
from conformance.reporting import diff_reports, read_report
from conformance.reporting.diff import render_diff_json, render_diff_markdown, render_diff_text


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="List unchanged requirements too (text format).")
def diff_command(old: Path, new: Path, fmt: str, show_all: bool) -> int:
    """Compare two report.json files requirement by requirement.

    Each requirement is regressed, fixed, added, removed, changed or unchanged. Exit code 1 when
    anything regressed, 0 otherwise, 2 when a file is not a report.
    """
    try:
        before, after = read_report(old), read_report(new)
    except ValueError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    diff = diff_reports(before, after)
    if fmt == "json":
        click.echo(render_diff_json(diff))
    elif fmt == "md":
        click.echo(render_diff_markdown(diff), nl=False)
    else:
        click.echo(render_diff_text(diff, show_unchanged=show_all))
    return EXIT_NONCONFORMING if diff.regressed else EXIT_OK
