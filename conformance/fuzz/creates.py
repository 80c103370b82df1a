"""Invariants of creating the seed-000 objects: a created object reads back, a forwarding request is sent once.

- An object just created (webhook endpoint, onramp session, forwarding request) reads back by id
  as it was answered, its create-only ``secret`` aside (seeds/000 retrieve endpoints); a ``404``
  there is a created resource that is not available (``fuzz.resource-available``).
- A forwarding request sent twice with one new Idempotency-Key is forwarded once: both answers
  name the same request (seeds/000 'Forwarding Request').

Within one scenario, an object is read back when its create sent a parameter no read-back of that
collection has covered yet (the first create of each collection always is), and the forwarding
key is probed once: a further probe of the same parameters would repeat an observation made.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis

from conformance.checks import Failure, ValueMismatch
from conformance.fuzz.observations import Observations
from conformance.fuzz.requirement_ids import CREATE_READ_BACK, FORWARDING_ONCE_PER_KEY, RESOURCE_AVAILABLE
from conformance.fuzz.updates import brief
from conformance.http import StripeClient
from conformance.http.exchange import Response

CREATE_PATHS = ("/v1/webhook_endpoints", "/v1/crypto/onramp_sessions", "/v1/forwarding/requests")
"""Collections whose created objects must read back by id (``<path>/<id>``)."""
CREATE_ONLY_FIELDS = frozenset({"secret"})
"""Fields Stripe documents as answered by create only."""
FORWARDING_PATH = "/v1/forwarding/requests"

_ABSENT = object()


class CreateInvariants:
    """Read back what a step created; resend an accepted forwarding request under one key."""

    def __init__(self, client: StripeClient, observations: Observations) -> None:
        """Probe through ``client``; count what is judged in ``observations``."""
        self.client = client
        self.observations = observations
        self.read_back_params: dict[str, set[str]] = {}
        """Per collection, the create parameters whose objects were read back."""
        self.forwarding_probed = False

    def read_back(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """An object just created reads back by id as the create answered it (create-only fields aside)."""
        if case.method.upper() != "POST" or case.path not in CREATE_PATHS or response.status != 200:
            return []
        sent = set(case.body) if isinstance(case.body, dict) else set()
        covered = self.read_back_params.get(case.path)
        if covered is not None and sent <= covered:
            return []
        self.read_back_params[case.path] = (covered or set()) | sent
        self.observations.saw(CREATE_READ_BACK)
        created = response.json()
        object_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(object_id, str):
            return [ValueMismatch.from_exchange(CREATE_READ_BACK, "the answer to a create carries no id",
                                                response=response, json_path="$.id")]
        retrieved = self.client.get(f"{case.path}/{object_id}")
        read = retrieved.json()
        self.observations.saw(RESOURCE_AVAILABLE)
        if retrieved.status == 404:
            return [ValueMismatch.from_exchange(
                RESOURCE_AVAILABLE, "retrieving the object just created answered HTTP 404", response=retrieved)]
        if retrieved.status != 200 or not isinstance(read, dict):
            return [ValueMismatch.from_exchange(
                CREATE_READ_BACK, f"retrieving the object just created answered HTTP {retrieved.status}",
                response=retrieved)]
        assert isinstance(created, dict)
        differing = sorted(
            key for key in (set(created) | set(read)) - CREATE_ONLY_FIELDS
            if created.get(key, _ABSENT) != read.get(key, _ABSENT)
        )
        if not differing:
            return []
        shown = ", ".join(f"{key}: create {brief(created, key)} vs retrieve {brief(read, key)}"
                          for key in differing[:3])
        return [ValueMismatch.from_exchange(
            CREATE_READ_BACK, f"the created object reads back differently ({shown})", response=retrieved,
            json_path=f"$.{differing[0]}")]

    def forwarding_once_per_key(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """Re-send an accepted forwarding request twice under one new key: one request, one id."""
        if case.method.upper() != "POST" or case.path != FORWARDING_PATH or response.status != 200:
            return []
        if self.forwarding_probed:
            return []
        self.forwarding_probed = True
        self.observations.saw(FORWARDING_ONCE_PER_KEY)
        body = case.body if isinstance(case.body, dict) else {}
        key = f"sc-fwd-{uuid.uuid4().hex}"
        first = self.client.post(FORWARDING_PATH, body, idempotency_key=key)
        again = self.client.post(FORWARDING_PATH, body, idempotency_key=key)
        ids = [r.json().get("id") if isinstance(r.json(), dict) else None for r in (first, again)]
        if first.status == again.status == 200 and ids[0] is not None and ids[0] == ids[1]:
            return []
        return [ValueMismatch.from_exchange(
            FORWARDING_ONCE_PER_KEY,
            f"two sends under one Idempotency-Key answered HTTP {first.status} / {again.status} with ids "
            f"{ids[0]!r} / {ids[1]!r}, not one forwarding request", response=again, json_path="$.id")]
