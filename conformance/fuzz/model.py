"""What a state-machine scenario knows about the objects it made on the target.

The model learns only from the target's answers: which customers and webhook endpoints the
scenario created, which cards it saw created (in that order), which it deleted explicitly, and
which vanished when a customer update replaced the default card. Invariants compare the
target's later answers with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import schemathesis

from conformance.http.exchange import Response


@dataclass
class CustomerModel:
    """One customer the scenario created."""

    id: str
    cards_created: list[str] = field(default_factory=list)
    """Card ids in the order the scenario saw them created (oldest first)."""
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per card, monotonic bounds of its creation: request sent (or an earlier moment), answer seen."""
    live: set[str] = field(default_factory=set)
    """Cards the last listing showed."""
    deleted: set[str] = field(default_factory=set)
    """Cards a DELETE of this scenario removed (answered 200)."""
    replaced: set[str] = field(default_factory=set)
    """Cards that vanished when a customer update attached a new default ``source``."""
    gone: bool = False
    """The customer itself was deleted."""
    default: str | None = None
    """The default source the target last answered."""
    deleted_twice: list[str] = field(default_factory=list)
    """Cards a second DELETE of this scenario also answered 200 for."""
    exercised: bool = False
    """The machine's default-source exercise already ran on this customer."""
    probed: Response | None = None
    """The customer as read by the last state probe, while no call that may change it was sent since."""

    def newest_live(self) -> str | None:
        """Return the most recently created card still live, or None."""
        for card in reversed(self.cards_created):
            if card in self.live:
                return card
        return None

    def newest_live_candidates(self) -> set[str]:
        """Return the live cards no other live card is certainly newer than.

        ``created`` counts whole seconds and Stripe documents no order within one: card ``x`` is
        certainly newer than ``y`` only when ``x``'s request left at least a second after ``y``'s
        answer arrived. Any of the returned cards may rightly become the default.
        """
        live = [card for card in self.cards_created if card in self.live]
        return {card for card in live if not any(self._newer(other, card) for other in live if other != card)}

    def _newer(self, x: str, y: str) -> bool:
        unknown = (0.0, time.monotonic())
        return self.windows.get(x, unknown)[0] - self.windows.get(y, unknown)[1] >= 1.0


@dataclass
class AccountModel:
    """The customers and webhook endpoints of one scenario."""

    customers: dict[str, CustomerModel] = field(default_factory=dict)
    webhook_endpoints: list[str] = field(default_factory=list)
    deleted_endpoints: set[str] = field(default_factory=set)
    """Webhook endpoints a DELETE of this scenario removed (answered 2xx)."""
    last_seen: float = field(default_factory=time.monotonic)
    """When the model last learnt from an answer: a card learnt later was created after it."""

    def customer_of(self, case: schemathesis.Case[Any], response: Response) -> CustomerModel | None:
        """Return the model of the customer a call addressed or created, if the scenario made it."""
        params = case.path_parameters or {}
        if "customer" in params:
            return self.customers.get(unquote(str(params["customer"])))
        body = response.json()
        if isinstance(body, dict) and body.get("object") == "customer":
            return self.customers.get(str(body.get("id")))
        return None

    def observe(self, case: schemathesis.Case[Any], response: Response) -> None:
        """Learn from one successful call."""
        if not 200 <= response.status < 300:
            return
        now = time.monotonic()
        self.last_seen, since = now, self.last_seen
        window = (max(since, now - response.elapsed) if response.elapsed else since, now)
        body = response.json()
        if not isinstance(body, dict):
            return
        method, path = case.method.upper(), case.path
        if method == "POST" and path == "/v1/customers" and isinstance(body.get("id"), str):
            created = self.customers.setdefault(body["id"], CustomerModel(body["id"]))
            self._saw_card(created, body.get("default_source"), window)
            created.default = body.get("default_source") if isinstance(body.get("default_source"), str) else None
        elif method == "POST" and path == "/v1/webhook_endpoints" and isinstance(body.get("id"), str):
            self.webhook_endpoints.append(body["id"])
        elif method == "DELETE" and path == "/v1/webhook_endpoints/{webhook_endpoint}":
            self.deleted_endpoints.add(unquote(str((case.path_parameters or {}).get("webhook_endpoint"))))
        customer = self.customer_of(case, response)
        if customer is None:
            return
        if method == "POST" and path.endswith(("/sources", "/cards")):
            self._saw_card(customer, body.get("id"), window)
        elif method == "POST" and path == "/v1/customers/{customer}":
            if isinstance(case.body, dict) and "source" in case.body:
                self._saw_card(customer, body.get("default_source"), window)
        elif method == "DELETE" and path.endswith("/{id}"):
            card = unquote(str((case.path_parameters or {}).get("id")))
            if card in customer.deleted:
                customer.deleted_twice.append(card)
            customer.deleted.add(card)
        elif method == "DELETE" and path == "/v1/customers/{customer}":
            customer.gone = True

    def relist(self, customer: CustomerModel, listed: list[str], *, replacing: bool) -> None:
        """Record the cards a listing showed; ``replacing`` when a ``source`` update preceded it."""
        now = set(listed)
        if replacing:
            customer.replaced |= (customer.live - now) - customer.deleted
        customer.live = now
        # Cards made as a side effect (a customer update's ``source``) are learnt from the list,
        # which holds the newest first: all of them are newer than the cards already known.
        for card in reversed(listed):
            self._saw_card(customer, card)

    def was_removed(self, case: schemathesis.Case[Any]) -> bool:
        """Tell whether the card, customer or webhook endpoint a call addresses was removed by another call."""
        params = case.path_parameters or {}
        if "webhook_endpoint" in params:
            return unquote(str(params["webhook_endpoint"])) in self.deleted_endpoints
        customer = self.customers.get(unquote(str(params.get("customer", ""))))
        card = unquote(str(params.get("id", "")))
        return customer is not None and (card in customer.replaced or card in customer.deleted or customer.gone)

    def made(self, case: schemathesis.Case[Any]) -> bool:
        """Tell whether a call addresses an object the scenario created and did not remove."""
        params = case.path_parameters or {}
        if "webhook_endpoint" in params:
            endpoint = unquote(str(params["webhook_endpoint"]))
            return endpoint in self.webhook_endpoints and endpoint not in self.deleted_endpoints
        customer = self.customers.get(unquote(str(params.get("customer", ""))))
        if customer is None or customer.gone:
            return False
        return "id" not in params or unquote(str(params["id"])) in customer.cards_created

    def saw_card(self, customer: CustomerModel, card: Any) -> None:
        """Record a card the scenario saw created (ignored when already known or not an id)."""
        self._saw_card(customer, card)

    def _saw_card(self, customer: CustomerModel, card: Any, window: tuple[float, float] | None = None) -> None:
        if isinstance(card, str) and card not in customer.cards_created:
            customer.cards_created.append(card)
            # Learnt without its own answer (a listing, an exercise): made after the last answer the model saw.
            customer.windows[card] = window or (self.last_seen, time.monotonic())
