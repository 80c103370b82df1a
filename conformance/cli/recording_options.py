"""``run``'s cassette options: ``--record DIR``, ``--record-mode``, ``--replay DIR``, ``--seed``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from conformance.recording import RECORD_MODES, CassetteSetError, read_cassette_set, replay_target
from conformance.targets import ConfigError, TargetConfig


@dataclass(frozen=True, slots=True)
class Recording:
    """What a run does with cassettes: record into a directory, replay one, or neither."""

    record: Path | None = None
    mode: str | None = None
    replay: Path | None = None
    seed: str | None = None

    def replay_target(self, stripe_version: str | None) -> TargetConfig:
        """The target a replay stands in for, read from the cassette set (``ConfigError`` if unusable)."""
        assert self.replay is not None
        try:
            cassette_set = read_cassette_set(self.replay)
        except CassetteSetError as exc:
            raise ConfigError(f"--replay: {exc}") from None
        if stripe_version and stripe_version != cassette_set.stripe_version:
            raise ConfigError(
                f"--replay: the cassette set was recorded with Stripe-Version {cassette_set.stripe_version}, "
                f"not {stripe_version}"
            )
        return replay_target(cassette_set)

    def pytest_args(self) -> list[str]:
        """The plugin options that carry this to the pytest run."""
        args: list[str] = []
        if self.replay is not None:
            args += ["--stripe-replay", str(self.replay.resolve())]
        if self.record is not None:
            args += ["--stripe-record", str(self.record.resolve())]
        if self.mode:
            args += ["--stripe-record-mode", self.mode]
        if self.seed:
            args += ["--stripe-seed", self.seed]
        return args


_OPTIONS = (
    click.option(
        "--record",
        metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="Record every HTTP interaction into per-test cassettes DIR/<module>/<test>.json, secrets "
        "redacted, with DIR/cassette-set.json (seed, target, versions).",
    ),
    click.option(
        "--record-mode",
        type=click.Choice(RECORD_MODES),
        help="With --record: none, once (default: record tests without a cassette), new_episodes, all, "
        "rewrite (delete the set and record it anew).",
    ),
    click.option(
        "--replay",
        metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="Replay a recorded cassette set offline (network blocked, no target, no preflight).",
    ),
    click.option(
        "--seed",
        metavar="SEED",
        help="Seed of everything the run generates (run id, idempotency keys, fuzzing); default random. "
        "A replay uses its cassette set's seed.",
    ),
)


def recording_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the cassette options to ``command``, which receives them as one ``recording`` argument."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        record, mode, replay = kwargs.pop("record"), kwargs.pop("record_mode"), kwargs.pop("replay")
        seed = kwargs.pop("seed")
        if record is not None and replay is not None:
            raise click.UsageError("--record and --replay exclude each other")
        if mode is not None and record is None:
            raise click.UsageError("--record-mode needs --record DIR")
        if seed is not None and replay is not None:
            raise click.UsageError("--seed cannot change a replay: the cassette set keeps its own seed")
        kwargs["recording"] = Recording(record, mode, replay, seed)
        return command(*args, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper
