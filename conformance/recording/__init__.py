"""Recording and replay: per-test vcrpy cassettes, redacted, indexed, derived from one seed.

Core layer: imports only other core packages (http, checks, targets), never a front-end.
The vcrpy-backed cassette names are imported on first use, so a run without cassettes never
imports vcrpy (and requests, wrapt, unittest.mock): that is most of a plain run's start-up. A
replay does not import it either: ``player.ReplayTransport`` answers at the transport seam.
"""

from typing import TYPE_CHECKING, Any

from conformance.recording.manifest import (
    MANIFEST_NAME,
    CassetteSet,
    CassetteSetError,
    read_cassette_set,
    utc_timestamp,
    write_cassette_set,
)
from conformance.recording.miss import CassetteMiss, ReplayMismatch
from conformance.recording.modes import DEFAULT_RECORD_MODE, RECORD_MODES, RecordingPlan
from conformance.recording.naming import cassette_path
from conformance.recording.network import NetworkBlockedError, network_blocked
from conformance.recording.seeds import derive, int_seed_for, new_seed, random_for, run_id_for
from conformance.recording.session import REPLAY_API_KEY, open_cassette_set, replay_target

if TYPE_CHECKING:
    from conformance.recording.cassette import IndexedCassette, use_cassette

_CASSETTE_NAMES = frozenset({"IndexedCassette", "use_cassette"})

__all__ = [
    "DEFAULT_RECORD_MODE",
    "MANIFEST_NAME",
    "RECORD_MODES",
    "REPLAY_API_KEY",
    "CassetteMiss",
    "CassetteSet",
    "CassetteSetError",
    "IndexedCassette",
    "NetworkBlockedError",
    "RecordingPlan",
    "ReplayMismatch",
    "cassette_path",
    "derive",
    "int_seed_for",
    "network_blocked",
    "new_seed",
    "open_cassette_set",
    "random_for",
    "read_cassette_set",
    "replay_target",
    "run_id_for",
    "use_cassette",
    "utc_timestamp",
    "write_cassette_set",
]


def __getattr__(name: str) -> Any:
    """Import the cassette machinery (vcrpy) when one of its names is first asked for."""
    if name in _CASSETTE_NAMES:
        from conformance.recording import cassette

        return getattr(cassette, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
