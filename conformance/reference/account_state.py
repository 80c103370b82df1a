"""Per-store state of the seed-000 APIs, made on first use and swappable for fault injection.

Each API (climate, forwarding, crypto onramp, identity, webhook endpoints) keeps its objects in one
state object per :class:`~.store.Store`. A fault-injecting store subclass names a different class
through an attribute ``<name>_class`` (``climate_class = BrokenClimate``); the state is then made
from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .store import Store

T = TypeVar("T")


def state_of(store: Store, name: str, default: type[T]) -> T:
    """Return the store's ``name`` state, made from ``store.<name>_class`` (or ``default``) on first use."""
    slot = f"_{name}_state"
    with store.lock:
        found = store.__dict__.get(slot)
        if found is None:
            factory: type[T] = getattr(store, f"{name}_class", default)
            found = factory()
            store.__dict__[slot] = found
        return found
