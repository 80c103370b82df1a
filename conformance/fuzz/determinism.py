"""Keeping generated data independent of how the suite is installed.

Hypothesis draws a small share of values from string and number literals it finds in the
"local" modules imported at the time (modules outside site-packages). Installed from a wheel the
suite's own modules are not local, installed editable (a checkout) they are: the same seed would
generate different calls, and a cassette set recorded in a checkout would not replay from a
wheel. While fuzzing, the local literals are turned off; Hypothesis' built-in constants remain.

This reaches into a private part of Hypothesis (pinned to an exact version by the project); if
that part moves, the guard does nothing rather than fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def without_local_constants() -> Iterator[None]:
    """Generate, inside the block, as if no local module held any literal."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - a Hypothesis without local constants
        yield
        return
    original: Any = getattr(providers, "_get_local_constants", None)
    cache: Any = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None:  # pragma: no cover - layout changed
        yield
        return
    empty = Constants()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
