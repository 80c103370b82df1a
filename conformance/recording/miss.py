"""A replayed request its cassette cannot answer: the failure, the exception, and the explanation.

Shared by both ways a cassette is replayed (vcrpy's patched sockets and the transport-seam
player), so a miss reads the same whichever answered: the test, the request sent, the closest
recording and how it differs, and the command that re-records the set. No vcrpy import here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from conformance.checks.failures import ConformanceError, Failure
from conformance.recording.signature import RequestKey, closest, differences


@dataclass(frozen=True, kw_only=True)
class ReplayMismatch(Failure):
    """A replayed scenario sent a request its cassette holds no answer for."""

    kind: ClassVar[str] = "replay_mismatch"
    title: ClassVar[str] = "Request not in the cassette"


class CassetteMiss(ConformanceError):
    """Raised instead of sending a request that a write-protected cassette cannot answer."""

    def __init__(self, message: str, failures: Collection[Failure], request: RequestKey) -> None:
        """Carry the full message, one failure per cited requirement, and the request's key."""
        AssertionError.__init__(self, message)
        self.failures = tuple(failures)
        self.request = request


MissHandler = Callable[[CassetteMiss], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class CassetteState:
    """What a miss is explained from: the cassette's recorded keys, what was played, how it loaded."""

    path: Path | str
    keys: Sequence[RequestKey]
    played: Callable[[int], bool]
    loaded: bool
    load_error: str | None
    record_mode: str
    play_count: int
    label: str = ""
    cited: tuple[str, ...] = ()
    rerecord_hint: str = ""


def cassette_miss(key: RequestKey, state: CassetteState, evidence: Mapping[str, Any]) -> CassetteMiss:
    """Return the miss for ``key``; ``evidence`` is the redacted request (method, url, headers, body)."""
    summary, detail = _explain(key, state)
    message = "\n".join(
        [
            f"cassette replay: {state.label or 'a test'} sent a request its cassette has no answer for",
            f"  sent:     {key.describe()}",
            *detail,
            f"  cassette: {state.path} ({len(state.keys)} recorded, {state.play_count} played; "
            f"record mode {state.record_mode})",
            "The suite no longer sends what was recorded: if it changed on purpose, re-record the "
            f"cassette set ({state.rerecord_hint or 'record it again with --record-mode rewrite'}).",
        ]
    )
    failures = [
        ReplayMismatch(requirement_id=rid, message=f"replay: {summary}", request=dict(evidence))
        for rid in state.cited
    ]
    return CassetteMiss(message, failures, key)


def _explain(key: RequestKey, state: CassetteState) -> tuple[str, list[str]]:
    if state.load_error:
        return f"{key.describe()}: {state.load_error}", [f"  recorded: nothing usable, {state.load_error}"]
    keys = state.keys
    if not state.loaded and not keys:
        where = "no cassette was recorded for this test"
        if Path(state.path).exists():
            where = "the cassette file could not be read"
        return f"{where} ({key.describe()})", [f"  recorded: nothing ({where})"]
    same = sum(other == key for other in keys)
    unplayed = [i for i, other in enumerate(keys) if other != key and not state.played(i)]
    best = closest(key, [keys[i] for i in unplayed] if same else keys)
    if best is None:
        if same:
            return (
                f"{key.describe()} was recorded {same} time(s), and every answer was played already",
                [f"  recorded: the same request {same} time(s), all already played"],
            )
        return f"{key.describe()} is not in the cassette, which is empty", ["  recorded: nothing"]
    nearest = keys[unplayed[best]] if same else keys[best]
    changes = differences(key, nearest)
    lines = [f"  closest:  {nearest.describe()}"] + [f"            differs in {change}" for change in changes]
    how = "; ".join(changes[:3]) if changes else "an unknown way"
    if same:
        lines.insert(0, f"  recorded: the same request {same} time(s), all already played")
        return (
            f"{key.describe()} was recorded {same} time(s), all played already; the closest unplayed "
            f"recording differs in {how}",
            lines,
        )
    return f"{key.describe()} is not in the cassette; the closest recorded differs in {how}", lines
