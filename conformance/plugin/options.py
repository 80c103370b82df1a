"""Command-line options of the pytest plugin, in one named group."""

from __future__ import annotations

import os

import pytest

from conformance.http.ratelimit import DEFAULT_REMOTE_RATE
from conformance.http.stack import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from conformance.reporting.attachments import ATTACH_CHOICES
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
        help="Write report.json, report.html, summary.md, junit.xml and allure-results/ for the run into DIR.",
    )
    group.addoption(
        "--stripe-allure-attach",
        choices=ATTACH_CHOICES,
        default=ATTACH_CHOICES[0],
        help="Which scenarios get their request, response and curl line attached in the Allure results: "
        "'failures' (default) those that did not pass (failed, error, xfailed), 'all' every scenario "
        "(the old behaviour: three files per exchange, the larger part of a run's writing), 'none' never.",
    )
    group.addoption(
        "--stripe-expect",
        metavar="FILE",
        action="append",
        default=[],
        help="Expectations file (TOML or YAML) of known deviations: expected failures are reported "
        "xfailed, an unexpected pass fails the run. Repeatable; later files win.",
    )
    group.addoption(
        "--stripe-progress",
        choices=("auto", "tty", "plain", "off"),
        default="auto",
        help="Progress display per area: a redrawn line on a terminal, plain lines otherwise (default auto).",
    )
    group.addoption(
        LIVE_KEY_OVERRIDE_FLAG,
        dest="stripe_allow_live_key",
        action="store_true",
        default=False,
        help="Allow an sk_live_/rk_live_ key. The suite creates and deletes real objects.",
    )
    group.addoption(
        "--stripe-profile",
        metavar="NAME|FILE",
        default=None,
        help="Target profile: a shipped name (reference, localstripe, stripe-stateful-mock, stripe) or a "
        ".toml file; gives the target's name, API version, claimed features and known deviations.",
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
    group.addoption(
        "--stripe-request-timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        help=f"Give up on one request after this long (default {DEFAULT_TIMEOUT:g}).",
    )
    group.addoption(
        "--stripe-retries",
        metavar="N",
        type=int,
        default=DEFAULT_RETRIES,
        help=f"Resend a safe request up to N times after a connection error, 409, 429 or 5xx "
        f"(default {DEFAULT_RETRIES}; 0 turns retries off).",
    )
    group.addoption(
        "--stripe-rate-limit",
        metavar="PER_SECOND",
        type=float,
        default=None,
        help=f"Most requests per second, shared by all workers (default {DEFAULT_REMOTE_RATE:g} for remote "
        "targets, unlimited on loopback; 0 turns the limiter off).",
    )
    group.addoption(
        "--stripe-deadline",
        metavar="SECONDS",
        type=_positive_float,
        default=None,
        help="Start no scenario once this long has passed since the first one started; "
        "the rest are reported as not run.",
    )
    group.addoption(
        "--stripe-fuzz-examples",
        metavar="N",
        type=_non_negative_int,
        default=None,
        help="Fuzzing budget: generated calls per operation and, times three, state-machine scenarios "
        "(default 6; 0 turns fuzzing off). Generated data derives from the run's seed (--stripe-seed).",
    )
    group.addoption(
        "--stripe-shard",
        metavar="I/N",
        default=None,
        help="Run only shard I of N (1-based): a deterministic split of the collected scenarios.",
    )


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"{text} is negative")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(f"{text} is not a positive number")
    return value
