"""Setup helpers that create objects on the target for scenarios (not themselves checks).

A helper whose call fails raises ``Blocked`` (the precondition it serves, one sentence, the
evidence) or ``Unsupported`` (the target lacks the route): the scenario's requirements are then
reported blocked or unsupported by that root cause, never failed or in error.
"""

from __future__ import annotations

from conformance.checks.preconditions import require_made
from conformance.http import Response, StripeClient
from conformance.targets.card_paths import CARD_PRECONDITION, CUSTOMER_PRECONDITION, CardPaths
from conformance.targets.cleanup import RUN_METADATA_KEY
from conformance.targets.ledger import teardown_of

RUN_TAG = RUN_METADATA_KEY
CARD_DELETE_PRECONDITION = "precondition.card-delete"
CUSTOMER_READ_PRECONDITION = "precondition.customer-retrieve"


class CustomerFactory:
    """Create run-tagged customers and remember them for cleanup."""

    def __init__(self, client: StripeClient, run_id: str) -> None:
        """Bind to a client and the run id to tag with."""
        self._client = client
        self._run_id = run_id
        self.created: list[str] = []

    def create(self, **params: object) -> str:
        """Create a customer and return its id; a failure here blocks the scenario, it is not a verdict."""
        metadata = {RUN_TAG: self._run_id}
        body = {"description": "stripe-conformance scenario", "metadata": metadata} | params
        response = self._client.post("/v1/customers", body)
        data = require_made(response, CUSTOMER_PRECONDITION, "Creating a customer")
        self.created.append(data["id"])
        return str(data["id"])

    def delete_all(self) -> None:
        """Delete every customer this factory made, by id, ignoring ones already gone (teardown: no retries)."""
        with teardown_of(self._client.transport):
            while self.created:
                self._client.delete(f"/v1/customers/{self.created.pop()}")


def attach_card(
    client: StripeClient, paths: CardPaths, customer_id: str, token: str = "tok_visa", **params: object
) -> dict[str, object]:
    """Attach ``token``'s test card by the run's card-creation path (the transport applies it)."""
    path = paths.resolve()
    response = client.post(f"/v1/customers/{customer_id}/sources", {"source": token, **params})
    return require_made(response, CARD_PRECONDITION, f"Attaching {token} by the {path} path")


def delete_card(client: StripeClient, customer_id: str, card_id: str) -> None:
    """Delete a card as setup for a later step; a failure here blocks the scenario, it is not a verdict."""
    response = client.delete(f"/v1/customers/{customer_id}/sources/{card_id}")
    require_made(response, CARD_DELETE_PRECONDITION, f"Deleting card {card_id}")


def default_source(client: StripeClient, customer_id: str) -> object:
    """Return the customer's ``default_source`` as read back (setup/readback helper)."""
    response = client.get(f"/v1/customers/{customer_id}")
    body = require_made(response, CUSTOMER_READ_PRECONDITION, f"Reading customer {customer_id} back")
    return body.get("default_source")


def data_ids(response: Response) -> list[object]:
    """Return the ids in a list body's ``data`` (empty when the body is not a list)."""
    body = response.json()
    data = body.get("data") if isinstance(body, dict) else None
    return [item.get("id") if isinstance(item, dict) else item for item in data] if isinstance(data, list) else []
