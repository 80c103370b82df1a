"""Setup helpers that create objects on the target for scenarios (not themselves checks)."""

from __future__ import annotations

import pytest

from conformance.http import Response, StripeClient

RUN_TAG = "conformance_run"


class CustomerFactory:
    """Create run-tagged customers and remember them for cleanup."""

    def __init__(self, client: StripeClient, run_id: str) -> None:
        """Bind to a client and the run id to tag with."""
        self._client = client
        self._run_id = run_id
        self.created: list[str] = []

    def create(self, **params: object) -> str:
        """Create a customer and return its id; a failure here is a setup error, not a verdict."""
        metadata = {RUN_TAG: self._run_id}
        body = {"description": "stripe-conformance scenario", "metadata": metadata} | params
        response = self._client.post("/v1/customers", body)
        data = response.json()
        if response.status != 200 or not isinstance(data, dict) or not isinstance(data.get("id"), str):
            pytest.fail(f"setup: creating a customer failed: HTTP {response.status} {response.text[:200]}")
        self.created.append(data["id"])
        return str(data["id"])

    def delete_all(self) -> None:
        """Delete every customer this factory made, ignoring ones already gone."""
        while self.created:
            self._client.delete(f"/v1/customers/{self.created.pop()}")


def delete_card(client: StripeClient, customer_id: str, card_id: str) -> None:
    """Delete a card as setup for a later step; a failure here is a setup error, not a verdict."""
    response = client.delete(f"/v1/customers/{customer_id}/sources/{card_id}")
    if response.status != 200:
        pytest.fail(f"setup: deleting {card_id} failed: HTTP {response.status} {response.text[:200]}")


def default_source(client: StripeClient, customer_id: str) -> object:
    """Return the customer's ``default_source`` as read back (setup/readback helper)."""
    response = client.get(f"/v1/customers/{customer_id}")
    body = response.json()
    if response.status != 200 or not isinstance(body, dict):
        pytest.fail(f"setup: reading customer {customer_id} failed: HTTP {response.status} {response.text[:200]}")
    return body.get("default_source")


def data_ids(response: Response) -> list[object]:
    """Return the ids in a list body's ``data`` (empty when the body is not a list)."""
    body = response.json()
    data = body.get("data") if isinstance(body, dict) else None
    return [item.get("id") if isinstance(item, dict) else item for item in data] if isinstance(data, list) else []
