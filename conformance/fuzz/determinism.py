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

_WITHOUT_LOCAL: dict[Any, Any] = {}
"""Hypothesis' table of the constants each kind of draw may use, as built inside the block.

Hypothesis caches, per kind of draw, which of its constants the draw's bounds permit; the block
empties that cache on entry and on exit (entries built with local literals must not serve inside
it, nor the block's outside). An entry depends only on the draw's kind and bounds and, inside the
block, on no local literal, so the entries built in one block are kept here and put back in the
next: each fuzz test is a block of its own, and rebuilding them every time cost about 1,200
filterings of the constant pools per run.
"""


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
    cache.cache.update(_WITHOUT_LOCAL)
    try:
        yield
    finally:
        _WITHOUT_LOCAL.update(cache.cache)
        providers._get_local_constants = original
        cache.cache.clear()
