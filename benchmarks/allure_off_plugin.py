"""A pytest plugin (loaded through ``PYTEST_PLUGINS``) that turns Allure results off for one run.

Benchmark 1 times default runs with and without it, alternating, to show what writing
``allure-results/`` costs; nothing else about the run changes.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Clear the results directory the CLI set, before allure-pytest configures itself."""
    if hasattr(config.option, "allure_report_dir"):
        config.option.allure_report_dir = None
