"""A pytest plugin for the cassette-staleness test: counts recorded interactions a replay left unplayed.

Loaded into a ``stripe-conformance run --replay`` child through ``PYTEST_PLUGINS`` with
``STRIPE_TEST_UNPLAYED`` naming a JSON file. It wraps ``ReplayTransport.playing`` and writes, per
cassette file the run opened, how many interactions it holds and how many were played. A request
the cassette lacks already fails the replay; interactions left unplayed mean the suite no longer
sends what was recorded for that seed, which a replay alone does not notice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conformance.recording.player import PlayedCassette, ReplayTransport

OUT_ENV = "STRIPE_TEST_UNPLAYED"
_ORIGINAL = pytest.StashKey[Any]()


def pytest_configure(config: pytest.Config) -> None:
    """Start counting when the output file is named."""
    out = os.environ.get(OUT_ENV)
    if not out:
        return
    original = ReplayTransport.playing
    counts: dict[str, dict[str, int]] = {}

    @contextmanager
    def playing(self: ReplayTransport, path: Path, **kwargs: Any) -> Iterator[PlayedCassette]:
        with original(self, path, **kwargs) as cassette:
            try:
                yield cassette
            finally:
                entry = counts.setdefault(str(path), {"recorded": len(cassette), "played": 0})
                entry["played"] += cassette.play_count

    ReplayTransport.playing = playing  # type: ignore[method-assign]
    config.stash[_ORIGINAL] = (original, counts, Path(out))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Write the counts and restore the transport."""
    entry = config.stash.get(_ORIGINAL, None)
    if entry is None:
        return
    original, counts, out = entry
    ReplayTransport.playing = original  # type: ignore[method-assign]
    out.write_text(json.dumps(counts, indent=1), encoding="utf-8")
