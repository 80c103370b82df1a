"""``stripe-conformance cleanup``: delete the customers earlier runs left on a target."""

from __future__ import annotations

import re
from pathlib import Path

import click

from conformance.cli.run_options import click_option
from conformance.exit_codes import EXIT_NONCONFORMING, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from conformance.http import StripeClient, build_transport
from conformance.http.client import DEFAULT_STRIPE_VERSION
from conformance.http.stack import DEFAULT_TIMEOUT, TransportSettings
from conformance.settings import BY_NAME, CLI
from conformance.targets import ConfigError, PreflightError, TargetConfig, preflight
from conformance.targets.cleanup import SweepError, delete_object, sweep
from conformance.targets.ledger import LedgerEntry, LedgerError, ledger_run_id, read_ledger

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULT_AGE = "1h"


def parse_duration(text: str) -> float:
    """Parse ``90s``, ``30m``, ``1h``, ``2d`` or plain seconds into seconds."""
    found = _DURATION.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a duration such as 30m, 1h or 2d")
    return float(found.group(1)) * _UNIT_SECONDS[found.group(2)]


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("cleanup")
@click.option("--target", metavar="URL", required=True, help="Base URL of the API to sweep.")
@click.option("--api-key", metavar="KEY", envvar=BY_NAME["api_key"].env, help=BY_NAME["api_key"].help_text(CLI))
@click.option(
    "--older-than",
    metavar="AGE",
    callback=_duration,
    help=f"Only objects created at least AGE ago (30m, 1h, 2d; default {DEFAULT_AGE}, or 0 with --run-id), "
    "so that runs still in progress keep their objects.",
)
@click.option("--run-id", metavar="ID", help="Only objects of this run.")
@click.option(
    "--ledger",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A run's ledger (ledger.jsonl in its report directory): delete every object it still lists, "
    "tagged or not, then sweep that run's tag (implies --run-id of that run).",
)
@click.option("--dry-run", is_flag=True, help="List what would be deleted, delete nothing.")
@click_option(BY_NAME["stripe_version"], help=f"Stripe-Version to pin (default: {DEFAULT_STRIPE_VERSION})")
@click_option(BY_NAME["rate_limit"])
def cleanup_command(
    target: str,
    api_key: str | None,
    older_than: float | None,
    run_id: str | None,
    ledger: Path | None,
    dry_run: bool,
    stripe_version: str | None,
    rate_limit: float | None,
) -> int:
    """Delete what earlier runs left: objects tagged with metadata[conformance_run], or listed in a run's ledger.

    Exit 0 when every matched object is gone, 1 when some could not be deleted, 2 on a usage error or an
    unreadable ledger, 3 when the target is unreachable or not Stripe-like.
    """
    listed: list[LedgerEntry] = []
    try:
        if ledger is not None:
            listed = read_ledger(ledger)[0]
            run_id = run_id or ledger_run_id(ledger)
        config = TargetConfig.build(target, api_key, stripe_version=stripe_version)
        settings = TransportSettings(timeout=DEFAULT_TIMEOUT, rate=rate_limit)
        preflight(config, settings=settings)
    except (ConfigError, LedgerError) as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    except PreflightError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_UNREACHABLE
    age = older_than if older_than is not None else (0.0 if run_id else parse_duration(DEFAULT_AGE))
    client = StripeClient(
        config.base_url,
        config.api_key,
        stripe_version=config.stripe_version,
        transport=build_transport(config.base_url, settings),
    )
    verb = "would delete" if dry_run else "deleted"
    failed_listed = 0
    for entry in listed:
        problem = None if dry_run else delete_object(client, entry.path)
        if problem is None:
            click.echo(f"{verb} {entry.id} ({entry.type}, from the ledger)")
        else:
            failed_listed += 1
            click.echo(f"could not delete {entry.id} ({entry.type}, from the ledger): {problem}", err=True)
    try:
        result = sweep(client, run_id=run_id, older_than=age, dry_run=dry_run)
    except SweepError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_UNREACHABLE
    finally:
        client.close()
    for leftover in result.matched:
        if leftover.id in result.deleted or dry_run:
            click.echo(f"{verb} {leftover.id} (run {leftover.run_id})")
    for customer_id, reason in result.failed:
        click.echo(f"could not delete {customer_id}: {reason}", err=True)
    done = len(result.matched) if dry_run else len(result.deleted)
    from_ledger = f"{len(listed)} listed in the ledger ({len(listed) - failed_listed} {verb}), " if ledger else ""
    failed = len(result.failed) + failed_listed
    click.echo(
        f"cleanup: {from_ledger}{result.scanned} customers scanned, {len(result.matched)} tagged leftovers, "
        f"{done} {verb}" + (f", {failed} failed" if failed else "")
    )
    return EXIT_OK if result.complete and not failed_listed else EXIT_NONCONFORMING
