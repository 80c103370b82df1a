"""Command-line options of the pytest plugin, in one named group."""

from __future__ import annotations

import os

import pytest

from conformance.targets import LIVE_KEY_OVERRIDE_FLAG


def add_options(parser: pytest.Parser) -> None:
    """Register the plugin's options; none of them changes anything unless given."""
    group = parser.getgroup("stripe-conformance", "Stripe conformance suite")
    group.addoption(
        "--stripe-target",
        metavar="URL",
        help="Base URL of the Stripe-compatible API under test "
        "(default: start the built-in reference server on loopback).",
    )
    group.addoption(
        "--stripe-api-key",
        metavar="KEY",
        default=os.environ.get("STRIPE_API_KEY"),
        help="Test-mode secret key for the target (default: $STRIPE_API_KEY).",
    )
    group.addoption("--stripe-version", metavar="V", help="Stripe-Version to pin (default 2023-08-16).")
    group.addoption(
        "--stripe-report-dir",
        metavar="DIR",
        help="Write report.json and junit.xml for the run into DIR.",
    )
    group.addoption(
        LIVE_KEY_OVERRIDE_FLAG,
        dest="stripe_allow_live_key",
        action="store_true",
        default=False,
        help="Allow an sk_live_/rk_live_ key. The suite creates and deletes real objects.",
    )
    group.addoption(
        "--stripe-target-name",
        metavar="NAME",
        default=None,
        help="Name of the target as reports show it (default: 'reference' or 'custom').",
    )
    group.addoption(
        "--stripe-no-preflight",
        action="store_true",
        default=False,
        help="Skip the preflight probe (the CLI has already made it).",
    )
