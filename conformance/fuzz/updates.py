"""Update invariants: an update answers what it was sent and reads back the same; a refused one changes nothing.

- An accepted update answers the plain values it was sent (an empty string unsets to null), and
  its metadata is the old metadata merged key by key with the sent one (seeds/004).
- A retrieve right after an accepted update answers the same object.
- After a refused update, the object reads exactly as it did before the request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import schemathesis

from conformance.checks import Failure, ValueMismatch
from conformance.fuzz.observations import Observations
from conformance.fuzz.requirement_ids import REFUSED_CHANGES_NOTHING, UPDATE_APPLIES, UPDATE_READ_BACK
from conformance.http import StripeClient
from conformance.http.exchange import Response
from conformance.http.formencode import form_text

CUSTOMER_PATH = "/v1/customers/{customer}"
SOURCE_PATH = "/v1/customers/{customer}/sources/{id}"
CARD_PATH = "/v1/customers/{customer}/cards/{id}"
WEBHOOK_ENDPOINT_PATH = "/v1/webhook_endpoints/{webhook_endpoint}"
UPDATE_PATHS = (CUSTOMER_PATH, SOURCE_PATH, CARD_PATH, WEBHOOK_ENDPOINT_PATH)
"""The update operations (POST) of the surface, by path."""

APPLIED_CARD_FIELDS = frozenset(
    {"address_city", "address_country", "address_line1", "address_line2", "address_state", "address_zip",
     "exp_month", "exp_year", "name"}
)
"""Card fields an accepted update answers as sent."""
APPLIED_CUSTOMER_FIELDS = frozenset({"balance", "default_source", "description", "email", "name", "phone"})
"""Customer fields an accepted update answers as sent."""

_ABSENT = object()


def is_update(case: schemathesis.Case[Any]) -> bool:
    """Tell whether ``case`` is a call to one of the update operations."""
    return case.method.upper() == "POST" and case.path in UPDATE_PATHS


class UpdateInvariants:
    """Judge accepted and refused updates against the object as read before and after."""

    def __init__(self, client: StripeClient, observations: Observations) -> None:
        """Read back through ``client``; count what is judged in ``observations``."""
        self.client = client
        self.observations = observations
        self.last_read: Response | None = None
        """The last plain retrieve (no expansion) of an updated object by :meth:`read_back` or
        :meth:`refused_changes_nothing`, else None."""

    def applies(
        self, case: schemathesis.Case[Any], response: Response, before: Response | None = None
    ) -> list[Failure]:
        """An accepted update answers the plain values it was sent; with ``before``, metadata merged key by key."""
        if not is_update(case) or response.status != 200:
            return []
        sent, answered = case.body, response.json()
        if not isinstance(sent, dict) or not isinstance(answered, dict):
            self.observations.missed(UPDATE_APPLIES, "an accepted update answered a body that is not an object")
            return []
        failures = self.metadata_merged(sent, answered, before, response)
        if case.path == WEBHOOK_ENDPOINT_PATH:
            return failures
        fields = APPLIED_CUSTOMER_FIELDS if case.path == CUSTOMER_PATH else APPLIED_CARD_FIELDS
        if case.path == CUSTOMER_PATH and "source" in sent:
            fields = fields - {"default_source"}
        compared = sorted(fields & set(sent))
        if compared:
            self.observations.saw(UPDATE_APPLIES)
        wrong = [
            f"{name}: sent {sent[name]!r}, answered {answered.get(name)!r}"
            for name in compared
            if not _same_value(sent[name], answered.get(name))
        ]
        if not wrong:
            return failures
        return [
            *failures,
            ValueMismatch.from_exchange(
                UPDATE_APPLIES,
                "the update answered other values than it was sent: " + "; ".join(wrong[:3]),
                response=response,
                json_path=f"$.{compared[0]}",
            ),
        ]

    def metadata_merged(
        self, sent: dict[str, Any], answered: dict[str, Any], before: Response | None, response: Response
    ) -> list[Failure]:
        """The ``metadata`` an accepted update ``answered`` is ``before``'s merged key by key with what was ``sent``."""
        old = before.json() if before is not None and before.status == 200 else None
        if not isinstance(old, dict) or not isinstance(old.get("metadata"), dict):
            if before is not None:
                reason = f"the object read before an update answered HTTP {before.status}"
                self.observations.missed(UPDATE_APPLIES, reason)
            return []
        expected = dict(old["metadata"])
        update = sent.get("metadata", _ABSENT)
        if update in ("", {}):
            expected = {}  # sent as ``metadata=``: unset every key
        elif isinstance(update, dict):
            for key, value in update.items():
                if isinstance(value, dict | list):
                    return []  # a nested value has no single text form to expect
                text = None if value is None else form_text(value)  # as sent: a number travels as its text
                if text == "":
                    expected.pop(key, None)
                elif text is not None:
                    expected[key] = text
        elif update is not _ABSENT:
            return []
        self.observations.saw(UPDATE_APPLIES)
        if answered.get("metadata") == expected:
            return []
        return [
            ValueMismatch.from_exchange(
                UPDATE_APPLIES,
                f"metadata {old['metadata']!r} updated with {update!r} answered {answered.get('metadata')!r}, "
                f"expected {expected!r} (keys merge one by one)",
                response=response,
                json_path="$.metadata",
            )
        ]

    def read_back(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """After a successful update, a retrieve must answer the same object."""
        self.last_read = None
        if not is_update(case) or response.status != 200:
            return []
        expand = case.body.get("expand") if isinstance(case.body, dict) else None
        params = {"expand": expand} if isinstance(expand, list) and expand else None
        retrieved = self.client.get(unquote(case.formatted_path), params)
        self.last_read = retrieved if params is None else None
        self.observations.saw(UPDATE_READ_BACK)
        if retrieved.status != 200:
            return [
                ValueMismatch.from_exchange(
                    UPDATE_READ_BACK, f"retrieving the object just updated answered HTTP {retrieved.status}",
                    response=retrieved,
                )
            ]
        updated, read = response.json(), retrieved.json()
        if updated == read:
            return []
        differing = sorted(
            key for key in set(updated) | set(read) if updated.get(key, _ABSENT) != read.get(key, _ABSENT)
        ) if isinstance(updated, dict) and isinstance(read, dict) else ["$"]
        shown = ", ".join(
            f"{key}: update {brief(updated, key)} vs retrieve {brief(read, key)}" for key in differing[:3]
        )
        return [
            ValueMismatch.from_exchange(
                UPDATE_READ_BACK,
                f"the update's answer differs from a retrieve right after ({shown})",
                response=retrieved,
                json_path=f"$.{differing[0]}" if differing[0] != "$" else "$",
            )
        ]

    def refused_changes_nothing(self, case: schemathesis.Case[Any], before: Response) -> list[Failure]:
        """After a refused update, the object reads exactly as it did before the request."""
        if before.status != 200:
            reason = f"the object read before a refused update answered HTTP {before.status}"
            self.observations.missed(REFUSED_CHANGES_NOTHING, reason)
            return []
        after = self.client.get(unquote(case.formatted_path))
        self.last_read = after
        return self.compare_refused(before, after, "a refused update changed the object")

    def compare_refused(self, before: Response, after: Response, what: str) -> list[Failure]:
        """Judge two reads around a refused update (both must be 200 to compare; else say why not)."""
        if after.status != 200:
            reason = f"the object read after a refused update answered HTTP {after.status}"
            self.observations.missed(REFUSED_CHANGES_NOTHING, reason)
            return []
        self.observations.saw(REFUSED_CHANGES_NOTHING)
        old, new = before.json(), after.json()
        if old == new:
            return []
        changed = (
            sorted(key for key in set(old) | set(new) if old.get(key, _ABSENT) != new.get(key, _ABSENT))
            if isinstance(old, dict) and isinstance(new, dict)
            else []
        )
        shown = ", ".join(f"{key}: {brief(old, key)} -> {brief(new, key)}" for key in changed[:3])
        return [
            ValueMismatch.from_exchange(
                REFUSED_CHANGES_NOTHING,
                f"{what} ({shown})" if shown else what,
                response=after,
                json_path=f"$.{changed[0]}" if changed else "$",
            )
        ]


def _same_value(sent: Any, answered: Any) -> bool:
    """Compare a sent form value with the answered one: "" reads as null, text ignores edge spaces.

    An expanded answer (``expand[]=default_source``) is compared by its ``id``.
    """
    if isinstance(answered, dict) and "id" in answered:
        answered = answered["id"]
    if sent == "" or sent is None:
        return answered is None
    if isinstance(sent, str) and isinstance(answered, str):
        return sent.strip() == answered.strip()
    return bool(sent == answered)


def brief(body: Any, key: str) -> str:
    """Show ``body[key]`` in at most 60 characters (the whole body when it is not an object)."""
    value = body.get(key, "<absent>") if isinstance(body, dict) else body
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
