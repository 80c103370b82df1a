"""The ``stripe-conformance`` command line: a thin front-end over the core and the pytest plugin.

Exit codes: 0 conforms (every assessed MUST held; failed SHOULDs are warnings) / success,
1 does not conform (a failed MUST, or under ``--strict`` a failed SHOULD too; or invalid input to validate/diff),
2 usage or configuration error, 3 target unreachable, not Stripe-like, or rejects the key,
4 run incomplete (deadline, merge with shards missing), 130 SIGINT, 143 SIGTERM.
"""

from __future__ import annotations

import contextlib
import sys

import click

from conformance import __version__
from conformance.cli.lazy_group import LazyGroup
from conformance.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_USAGE
from conformance.selection import stopping

__all__ = ["cli", "main"]


# Each command's module is imported only when that command runs (start-up: benchmarks/RESULTS.md).
COMMANDS = (
    ("run", "conformance.cli.run_cmd:run_command"),
    ("serve", "conformance.cli.serve_cmd:serve_command"),
    ("requirements", "conformance.cli.requirements_cmd:requirements_command"),
    ("cleanup", "conformance.cli.cleanup_cmd:cleanup_command"),
    ("expect", "conformance.cli.expect_cmd:expect_command"),
    ("diff", "conformance.cli.diff_cmd:diff_command"),
    ("matrix", "conformance.cli.matrix_cmd:matrix_command"),
    ("report", "conformance.cli.report_cmd:report_group"),
    ("merge", "conformance.cli.merge_cmd:merge_command"),
    ("schemas", "conformance.cli.schemas_cmd:schemas_group"),
    ("validate", "conformance.cli.schemas_cmd:validate_command"),
)


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stripe-conformance")
def cli() -> None:
    """Conformance suite for Stripe-compatible APIs."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; usage errors become one line on stderr and exit code 2, never a traceback.

    Everything it prints, and everything the suite prints inside it, passes through the redaction.
    For ``run``, a SIGINT or SIGTERM that arrives while the command is still loading is held until
    the run can write its reports (it then stops at once, reporting everything as not run).
    """
    from conformance.http.redacted_output import redacted_standard_streams

    with redacted_standard_streams():
        _main(argv)


def _main(argv: list[str] | None) -> None:
    args = sys.argv[1:] if argv is None else argv
    stopping.reset()
    hold = stopping.holding() if args[:1] == ["run"] else contextlib.nullcontext()
    try:
        with stopping.installed(), hold:
            code = cli.main(args=argv, prog_name="stripe-conformance", standalone_mode=False)
    except click.exceptions.Abort:
        signalled = stopping.outcome()
        click.echo(f"stripe-conformance: {signalled or 'aborted'}", err=True)
        sys.exit({"interrupted": EXIT_INTERRUPTED, "terminated": EXIT_TERMINATED}.get(signalled or "", EXIT_USAGE))
    except click.ClickException as exc:
        command = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else "stripe-conformance"
        click.echo(f"stripe-conformance: error: {exc.format_message()} (see '{command} --help')", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
