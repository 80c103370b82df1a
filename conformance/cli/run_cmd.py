"""``stripe-conformance run``: check a target and write the conformance report."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from conformance.cli.execution import Execution, execution_options
from conformance.cli.exit_codes import EXIT_NONCONFORMING, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from conformance.cli.recording_options import Recording, recording_options
from conformance.expectations import ExpectationsError, load_expectations
from conformance.fuzz.budget import DEFAULT_EXAMPLES
from conformance.http.stack import TransportSettings
from conformance.reporting.attachments import ATTACH_CHOICES, ATTACH_FAILURES
from conformance.targets import (
    LIVE_KEY_OVERRIDE_FLAG,
    ConfigError,
    PreflightError,
    TargetConfig,
    generated_test_key,
    preflight,
)
from conformance.targets.profile import TargetProfile, load_profile

SUITE_PACKAGE = "conformance.suite"
FUZZ_PACKAGE = "conformance.fuzz"


@click.command("run")
@click.option("--target", metavar="URL", help="Base URL of the API under test (default: built-in reference server).")
@click.option("--api-key", metavar="KEY", envvar="STRIPE_API_KEY", help="Test-mode key (default: $STRIPE_API_KEY).")
@click.option("--stripe-version", metavar="V", help="Stripe-Version to pin (default 2023-08-16).")
@click.option(
    "--profile",
    metavar="NAME|FILE",
    help="Target profile (reference, localstripe, stripe-stateful-mock, stripe, or a .toml file): the "
    "target's name, API version, claimed features and known deviations.",
)
@click.option(
    "--report-dir",
    metavar="DIR",
    default="conformance-report",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the reports go: report.json, report.html, summary.md, junit.xml, allure-results/.",
)
@click.option(
    "--expect",
    "expect",
    metavar="FILE",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Expectations file of known deviations (TOML or YAML); repeatable. Expected failures do not "
    "fail the run; an unexpected pass does.",
)
@click.option(
    "--allure-attach",
    type=click.Choice(ATTACH_CHOICES),
    default=ATTACH_FAILURES,
    show_default=True,
    help="Which scenarios get each request, response and curl line attached in allure-results/: those that "
    "did not pass (failed, error, xfailed), all of them (three files per request: on a default run most of "
    "what it writes and about a third of its CPU), or none.",
)
@click.option("-k", "keyword", metavar="EXPR", help="Only scenarios matching this pytest -k expression.")
@click.option("-m", "markexpr", metavar="MARKEXPR", help="Only scenarios matching this pytest -m expression.")
@click.option("-v", "--verbose", count=True, help="Show each scenario (repeat for more detail).")
@click.option(LIVE_KEY_OVERRIDE_FLAG, "allow_live_key", is_flag=True, help="Allow an sk_live_/rk_live_ key.")
@click.option(
    "--fuzz-examples",
    type=click.IntRange(min=0),
    default=DEFAULT_EXAMPLES,
    show_default=True,
    metavar="N",
    help="Fuzzing budget: generated calls per operation and 3N state-machine scenarios, from the run's "
    "seed (--seed). 0 runs the hand-written scenarios only; -m 'not fuzz' deselects fuzzing too.",
)
@execution_options
@recording_options
def run_command(
    target: str | None,
    api_key: str | None,
    stripe_version: str | None,
    profile: str | None,
    report_dir: Path,
    expect: tuple[Path, ...],
    allure_attach: str,
    keyword: str | None,
    markexpr: str | None,
    verbose: int,
    allow_live_key: bool,
    fuzz_examples: int,
    execution: Execution,
    recording: Recording,
) -> int:
    """Run the conformance suite against a target and write the report."""
    try:
        for path in expect:  # a bad expectations file is a configuration error: before any connection
            load_expectations(path)
    except ExpectationsError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    try:
        if recording.replay is not None:  # no server, no preflight: the cassette set stands in for the target
            if target:
                raise ConfigError("--replay takes the target from the cassette set: drop --target")
            return _run_suite(
                recording.replay_target(stripe_version), report_dir, keyword, markexpr, verbose, profile,
                execution=execution, expect=expect, extra=recording.pytest_args(), fuzz_examples=fuzz_examples,
                allure_attach=allure_attach,
            )
        chosen = load_profile(profile) if profile else None
        settings = execution.transport_settings()
        with _target(target, api_key, stripe_version, allow_live_key, chosen, settings=settings) as config:
            return _run_suite(
                config, report_dir, keyword, markexpr, verbose, profile, execution=execution, expect=expect,
                extra=recording.pytest_args(), fuzz_examples=fuzz_examples, allure_attach=allure_attach,
            )
    except ConfigError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    except PreflightError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_UNREACHABLE


@contextlib.contextmanager
def _target(
    url: str | None,
    api_key: str | None,
    stripe_version: str | None,
    allow_live_key: bool,
    profile: TargetProfile | None = None,
    *,
    settings: TransportSettings | None = None,
) -> Iterator[TargetConfig]:
    if profile is not None:
        url = url or (None if profile.builtin else profile.url)
        stripe_version = stripe_version or profile.stripe_version
        if not url and not profile.builtin:
            raise ConfigError(f"profile {profile.name!r} gives no URL: pass --target URL")
    if url:
        name = profile.name if profile is not None else "custom"
        config = TargetConfig.build(
            url, api_key, stripe_version=stripe_version, allow_live_key=allow_live_key, name=name
        )
        preflight(config, settings=settings)
        yield config
        return
    from conformance.reference import ReferenceServer  # only a run on the built-in server needs it (not a replay)

    key = api_key or generated_test_key()
    TargetConfig.build("http://127.0.0.1", key, stripe_version=stripe_version, allow_live_key=allow_live_key)
    with ReferenceServer() as server:
        yield TargetConfig.build(
            server.url, key, stripe_version=stripe_version, allow_live_key=allow_live_key, name="reference"
        )


def pytest_startup_arguments(packages: tuple[str, ...] = (SUITE_PACKAGE,)) -> list[str]:
    """Return how the CLI starts pytest on ``packages``: isolated from the user's config and plugins."""
    suite_dir = Path(__file__).resolve().parent.parent / "suite"
    return [
        "--pyargs",
        *packages,
        "-c",
        str(suite_dir / "pytest.ini"),
        "--rootdir",
        str(suite_dir),
        "--disable-plugin-autoload",
        "-p",
        "conformance.plugin",
        "-p",
        "allure_pytest.plugin",
        "-p",
        "no:cacheprovider",
    ]


def suite_arguments(
    config: TargetConfig,
    report_dir: Path,
    keyword: str | None = None,
    markexpr: str | None = None,
    verbose: int = 0,
    profile: str | None = None,
    execution: Execution | None = None,
    expect: tuple[Path, ...] = (),
    fuzz_examples: int | None = None,
    allure_attach: str | None = None,
) -> list[str]:
    """Return the pytest arguments that run the suite against ``config`` (key passed separately).

    The hand-written scenarios and the fuzzing both run, unless ``fuzz_examples`` is 0
    (``None``: the plugin's default budget). ``allure_attach`` is the Allure attachment policy
    (``None``: the plugin's default, attachments for scenarios that did not pass).
    """
    packages = (SUITE_PACKAGE,) if fuzz_examples == 0 else (SUITE_PACKAGE, FUZZ_PACKAGE)
    args = [
        *pytest_startup_arguments(packages),
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
    for path in expect:
        args += ["--stripe-expect", str(path.resolve())]
    if config.allow_live_key:
        args.append(LIVE_KEY_OVERRIDE_FLAG)
    if profile:
        args += ["--stripe-profile", str(Path(profile).resolve()) if Path(profile).is_file() else profile]
    if keyword:
        args += ["-k", keyword]
    if markexpr:
        args += ["-m", markexpr]
    if execution is not None:
        args += execution.pytest_args()
    if fuzz_examples:
        args += ["--stripe-fuzz-examples", str(fuzz_examples)]
    if allure_attach:
        args += ["--stripe-allure-attach", allure_attach]
    return args


def _run_suite(
    config: TargetConfig,
    report_dir: Path,
    keyword: str | None,
    markexpr: str | None,
    verbose: int,
    profile: str | None = None,
    *,
    execution: Execution | None = None,
    expect: tuple[Path, ...] = (),
    extra: list[str] | None = None,
    fuzz_examples: int | None = None,
    allure_attach: str | None = None,
) -> int:
    execution = execution or Execution()
    args = suite_arguments(
        config, report_dir, keyword, markexpr, verbose, profile, execution=execution, expect=expect,
        fuzz_examples=fuzz_examples, allure_attach=allure_attach,
    ) + (extra or [])
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
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and execution.shard:
        click.echo(f"stripe-conformance: shard {execution.shard} holds no scenario of this selection", err=True)
        return EXIT_OK
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        click.echo("stripe-conformance: error: no scenario matches the -k/-m selection", err=True)
        return EXIT_USAGE
    if code == EXIT_UNREACHABLE:
        return EXIT_UNREACHABLE
    return EXIT_USAGE
