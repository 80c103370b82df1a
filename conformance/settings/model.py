"""``RunSettings``: everything one run was asked to do, frozen, whatever front-end asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from conformance.http.headers import HeaderError, parse_headers
from conformance.http.ratelimit import DEFAULT_CONCURRENCY
from conformance.http.stack import DEFAULT_RETRIES, DEFAULT_TIMEOUT, TransportSettings
from conformance.reporting.attachments import ATTACH_FAILURES
from conformance.settings.options import DEFAULT_DEADLINE, DEFAULT_EXAMPLES, DEFAULT_LIMITED_EXAMPLES

LOOPBACK = "http://127.0.0.1"
"""Where the built-in reference server listens (a run without ``target``)."""


class SettingsError(ValueError):
    """An option, environment variable or config-file entry is unusable (exit code 2); one line."""


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The settings of one run; fields are the names of ``conformance.settings.options.OPTIONS``."""

    target: str | None = None
    api_key: str | None = field(default=None, repr=False)
    stripe_version: str | None = None
    profile: str | None = None
    target_name: str | None = None
    report_dir: Path | None = None
    expect: tuple[Path, ...] = ()
    allure_attach: str = ATTACH_FAILURES
    progress: str = "auto"
    no_preflight: bool = False
    header: tuple[str, ...] = ()
    """Extra headers as ``"Name: value"`` (``-H/--header``); ``transport_settings`` sends them."""
    request_timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    rate_limit: float | None = None
    deadline: float = DEFAULT_DEADLINE
    max_failures: int | None = None
    fuzz_examples: int | None = None
    """The fuzz budget as given; None: the default for the target (``fuzz_budget``, ``resolved``)."""
    strict: bool = False
    shard: str | None = None
    workers: int = 1
    concurrency: int | None = None
    record: Path | None = None
    record_mode: str | None = None
    replay: Path | None = None
    seed: str | None = None

    def check(self, spell: Callable[[str], str]) -> None:
        """Raise ``SettingsError`` for options that exclude each other; ``spell`` names an option as given."""
        if self.record is not None and self.replay is not None:
            raise SettingsError(f"{spell('record')} and {spell('replay')} exclude each other")
        if self.record_mode is not None and self.record is None:
            raise SettingsError(f"{spell('record_mode')} needs {spell('record')} DIR")
        try:
            parse_headers(self.header)  # each -H was checked alone; a name given twice only shows here
        except HeaderError as exc:
            raise SettingsError(f"{spell('header')}: {exc}") from None

    def processes(self, base_url: str | None) -> int:
        """How many processes run the scenarios: ``workers``, or more to keep ``concurrency`` of them in flight.

        Without ``concurrency`` a rate-limited run (``base_url`` remote, or ``rate_limit`` given; not a
        replay) keeps ``DEFAULT_CONCURRENCY`` in flight; ``base_url`` None is the built-in loopback server.
        """
        in_flight = self.concurrency
        if in_flight is None:
            in_flight = DEFAULT_CONCURRENCY if self.rate_limited(base_url) else 1
        return max(self.workers, in_flight)

    def rate_limited(self, base_url: str | None) -> bool:
        """Tell whether a run against ``base_url`` (None: the built-in server) goes through a rate limiter.

        A remote target is limited unless ``rate_limit`` is 0; a loopback one only when ``rate_limit`` is
        given; a replay never (nothing is sent).
        """
        return self.replay is None and bool(self.transport_settings().effective_rate(base_url or LOOPBACK))

    @property
    def fuzz_budget(self) -> int:
        """The fuzz budget of this run: as given (or ``resolved``), else the default against ``target``."""
        return self.fuzz_examples if self.fuzz_examples is not None else self.default_examples(self.target)

    def default_examples(self, base_url: str | None) -> int:
        """The fuzz budget when none is given: ``DEFAULT_LIMITED_EXAMPLES`` where a run is rate-limited.

        There each request costs a limiter slot, so the default buys fewer of them; on an unlimited
        target (loopback, a replay), ``DEFAULT_EXAMPLES``.
        """
        return DEFAULT_LIMITED_EXAMPLES if self.rate_limited(base_url) else DEFAULT_EXAMPLES

    def resolved(self, base_url: str | None) -> RunSettings:
        """These settings with the fuzz budget settled for a run against ``base_url`` (for workers, recordings)."""
        if self.fuzz_examples is not None:
            return self
        return replace(self, fuzz_examples=self.default_examples(base_url))

    def transport_settings(self, deadline: float | None = None) -> TransportSettings:
        """The transport settings of this run; ``deadline`` is a ``time.monotonic()`` instant, if started."""
        return TransportSettings(
            timeout=self.request_timeout,
            retries=self.retries,
            rate=self.rate_limit,
            deadline=deadline,
            headers=parse_headers(self.header),
        )

    def to_wire(self) -> dict[str, object]:
        """A plain dict (for pytest-xdist workers, over its channel: never argv or the environment)."""
        wire: dict[str, object] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = [str(v) for v in value]
            wire[item.name] = value
        return wire

    @classmethod
    def from_wire(cls, wire: dict[str, object]) -> RunSettings:
        """The settings ``to_wire`` sent."""
        values = dict(wire)
        for name in ("report_dir", "record", "replay"):
            if values.get(name) is not None:
                values[name] = Path(str(values[name]))
        headers = values.get("header") or ()
        values["header"] = tuple(str(h) for h in headers) if isinstance(headers, list | tuple) else ()
        expect = values.get("expect") or ()
        values["expect"] = tuple(Path(str(p)) for p in expect) if isinstance(expect, list | tuple) else ()
        return cls(**values)  # type: ignore[arg-type]
