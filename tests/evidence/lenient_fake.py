"""A faithful target that differs from the reference server wherever Stripe's documentation allows.

Every difference is something the seeds, the 2023-08-16 spec and Stripe's docs leave open, and
that a check once asserted anyway:

- ties in ``created``: objects of one creation second are ordered at random (stably), so lists,
  cursors and the default-source fallback may pick any of them;
- optional fields omitted: cards lack the fields the spec does not require (fingerprint,
  dynamic_last4, tokenization_method, the check results), customers their null ``shipping``;
- error codes and statuses the docs do not fix: an unknown token is a 404 ``resource_missing``,
  another customer's card a 404 without a code, a reused idempotency key a 409;
- no ``Request-Id`` on a 401 refusal;
- identity verification reports carry only the check results their type asked for: an ``id_number``
  report has no ``document`` key at all (and no report a ``selfie`` key), where the reference
  server sends them as ``null``.

Against it every MUST requirement must pass; the SHOULD requirements about the exact observed
forms fail and are reported as warnings (``--strict`` turns them into a failed run).

Run directly (``python tests/evidence/lenient_fake.py``) it serves on a free loopback port and
prints its URL until interrupted.
"""

from __future__ import annotations

import random
import sys
import threading
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.reference import ReferenceServer, Store, create_app
from conformance.reference.errors import ApiError, idempotency_error, invalid_request
from conformance.reference.identity import Identity

OMITTED_CARD_FIELDS = ("fingerprint", "dynamic_last4", "tokenization_method", "cvc_check", "address_line1_check",
                       "address_zip_check")
"""Card fields the 2023-08-16 spec does not require (Stripe's fixtures carry them: a SHOULD)."""

UNSET_RESULTS = ("document", "id_number", "selfie")
"""Verification report results seed 000 ties to the report's type and options: absent when not asked for."""


def _without_unset_results(report: Any) -> Any:
    if isinstance(report, dict):
        for name in UNSET_RESULTS:
            if name in report and report[name] is None:
                del report[name]
    return report


class LenientIdentity(Identity):
    """The reference's verification reports, without the results a report's type did not ask for."""

    def list_reports(self, store: Any, params: Any, url: str) -> Any:
        """List as the reference does, each report without its unset results."""
        page = super().list_reports(store, params, url)
        for report in page.get("data", []):
            _without_unset_results(report)
        return page

    def retrieve_report(self, store: Any, report_id: str, params: Any) -> Any:
        """Retrieve as the reference does, without the unset results."""
        return _without_unset_results(super().retrieve_report(store, report_id, params))


class LenientStore(Store):
    """The reference's rules with every documented freedom taken the other way."""

    identity_class = LenientIdentity

    def __init__(self) -> None:
        """Seed the tie order from the process: each run orders same-second objects differently."""
        super().__init__()
        self._ties = random.Random()
        self._tie_lock = threading.Lock()

    def next_sequence(self) -> int:
        """A random tie-break: objects of one creation second come in no particular order."""
        with self._tie_lock:
            return self._ties.randrange(1 << 40)

    def render_card(self, card: Any) -> dict[str, object]:
        """Leave out the card fields the spec lets a target omit."""
        data = super().render_card(card)
        for name in OMITTED_CARD_FIELDS:
            data.pop(name, None)
        return data

    def render_customer(self, customer: Any, **kwargs: Any) -> dict[str, object]:
        """Leave out the customer's null shipping (optional in the spec)."""
        data = super().render_customer(customer, **kwargs)
        if data.get("shipping") is None:
            data.pop("shipping", None)
        return data

    def card_details_from_token(self, token: str, param: str) -> Any:
        """An unknown token is a 404 (a missing resource), not the 400 Stripe is seen to answer."""
        try:
            return super().card_details_from_token(token, param)
        except ApiError as error:
            if error.code == "resource_missing":
                raise invalid_request(f"No such token: '{token}'", param=param, code="resource_missing",
                                      status=404) from None
            raise

    def get_card(self, customer: Any, card_id: str, kind: Any) -> Any:
        """A card of another customer is a 404 without an error code."""
        if card_id not in customer.sources and any(card_id in other.sources for other in self._customers.values()):
            raise invalid_request(f"{customer.id} has no card {card_id}", param="id", status=404)
        return super().get_card(customer, card_id, kind)

    def check_same_request(self, key: str, first: Any, retry: Any) -> None:
        """A reused key with other parameters is a 409 (the docs tie key conflicts to 409)."""
        try:
            super().check_same_request(key, first, retry)
        except ApiError as error:
            raise idempotency_error(str(error.message), status=409) from None


class NoRequestIdOn401:
    """ASGI wrapper: a 401 refusal goes out without a Request-Id header."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Drop Request-Id from 401 answers."""

        async def edited(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"request-id"]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, edited)


def lenient_server() -> ReferenceServer:
    """Return a (not yet started) server of the lenient fake on a free loopback port."""
    return ReferenceServer(app=NoRequestIdOn401(create_app(LenientStore())))


if __name__ == "__main__":
    with lenient_server() as server:
        print(server.url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            sys.exit(0)
