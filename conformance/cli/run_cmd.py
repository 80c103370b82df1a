"""``stripe-conformance run``: check a target and write the conformance report."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import click
import pytest

from conformance import __version__
from conformance.cli.heap_freeze import FreezeHeapAtExit, LongLivedHeap
from conformance.cli.run_options import run_options
from conformance.exit_codes import (
    EXIT_NONCONFORMING,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    RUN_EXIT_CODES_HELP,
    exit_code_for,
)
from conformance.expectations import ExpectationsError, load_expectations
from conformance.http.client import DEFAULT_STRIPE_VERSION
from conformance.http.traffic import Traffic, traffic_so_far
from conformance.recording import CassetteSetError, read_cassette_set
from conformance.reference_target import serve_reference
from conformance.reporting import TargetInfo, write_reports
from conformance.reporting.not_run import unstarted_report, utc_timestamp
from conformance.reporting.writable import OutputError, check_writable
from conformance.selection import stopping
from conformance.selection.record import selection_record
from conformance.settings import BY_NAME, GivenRun, RunSettings, SettingsError
from conformance.targets import ConfigError, PreflightError, TargetConfig, preflight
from conformance.targets.profile import load_profile

SUITE_PACKAGE = "conformance.suite"
FUZZ_PACKAGE = "conformance.fuzz"


@click.command("run", epilog=RUN_EXIT_CODES_HELP)
@run_options
@click.option("-k", "keyword", metavar="EXPR", help="Only scenarios matching this pytest -k expression.")
@click.option("-m", "markexpr", metavar="MARKEXPR", help="Only scenarios matching this pytest -m expression.")
@click.option("-v", "--verbose", count=True, help="Show each scenario (repeat for more detail).")
def run_command(settings: RunSettings | SettingsError, keyword: str | None, markexpr: str | None, verbose: int) -> int:
    """Run the conformance suite against a target and write the report."""
    started = utc_timestamp()
    since = traffic_so_far()  # the preflight's requests are the run's too
    with stopping.installed(), stopping.released():
        try:
            stopping.checkpoint()  # a signal held while the command loaded
            return _run_command(settings, keyword, markexpr, verbose, since)
        except KeyboardInterrupt:  # stopped before the suite started (server start-up, preflight, collection)
            with stopping.holding():
                return _stopped_before_the_suite(settings, keyword, markexpr, started, traffic_so_far() - since)


def _stopped_before_the_suite(
    settings: RunSettings | SettingsError, keyword: str | None, markexpr: str | None, started: str, sent: Traffic
) -> int:
    """Write every report of a run stopped before any scenario: all requirements not run."""
    outcome = stopping.outcome() or "interrupted"
    given = settings if isinstance(settings, RunSettings) else RunSettings()
    selection = selection_record(
        shard=given.shard, keyword=keyword, markexpr=markexpr, fuzz_examples=given.fuzz_budget,
        seed=given.seed, replay=str(given.replay) if given.replay is not None else None,
    )
    info = TargetInfo(given.target or "http://127.0.0.1", given.stripe_version or DEFAULT_STRIPE_VERSION,
                      "custom" if given.target else "reference")
    report = unstarted_report(
        info, outcome=outcome, reason=f"not run: the run was {outcome} before any scenario started",
        selection=selection, tool_version=__version__, started=started,
        requests_outside=sent.requests, rate_limited_outside=sent.rate_limited,
    )
    directory = given.report_dir or BY_NAME["report_dir"].cli_default
    assert isinstance(directory, Path)
    write_reports(report, directory)
    click.echo(f"stripe-conformance: {outcome} before any scenario ran; verdict {report.verdict}; "
               f"reports in {directory}", err=True)
    return exit_code_for(report.verdict, report.outcome)


def _run_command(
    settings: RunSettings | SettingsError, keyword: str | None, markexpr: str | None, verbose: int, since: Traffic
) -> int:
    try:
        if isinstance(settings, SettingsError):
            raise settings
        settings.check(lambda name: BY_NAME[name].cli_flag)
        if settings.seed is not None and settings.replay is not None:
            raise SettingsError("--seed cannot change a replay: the cassette set keeps its own seed")
        for path in settings.expect:  # a bad expectations file is a configuration error: before any connection
            load_expectations(path)
        _check_outputs(settings)  # so are outputs that cannot be written
        settings = _absolute(settings)
        if settings.replay is not None:  # no server, no preflight: the cassette set stands in for the target
            _check_replay(settings)
            return _run_suite(settings, None, keyword, markexpr, verbose, since)
        with _target(settings) as target:
            settings = replace(
                settings, target=target.base_url, target_name=target.name, stripe_version=target.stripe_version
            )
            return _run_suite(settings, target, keyword, markexpr, verbose, since)
    except (SettingsError, ExpectationsError, ConfigError, OutputError) as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    except PreflightError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_UNREACHABLE


def _check_outputs(settings: RunSettings) -> None:
    """Raise ``OutputError`` when the report or cassette directory cannot be written."""
    if settings.report_dir:
        check_writable(Path(settings.report_dir))
    if settings.record is not None:
        check_writable(Path(settings.record), "cassette directory")


def _absolute(settings: RunSettings) -> RunSettings:
    """The settings with their paths made absolute (pytest-xdist workers may start elsewhere)."""
    profile = settings.profile
    return replace(
        settings,
        expect=tuple(path.resolve() for path in settings.expect),
        record=settings.record.resolve() if settings.record else None,
        replay=settings.replay.resolve() if settings.replay else None,
        profile=str(Path(profile).resolve()) if profile and Path(profile).is_file() else profile,
    )


def _check_replay(settings: RunSettings) -> None:
    """Refuse a replay the cassette set cannot serve, before pytest starts."""
    assert settings.replay is not None
    if settings.target:
        raise ConfigError("--replay takes the target from the cassette set: drop --target")
    try:
        cassette_set = read_cassette_set(settings.replay)
    except CassetteSetError as exc:
        raise ConfigError(f"--replay: {exc}") from None
    if settings.stripe_version and settings.stripe_version != cassette_set.stripe_version:
        raise ConfigError(
            f"--replay: the cassette set was recorded with Stripe-Version {cassette_set.stripe_version}, "
            f"not {settings.stripe_version}"
        )


@contextlib.contextmanager
def _target(settings: RunSettings) -> Iterator[TargetConfig]:
    """The run's target, validated once (``TargetConfig.build``) and preflighted, or the reference server."""
    profile = load_profile(settings.profile) if settings.profile else None
    url, version = settings.target, settings.stripe_version
    if profile is not None:
        url = url or (None if profile.builtin else profile.url)
        version = version or profile.stripe_version
        if not url and not profile.builtin:
            raise ConfigError(f"profile {profile.name!r} gives no URL: pass --target URL")
    if not url:
        with serve_reference(settings.api_key, version) as target:
            yield target
        return
    name = profile.name if profile is not None else None  # no profile: named by its host
    target = TargetConfig.build(url, settings.api_key, stripe_version=version, name=name)
    preflight(target, settings=settings.transport_settings())
    yield target


def pytest_startup_arguments(packages: tuple[str, ...] = (SUITE_PACKAGE,)) -> list[str]:
    """Return how the CLI starts pytest on ``packages``: isolated from the user's config and plugins."""
    package_dir = Path(__file__).resolve().parent.parent
    return [
        "--pyargs",
        *packages,
        "-c",
        str(package_dir / "suite" / "pytest.ini"),
        # The package, not the suite: node ids then name real files (suite/…, fuzz/…) in every listing.
        "--rootdir",
        str(package_dir),
        "--disable-plugin-autoload",
        "-p",
        "conformance.plugin",
        "-p",
        "allure_pytest.plugin",
        "-p",
        "no:cacheprovider",
        # The scenarios are plain functions: pytest's unittest and legacy-path (tmpdir, testdir) support only
        # cost start-up (the unittest import alone is ~45 ms).
        "-p",
        "no:unittest",
        "-p",
        "no:legacypath",
    ]


def suite_arguments(
    settings: RunSettings,
    keyword: str | None = None,
    markexpr: str | None = None,
    verbose: int = 0,
    base_url: str | None = None,
) -> list[str]:
    """Return pytest's own arguments for the run: what to collect, selection, verbosity, processes.

    ``base_url`` is the target's (None: the built-in loopback server); it decides the default concurrency.

    The run's settings are not among them: ``GivenRun`` carries those to the plugin.
    """
    packages = (SUITE_PACKAGE,) if settings.fuzz_budget == 0 else (SUITE_PACKAGE, FUZZ_PACKAGE)
    args = [
        *pytest_startup_arguments(packages),
        "--tb=no" if verbose < 2 else "--tb=short",
        # Quiet: the plugin's summary counts requirements and scenarios, pytest's last line would count
        # scenarios only, and its short summary repeats the failures the plugin lists per requirement.
        *(["-qq", "-rN"] if verbose == 0 else ["-" + "v" * verbose]),
    ]
    if keyword:
        args += ["-k", keyword]
    if markexpr:
        args += ["-m", markexpr]
    processes = settings.processes(base_url)
    if processes > 1:
        args += ["-p", "xdist.plugin", "-n", str(processes)]  # autoload is off: xdist is loaded by name
    return args


class _SessionProbe:
    """A pytest plugin object that keeps the session's config, to read its report once ``pytest.main`` returns."""

    config: pytest.Config | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        """Keep ``config``."""
        self.config = config


@contextlib.contextmanager
def _private_basetemp(processes: int) -> Iterator[list[str]]:
    """With worker processes (``--workers``, ``--concurrency``), give pytest a temporary directory of its own.

    pytest-xdist asks pytest for a base temporary directory; pytest's default one then makes the
    session's end delete every older ``pytest-N`` directory of the user, which may take seconds
    on a machine where other test runs left large ones (an interrupted run waited for it too).
    """
    if processes <= 1:
        yield []
        return
    with tempfile.TemporaryDirectory(prefix="stripe-conformance-") as directory:
        yield ["--basetemp", str(Path(directory) / "pytest")]


def _run_suite(
    settings: RunSettings,
    target: TargetConfig | None,
    keyword: str | None,
    markexpr: str | None,
    verbose: int,
    since: Traffic,
) -> int:
    probe = _SessionProbe()
    base_url = target.base_url if target is not None else None
    settings = settings.resolved(base_url)
    plugins = [GivenRun(settings, target, since), LongLivedHeap(), FreezeHeapAtExit(), probe]
    with _private_basetemp(settings.processes(base_url)) as basetemp:
        arguments = suite_arguments(settings, keyword, markexpr, verbose, base_url)
        code = pytest.main([*arguments, *basetemp], plugins=plugins)
    from conformance.plugin import run_report  # the plugin is loaded by pytest.main anyway

    report = run_report(probe.config) if probe.config is not None else None
    if report is not None:
        return exit_code_for(report.verdict, report.outcome)
    stopping.checkpoint()  # stopped before the session could write its report: the caller writes one
    if code == pytest.ExitCode.OK:
        return EXIT_OK
    if code == pytest.ExitCode.TESTS_FAILED:
        return EXIT_NONCONFORMING
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and settings.shard:
        click.echo(f"stripe-conformance: shard {settings.shard} holds no scenario of this selection", err=True)
        return EXIT_OK
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        click.echo("stripe-conformance: error: no scenario matches the -k/-m selection", err=True)
        return EXIT_USAGE
    if code == EXIT_UNREACHABLE:
        return EXIT_UNREACHABLE
    return EXIT_USAGE
