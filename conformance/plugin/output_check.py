"""Refuse, before any other plugin configures itself, a report or cassette directory that cannot be written."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.exit_codes import EXIT_USAGE
from conformance.plugin.run_settings import run_settings
from conformance.reporting.writable import OutputError, check_writable
from conformance.settings import SettingsError

_DIRECTORIES = (
    ("stripe_report_dir", "report directory"),
    ("allure_report_dir", "Allure results directory"),
    ("stripe_record", "cassette directory"),
)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Exit with one line (code 2) when an output directory cannot be written; xdist workers trust the controller."""
    if hasattr(config, "workerinput"):
        return
    try:
        settings = run_settings(config)
    except SettingsError:  # reported by the plugin's own configure, with exit code 2
        return
    given = {"stripe_report_dir": settings.report_dir, "stripe_record": settings.record,
             "allure_report_dir": getattr(config.option, "allure_report_dir", None)}
    for option, what in _DIRECTORIES:
        directory = given[option]
        if not directory:
            continue
        try:
            check_writable(Path(directory), what)
        except OutputError as exc:
            pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_USAGE)
