"""Record modes (pytest-recording's vocabulary) and the plan a run records or replays by."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
"""``none`` replays only; ``once`` records tests without a cassette; ``new_episodes`` replays what
matches and records the rest; ``all`` records everything anew; ``rewrite`` deletes the set first."""

DEFAULT_RECORD_MODE = "once"

_VCR_MODES = {"none": "none", "once": "once", "new_episodes": "new_episodes", "all": "all", "rewrite": "all"}


@dataclass(frozen=True, slots=True)
class RecordingPlan:
    """Where a run's cassettes live, how to treat them, and whether the network is off limits."""

    directory: Path
    mode: str = DEFAULT_RECORD_MODE
    replay: bool = False

    def __post_init__(self) -> None:
        """Refuse a mode outside the vocabulary."""
        if self.mode not in RECORD_MODES:
            raise ValueError(f"record mode {self.mode!r} is not one of {', '.join(RECORD_MODES)}")
        if self.replay and self.mode != "none":
            raise ValueError("a replay never records: its record mode is 'none'")

    @classmethod
    def for_replay(cls, directory: Path) -> RecordingPlan:
        """A replay: record mode ``none`` with the network blocked."""
        return cls(directory, "none", replay=True)

    @property
    def vcr_mode(self) -> str:
        """The vcrpy record mode this plan runs cassettes in."""
        return _VCR_MODES[self.mode]

    @property
    def records(self) -> bool:
        """True when this plan may write cassettes."""
        return self.mode != "none"

    @property
    def rerecord_hint(self) -> str:
        """The command that re-records this plan's cassette set from scratch."""
        return f"stripe-conformance run --record {self.directory} --record-mode rewrite"
