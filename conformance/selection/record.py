"""What a run was asked to run, as its reports record it (and as merge compares it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

COMPARED_FIELDS = ("keyword", "markexpr", "fuzz_examples", "seed", "replay")
"""Selection fields that must agree between the shard reports of one run."""


def selection_record(
    *,
    shard: str | None = None,
    keyword: str | None = None,
    markexpr: str | None = None,
    fuzz_examples: int | None = None,
    seed: str | None = None,
    replay: str | None = None,
    requirements: Iterable[str] = (),
    not_recorded: Iterable[str] = (),
    catalogue: Iterable[str] = (),
) -> dict[str, Any]:
    """Return the report's ``selection``; ``requirements`` are those of the whole selection, every shard's.

    With the ``catalogue``'s IDs, the requirements the selection leaves out (``-k``, ``-m``,
    ``--fuzz-examples 0``) are recorded as ``left_out``: such a run speaks for part of the
    catalogue only, so its verdict is at best PARTIAL.
    """
    record: dict[str, Any] = {
        "shard": shard,
        "keyword": keyword,
        "markexpr": markexpr,
        "fuzz_examples": fuzz_examples,
        "seed": seed,
        "replay": replay,
        "requirements": sorted(set(requirements)),
    }
    missing = sorted(set(not_recorded))
    if missing:
        record["not_recorded"] = missing
    return note_left_out(record, catalogue)


def note_left_out(selection: dict[str, Any], catalogue: Iterable[str]) -> dict[str, Any]:
    """Add to ``selection`` (and return it) the ``catalogue`` IDs its ``requirements`` leave out, if any."""
    left_out = sorted(set(catalogue) - set(selection.get("requirements") or ()))
    if left_out:
        selection["left_out"] = left_out
    return selection
