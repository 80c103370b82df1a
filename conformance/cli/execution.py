"""How ``run`` executes: parallel workers, a shard of the run, timeouts, retries, rate limit, deadline."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from conformance.http.ratelimit import DEFAULT_REMOTE_RATE
from conformance.http.stack import DEFAULT_RETRIES, DEFAULT_TIMEOUT, TransportSettings
from conformance.selection import Shard

DEFAULT_DEADLINE = 900.0
"""Seconds after which ``run`` starts no further scenario, unless told otherwise (0: none)."""


@dataclass(frozen=True, slots=True)
class Execution:
    """The execution options of one run, as given on the command line."""

    workers: int = 1
    shard: str | None = None
    request_timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    rate_limit: float | None = None
    deadline: float | None = DEFAULT_DEADLINE

    def transport_settings(self) -> TransportSettings:
        """The transport settings of this run (for the preflight; the plugin builds its own from the args)."""
        return TransportSettings(timeout=self.request_timeout, retries=self.retries, rate=self.rate_limit)

    def pytest_args(self) -> list[str]:
        """The pytest arguments that carry these options to the plugin (and to pytest-xdist)."""
        args = ["--stripe-request-timeout", f"{self.request_timeout:g}", "--stripe-retries", str(self.retries)]
        if self.rate_limit is not None:
            args += ["--stripe-rate-limit", f"{self.rate_limit:g}"]
        if self.deadline:
            args += ["--stripe-deadline", f"{self.deadline:g}"]
        if self.shard:
            args += ["--stripe-shard", self.shard]
        if self.workers > 1:
            # The run disables plugin autoload, so xdist is loaded by name.
            args += ["-p", "xdist.plugin", "-n", str(self.workers)]
        return args


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(Shard.parse(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc).removeprefix("--shard ")) from None


_OPTIONS = (
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Run scenarios in N parallel processes (pytest-xdist); results are the same as a serial run.",
    ),
    click.option(
        "--shard",
        metavar="I/N",
        callback=_shard,
        help="Run only shard I of N: a deterministic split of the scenarios, for fanning out across CI machines.",
    ),
    click.option(
        "--request-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Give up on one request after this long.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(min=0),
        default=DEFAULT_RETRIES,
        show_default=True,
        help="Resend a safe request up to N times after a connection error, 409, 429 or 5xx.",
    ),
    click.option(
        "--rate-limit",
        type=click.FloatRange(min=0),
        default=None,
        metavar="PER_SECOND",
        help=f"Most requests per second (default {DEFAULT_REMOTE_RATE:g} for remote targets, unlimited on "
        "loopback; 0 turns the limiter off).",
    ),
    click.option(
        "--deadline",
        type=click.FloatRange(min=0),
        default=DEFAULT_DEADLINE,
        show_default=True,
        metavar="SECONDS",
        help="Start no scenario once SECONDS have passed since the first one started; the rest are "
        "reported as not run (the run does not conform). 0: no deadline.",
    ),
)


def execution_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the execution options to a click command, handed to it as one ``execution`` argument."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        workers: int,
        shard: str | None,
        request_timeout: float,
        retries: int,
        rate_limit: float | None,
        deadline: float | None,
        **kwargs: Any,
    ) -> Any:
        execution = Execution(workers, shard, request_timeout, retries, rate_limit, deadline)
        return command(*args, execution=execution, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper
