"""``stripe-conformance merge``: combine the shard reports of one run into the whole run's reports."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.cli.run_options import click_option
from conformance.exit_codes import EXIT_USAGE, exit_code_for
from conformance.reporting import console_summary, read_report, write_reports
from conformance.reporting.merge import MergeError, merge_reports
from conformance.settings import BY_NAME


@click.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click_option(
    BY_NAME["report_dir"],
    help="Where the merged reports go: report.json, report.html, summary.md, junit.xml (the shards' "
    f"allure-results/ need no merging: copy them into one directory) (default: {BY_NAME['report_dir'].cli_default})",
)
def merge_command(reports: tuple[Path, ...], report_dir: Path | None) -> int:
    """Merge the report.json of each shard (--shard I/N) of one run into the report of the whole run.

    The shards must share target, Stripe-Version, seed, -k, -m and fuzz budget. A missing shard
    leaves its requirements not run and the verdict INCOMPLETE (exit 4). Exit codes as for run.
    """
    directory = report_dir or BY_NAME["report_dir"].cli_default
    assert isinstance(directory, Path)
    try:
        documents = [(path, read_report(path)) for path in reports]
        merged = merge_reports(documents)
    except (ValueError, MergeError) as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    write_reports(merged, directory)
    click.echo(console_summary(merged))
    click.echo(f"merged {len(reports)} shard report(s) into {directory}")
    return exit_code_for(merged.verdict, merged.outcome)
