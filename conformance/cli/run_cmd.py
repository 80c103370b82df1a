"""``stripe-conformance run``: check a target and write the conformance report."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from conformance.cli.exit_codes import EXIT_NONCONFORMING, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from conformance.reference import ReferenceServer
from conformance.targets import (
    LIVE_KEY_OVERRIDE_FLAG,
    ConfigError,
    PreflightError,
    TargetConfig,
    generated_test_key,
    preflight,
)

SUITE_PACKAGE = "conformance.suite"


@click.command("run")
@click.option("--target", metavar="URL", help="Base URL of the API under test (default: built-in reference server).")
@click.option("--api-key", metavar="KEY", envvar="STRIPE_API_KEY", help="Test-mode key (default: $STRIPE_API_KEY).")
@click.option("--stripe-version", metavar="V", help="Stripe-Version to pin (default 2023-08-16).")
@click.option(
    "--report-dir",
    metavar="DIR",
    default="conformance-report",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where report.json and junit.xml go.",
)
@click.option("-k", "keyword", metavar="EXPR", help="Only scenarios matching this pytest -k expression.")
@click.option("-m", "markexpr", metavar="MARKEXPR", help="Only scenarios matching this pytest -m expression.")
@click.option("-v", "--verbose", count=True, help="Show each scenario (repeat for more detail).")
@click.option(LIVE_KEY_OVERRIDE_FLAG, "allow_live_key", is_flag=True, help="Allow an sk_live_/rk_live_ key.")
def run_command(
    target: str | None,
    api_key: str | None,
    stripe_version: str | None,
    report_dir: Path,
    keyword: str | None,
    markexpr: str | None,
    verbose: int,
    allow_live_key: bool,
) -> int:
    """Run the conformance suite against a target and write the report."""
    try:
        with _target(target, api_key, stripe_version, allow_live_key) as config:
            return _run_suite(config, report_dir, keyword, markexpr, verbose)
    except ConfigError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    except PreflightError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_UNREACHABLE


@contextlib.contextmanager
def _target(
    url: str | None, api_key: str | None, stripe_version: str | None, allow_live_key: bool
) -> Iterator[TargetConfig]:
    if url:
        config = TargetConfig.build(
            url, api_key, stripe_version=stripe_version, allow_live_key=allow_live_key
        )
        preflight(config)
        yield config
        return
    key = api_key or generated_test_key()
    TargetConfig.build("http://127.0.0.1", key, stripe_version=stripe_version, allow_live_key=allow_live_key)
    with ReferenceServer() as server:
        yield TargetConfig.build(
            server.url, key, stripe_version=stripe_version, allow_live_key=allow_live_key, name="reference"
        )


def suite_arguments(
    config: TargetConfig,
    report_dir: Path,
    keyword: str | None = None,
    markexpr: str | None = None,
    verbose: int = 0,
) -> list[str]:
    """Return the pytest arguments that run the suite against ``config`` (key passed separately)."""
    suite_dir = Path(__file__).resolve().parent.parent / "suite"
    args = [
        "--pyargs",
        SUITE_PACKAGE,
        "-c",
        str(suite_dir / "pytest.ini"),
        "--rootdir",
        str(suite_dir),
        "--disable-plugin-autoload",
        "-p",
        "conformance.plugin",
        "-p",
        "no:cacheprovider",
        "--stripe-target",
        config.base_url,
        "--stripe-target-name",
        config.name,
        "--stripe-version",
        config.stripe_version,
        "--stripe-report-dir",
        str(report_dir),
        "--stripe-no-preflight",
        "--tb=no" if verbose < 2 else "--tb=short",
        "-q" if verbose == 0 else "-" + "v" * verbose,
    ]
    if config.allow_live_key:
        args.append(LIVE_KEY_OVERRIDE_FLAG)
    if keyword:
        args += ["-k", keyword]
    if markexpr:
        args += ["-m", markexpr]
    return args


def _run_suite(
    config: TargetConfig, report_dir: Path, keyword: str | None, markexpr: str | None, verbose: int
) -> int:
    args = suite_arguments(config, report_dir, keyword, markexpr, verbose)
    # The key travels through the environment, never through argv (visible in `ps`).
    previous = os.environ.get("STRIPE_API_KEY")
    os.environ["STRIPE_API_KEY"] = config.api_key
    try:
        code = pytest.main(args)
    finally:
        if previous is None:
            os.environ.pop("STRIPE_API_KEY", None)
        else:
            os.environ["STRIPE_API_KEY"] = previous
    if code == pytest.ExitCode.OK:
        return EXIT_OK
    if code == pytest.ExitCode.TESTS_FAILED:
        return EXIT_NONCONFORMING
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        click.echo("stripe-conformance: error: no scenario matches the -k/-m selection", err=True)
        return EXIT_USAGE
    if code == EXIT_UNREACHABLE:
        return EXIT_UNREACHABLE
    return EXIT_USAGE
