"""The ``stripe-conformance`` command line: a thin front-end over the core and the pytest plugin.

Exit codes: 0 conforms / success, 1 does not conform (or invalid input to validate/diff),
2 usage or configuration error, 3 target unreachable, not Stripe-like, or rejects the key.
"""

from __future__ import annotations

import sys

import click

from conformance import __version__
from conformance.cli.cleanup_cmd import cleanup_command
from conformance.cli.diff_cmd import diff_command
from conformance.cli.exit_codes import EXIT_USAGE
from conformance.cli.expect_cmd import expect_command
from conformance.cli.matrix_cmd import matrix_command
from conformance.cli.requirements_cmd import requirements_command
from conformance.cli.run_cmd import run_command
from conformance.cli.serve_cmd import serve_command

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stripe-conformance")
def cli() -> None:
    """Conformance suite for Stripe-compatible APIs."""


cli.add_command(run_command)
cli.add_command(serve_command)
cli.add_command(requirements_command)
cli.add_command(cleanup_command)
cli.add_command(expect_command)
cli.add_command(diff_command)
cli.add_command(matrix_command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; usage errors become one line on stderr and exit code 2, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="stripe-conformance", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("stripe-conformance: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        command = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else "stripe-conformance"
        click.echo(f"stripe-conformance: error: {exc.format_message()} (see '{command} --help')", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
