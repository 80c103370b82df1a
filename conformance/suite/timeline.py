"""When each card was attached, as far as the client can tell: the order a target may use among them.

Stripe orders lists newest first by ``created``, which counts whole seconds, and documents no
order among objects created in the same second. A card carries no ``created`` of its own, so the
client brackets each attach between the moment it sent the request and the moment the answer
came back (monotonic clock). Card ``x`` is certainly newer than card ``y`` only when ``x`` was
sent at least one second after ``y``'s answer arrived: then ``x``'s creation second is later
whatever the server's clock. Any other pair may share a second and may come in either order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

TIE_SECOND = 1.0
"""The resolution of ``created``: attaches closer than this may share a creation second."""


@dataclass
class Timeline:
    """The attach windows of the cards a scenario made, and what order they allow."""

    windows: dict[str, tuple[float, float]] = field(default_factory=dict)

    def attach(self, add: Callable[..., dict[str, object]], *args: object, **params: object) -> str:
        """Attach a card through ``add`` (the ``add_card`` fixture), note its window, return its id."""
        sent = time.monotonic()
        card = str(add(*args, **params)["id"])
        self.windows[card] = (sent, time.monotonic())
        return card

    def next_second(self) -> None:
        """Wait until the next attach is certainly in a later creation second than every earlier one."""
        if self.windows:
            last = max(received for _, received in self.windows.values())
            time.sleep(max(0.0, last + TIE_SECOND - time.monotonic()) + 0.01)

    def newer(self, x: str, y: str) -> bool:
        """Tell whether card ``x`` was certainly created in a later second than card ``y``."""
        return self.windows[x][0] - self.windows[y][1] >= TIE_SECOND

    def order_violations(self, listed: Sequence[object]) -> list[str]:
        """Return each pair a newest-first list puts the wrong way round (certainly older before newer)."""
        ids = [str(card) for card in listed if str(card) in self.windows]
        return [
            f"{older} is listed before {newer}, which was attached at least a second later"
            for position, older in enumerate(ids)
            for newer in ids[position + 1 :]
            if self.newer(newer, older)
        ]

    def newest(self, cards: Sequence[str]) -> set[str]:
        """Return the cards of ``cards`` that no other of them is certainly newer than (the ties at the top)."""
        return {card for card in cards if not any(self.newer(other, card) for other in cards if other != card)}
