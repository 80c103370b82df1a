"""The run's options, declared once: the table both front-ends (click ``run``, the pytest plugin) are built from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conformance.http.client import DEFAULT_STRIPE_VERSION
from conformance.http.ratelimit import DEFAULT_CONCURRENCY, DEFAULT_REMOTE_RATE
from conformance.http.stack import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from conformance.recording.modes import DEFAULT_RECORD_MODE, RECORD_MODES
from conformance.reporting.attachments import ATTACH_CHOICES, ATTACH_FAILURES

CLI = "cli"
PYTEST = "pytest"
BOTH = frozenset({CLI, PYTEST})

DEFAULT_DEADLINE = 900.0
"""Seconds after which a run starts no further scenario (0: no deadline)."""

DEFAULT_EXAMPLES = 3
"""Fuzzing budget of a run on an unlimited target (loopback): generated calls per operation, and three times
as many state-machine scenarios.

Requests cost about 5 ms there, so the run spends a budget that draws more generated calls and
machine scenarios for faults nobody listed (``benchmarks/RESULTS.md``: a default run sends about
800-950 requests on loopback, depending on the seed).
"""
DEFAULT_LIMITED_EXAMPLES = 1
"""Fuzzing budget of a rate-limited run (a remote target, or ``--rate-limit``), where a request costs a
limiter slot: at the remote default of 24 per second, every 100 requests add about 4 s.

Chosen from the detection/requests curve (``benchmarks/RESULTS.md``, session 8): the whole run fails a
requirement on all 59 of the detection benchmark's faults at budgets 1 and 3, fuzzing alone on 32 at 1
and 33 at 3, and budget 1 sends about 290 fewer requests (3 machine scenarios instead of 9, one
generated call per operation instead of 3; every documented-limit injection and probe still runs).
"""

KINDS = ("str", "path", "paths", "int", "float", "flag", "choice", "headers")


@dataclass(frozen=True, slots=True)
class Option:
    """One run option: its ``RunSettings`` field, type, default, help and where it may be given."""

    name: str
    kind: str
    default: object
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    exclusive_minimum: bool = False
    env: str | None = None
    file_key: str | None = None
    front_ends: frozenset[str] = BOTH
    flag: str | None = None
    """The spelling on both command lines when it is not the derived one (``--NAME`` / ``--stripe-NAME``)."""
    cli_default: object = None
    """Only for ``report_dir``: the command writes reports by default, the plugin only when asked."""
    shown_default: str | None = None
    """How the help states the default when the value itself says little (None: no default)."""
    short: str | None = None
    """A one-letter spelling on the ``stripe-conformance run`` command line (``-H``), beside ``cli_flag``."""

    @property
    def cli_flag(self) -> str:
        """The option on the ``stripe-conformance run`` command line."""
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def pytest_flag(self) -> str:
        """The option on the pytest command line (the plugin's group)."""
        return self.flag or "--stripe-" + self.name.replace("_", "-")

    @property
    def pytest_dest(self) -> str:
        """The attribute of ``config.option`` the pytest option is stored in."""
        return self.name if self.name.startswith("stripe_") else "stripe_" + self.name

    def help_text(self, front_end: str) -> str:
        """The help both front-ends show: the text and the default, stated the same way."""
        default = self.cli_default if front_end == CLI and self.cli_default is not None else self.default
        shown = self.shown_default or _shown(default)
        return f"{self.help} (default: {shown})" if shown else self.help


def _shown(value: object) -> str | None:
    if value is None or value is False or value == ():
        return None
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _env(name: str) -> str:
    return "STRIPE_CONFORMANCE_" + name.upper()


def _option(name: str, kind: str, default: object, help: str, **extra: object) -> Option:
    """An option given everywhere: both command lines, the environment and the config file."""
    extra.setdefault("env", _env(name))
    extra.setdefault("file_key", name.replace("_", "-"))
    return Option(name, kind, default, help, **extra)  # type: ignore[arg-type]


OPTIONS: tuple[Option, ...] = (
    _option(
        "target", "str", None,
        "Base URL of the Stripe-compatible API under test",
        metavar="URL", shown_default="the built-in reference server on loopback",
    ),
    _option(
        "api_key", "str", None,
        "Test-mode secret key for the target; never read from a file",
        metavar="KEY", env="STRIPE_API_KEY", file_key=None, shown_default="$STRIPE_API_KEY",
    ),
    _option(
        "stripe_version", "str", None,
        "Stripe-Version to pin",
        metavar="V", flag="--stripe-version", shown_default=f"the profile's, else {DEFAULT_STRIPE_VERSION}",
    ),
    _option(
        "profile", "str", None,
        "Target profile (reference, localstripe, stripe-stateful-mock, stripe, or a .toml file): the target's "
        "name, API version, claimed features and known deviations",
        metavar="NAME|FILE",
    ),
    _option(
        "target_name", "str", None,
        "Name of the target as reports show it",
        metavar="NAME", front_ends=frozenset({PYTEST}),
        shown_default="the profile's, 'reference', or the target's host and port",
    ),
    _option(
        "report_dir", "path", None,
        "Where the reports go: report.json, report.html, summary.md, junit.xml, allure-results/",
        metavar="DIR", cli_default=Path("conformance-report"),
    ),
    _option(
        "expect", "paths", (),
        "Expectations file of known deviations (TOML or YAML); repeatable, later files win. Expected failures "
        "do not fail the run; an unexpected pass does",
        metavar="FILE",
    ),
    _option(
        "allure_attach", "choice", ATTACH_FAILURES,
        "Which scenarios get each request, response and curl line attached in allure-results/: those that did "
        "not pass (failed, error, xfailed), all of them (three files per request: most of what a default run "
        "writes and about a third of its CPU), or none",
        choices=ATTACH_CHOICES,
    ),
    _option(
        "progress", "choice", "auto",
        "Progress: on a terminal a bar with the time left and the counts per area (tty forces it), plain "
        "lines otherwise",
        choices=("auto", "tty", "plain", "off"), front_ends=frozenset({PYTEST}),
    ),
    Option(
        "no_preflight", "flag", False,
        "Skip the preflight probe of the target",
        front_ends=frozenset({PYTEST}),
    ),
    _option(
        "header", "headers", (),
        "Send this header with every request, NAME:VALUE; repeatable (e.g. Stripe-Account:acct_... for a "
        "connected account). Values of headers whose name says they hold a credential (Stripe-Account, "
        "X-Api-Key, ...) are redacted everywhere, like the key. The key, Stripe-Version and Idempotency-Key "
        "have their own options or are the suite's",
        metavar="NAME:VALUE", short="-H",
    ),
    _option(
        "request_timeout", "float", DEFAULT_TIMEOUT,
        "Give up on one request after this long",
        metavar="SECONDS", minimum=0, exclusive_minimum=True,
    ),
    _option(
        "retries", "int", DEFAULT_RETRIES,
        "Resend a safe request up to N times after a connection error, 409, 429 or 5xx; 0 turns retries off",
        metavar="N", minimum=0,
    ),
    _option(
        "rate_limit", "float", None,
        "Most requests per second, shared by all workers; 0 turns the limiter off",
        metavar="PER_SECOND", minimum=0,
        shown_default=f"{DEFAULT_REMOTE_RATE:g} for remote targets, unlimited on loopback",
    ),
    _option(
        "deadline", "float", DEFAULT_DEADLINE,
        "Start no scenario once SECONDS have passed since the first one started, and cut one still sending "
        "requests then; those and the rest are reported as not run and the run is INCOMPLETE. 0: no deadline",
        metavar="SECONDS", minimum=0,
    ),
    _option(
        "max_failures", "int", None,
        "Stop the run once N requirements have failed (expected failures do not count, nor failed SHOULDs "
        "without --strict); the rest are reported as not run and the run does not conform",
        metavar="N", minimum=1,
    ),
    _option(
        "fuzz_examples", "int", None,
        "Fuzzing budget: generated calls per operation and 3N state-machine scenarios, from the run's seed. "
        "0 runs the hand-written scenarios only; -m 'not fuzz' deselects fuzzing too",
        metavar="N", minimum=0,
        shown_default=f"{DEFAULT_EXAMPLES}, or {DEFAULT_LIMITED_EXAMPLES} when the run is rate-limited (remote "
        "targets, --rate-limit)",
    ),
    _option(
        "strict", "flag", False,
        "Fail the run (exit 1) on a failed SHOULD requirement too; by default SHOULD failures are warnings and "
        "only MUST requirements (and expectations) decide",
    ),
    _option(
        "shard", "str", None,
        "Run only shard I of N (1-based): a deterministic split of the selected scenarios, for fanning out "
        "across CI machines",
        metavar="I/N",
    ),
    _option(
        "workers", "int", 1,
        "Run scenarios in N parallel processes (pytest-xdist); results are the same as a serial run",
        metavar="N", minimum=1, front_ends=frozenset({CLI}),
    ),
    _option(
        "concurrency", "int", None,
        "Keep up to N scenarios in flight at once (N pytest-xdist processes, at least --workers) under ONE "
        "rate limiter they share, so a run against a distant target reaches its rate limit; verdicts and "
        "recordings are the same as a serial run's",
        metavar="N", minimum=1, front_ends=frozenset({CLI}),
        shown_default=f"{DEFAULT_CONCURRENCY} when the run is rate-limited (remote targets, --rate-limit), else 1",
    ),
    _option(
        "record", "path", None,
        "Record every HTTP interaction into per-test cassettes DIR/<module>/<test>.json, secrets redacted, "
        "with DIR/cassette-set.json (seed, target, versions)",
        metavar="DIR",
    ),
    _option(
        "record_mode", "choice", None,
        "With record: none (replay only), once (record tests without a cassette), new_episodes, all, rewrite "
        "(delete the set and record it anew)",
        choices=RECORD_MODES, shown_default=DEFAULT_RECORD_MODE,
    ),
    _option(
        "replay", "path", None,
        "Replay a recorded cassette set offline: network blocked, no target, no preflight",
        metavar="DIR",
    ),
    _option(
        "seed", "str", None,
        "Seed of everything the run generates (run id, fuzzing; idempotency keys add a per-run nonce); a "
        "replay uses its cassette set's seed",
        metavar="SEED", shown_default="random",
    ),
)

BY_NAME = {option.name: option for option in OPTIONS}
