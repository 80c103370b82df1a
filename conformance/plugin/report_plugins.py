"""Wire the reporting front-end into a session: expectations, progress display, Allure labels."""

from __future__ import annotations

import pytest

from conformance.plugin.allure_labels import AllureLabels, allure_active, default_allure_dir
from conformance.plugin.expect import ExpectationHooks
from conformance.plugin.progress import ProgressDisplay
from conformance.plugin.run_settings import run_settings


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Before any plugin configures itself: point allure-pytest at the report directory."""
    default_allure_dir(config)


def register_reporting(config: pytest.Config) -> None:
    """Register this session's reporting helpers (called from the plugin's ``pytest_configure``)."""
    config.pluginmanager.register(ExpectationHooks(config), "stripe-conformance-expectations")
    progress = ProgressDisplay.wanted(config)
    if progress is not None:
        config.pluginmanager.register(progress, "stripe-conformance-progress")
    if allure_active(config):
        attach = run_settings(config).allure_attach
        config.pluginmanager.register(AllureLabels(attach), "stripe-conformance-allure")
