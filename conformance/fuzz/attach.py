"""Attaching a card the fuzzing needs as a prop, on targets that refuse metadata when attaching."""

from __future__ import annotations

from collections.abc import Mapping

from conformance.http import StripeClient
from conformance.http.exchange import Response


def attach_card(client: StripeClient, customer: str, token: str, metadata: Mapping[str, str]) -> Response:
    """Attach ``token`` to ``customer`` with ``metadata``; without it if the target refuses it (400).

    Refusing metadata on attach is a deviation the hand-written scenarios report
    (``card.create.metadata``); here it must not keep the call under test from being fuzzed.
    """
    path = f"/v1/customers/{customer}/sources"
    response = client.post(path, {"source": token, "metadata": dict(metadata)})
    if response.status == 400:
        response = client.post(path, {"source": token})
    return response
