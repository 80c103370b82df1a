"""``--stripe-shard I/N``: split the collected scenarios deterministically across machines.

Every machine collects the same scenarios, orders them by a hash of their node id (stable across
machines, Python versions and collection order) and keeps every N-th one starting at I. The N
shards are disjoint, cover the whole run, and differ in size by at most one scenario.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Parse ``I/N`` with 1 <= I <= N, or raise ``ValueError`` with one clear line."""
        found = _SPEC.match(text)
        if found is None:
            raise ValueError(f"--shard {text!r} is not of the form I/N, such as 1/4")
        index, count = int(found.group(1)), int(found.group(2))
        if not 1 <= index <= count:
            raise ValueError(f"--shard {text!r}: I must be between 1 and N")
        return cls(index, count)

    def select(self, items: Sequence[T], nodeid: str = "nodeid") -> tuple[list[T], list[T]]:
        """Split ``items`` into (kept, deselected), keeping the collection order of the kept ones."""
        ranked = sorted(range(len(items)), key=lambda i: (_stable_hash(getattr(items[i], nodeid)), i))
        mine = {position for rank, position in enumerate(ranked) if rank % self.count == self.index - 1}
        kept = [item for i, item in enumerate(items) if i in mine]
        dropped = [item for i, item in enumerate(items) if i not in mine]
        return kept, dropped

    def __str__(self) -> str:
        """Return ``I/N``."""
        return f"{self.index}/{self.count}"


def _stable_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
