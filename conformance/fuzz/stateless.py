"""Fuzzing one operation: valid and invalid generated calls, each judged on its own.

The examples of one operation work on one set of scratch objects (:class:`Scratch`): a customer
(with two cards when the call addresses a card or lists them), or a webhook endpoint, made when
first needed and deleted when the operation's examples (its generated cases and every injection)
are done, so nothing is left on the target. Fresh objects per example would spend four calls of
setup and one of cleanup on each call under test (most of a rate-limit budget against Stripe).
Sharing them is sound because no judgement depends on what an earlier example did: an update is
judged against the object as read just before it (and read back after it), a refused call against
the same read, a read against the schema and the object's own ids. The read after one update is
the read before the next (nothing else touches the object in between). An object a deletion
removed is forgotten, and the next example that needs one gets a fresh one.
Generated cases mostly address those objects (existing ids, existing cursors), a few keep the
generated ids, which do not exist; an injected value always goes to an existing object, where
only the broken rule can refuse it.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from typing import Any, Literal
from urllib.parse import quote, unquote

import hypothesis
import schemathesis
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from conformance.checks import Blocked, ConformanceError, Failure, Unsupported
from conformance.checks.preconditions import require_made, route_missing, unsupported_route
from conformance.fuzz.attach import attach_card
from conformance.fuzz.checks import merge
from conformance.fuzz.config import hypothesis_settings, without_database_key
from conformance.fuzz.creates import CreateInvariants
from conformance.fuzz.determinism import without_local_constants
from conformance.fuzz.expiry import leaves_expiry_past
from conformance.fuzz.injections import Injection, injections_for
from conformance.fuzz.outcome import collect_failures
from conformance.fuzz.reproduce import curl_sequence
from conformance.fuzz.scratch_probes import (
    ATTACH_RULE,
    DELETE_DEFAULT_RULE,
    DELETE_OTHER_RULE,
    MERGE_PROBED,
    default_follows,
    deletes_card,
    gone_after_delete,
    metadata_merges,
)
from conformance.fuzz.session import FuzzSession, LoadedSurface
from conformance.fuzz.surface import OperationRef
from conformance.fuzz.updates import UpdateInvariants, is_update
from conformance.fuzz.webhook_secret import webhook_secret
from conformance.fuzz.wire import send_case, to_schemathesis
from conformance.http import StripeClient
from conformance.http.exchange import Response
from conformance.targets.card_paths import CARD_PRECONDITION, CUSTOMER_PRECONDITION, CardPaths
from conformance.targets.ledger import teardown_of

INJECTION_SHARE = 3
"""Each injection gets the budget divided by this (rounded up)."""
SCRATCH_SHARE = 0.8
"""Share of examples that address the scratch objects rather than generated (unknown) ids."""
SCRATCH_PATH_PARAMETERS = frozenset({"customer", "id", "webhook_endpoint"})
PLACEHOLDER = "placeholder"
"""Generated in place of a scratch object's id, replaced before sending."""
CURSORS = ("starting_after", "ending_before")
WEBHOOK_PRECONDITION = "precondition.webhook-endpoint-create"
SCRATCH_METADATA = (("fuzz_scratch", "1"), ("origin", "stripe-conformance"))
"""Metadata of every scratch object, so that an update's metadata merge is observable."""
SCRATCH_TOKENS = ("tok_visa", "tok_mastercard")
"""The cards of a scratch customer, oldest first."""
CARD_LISTS = ("/v1/customers/{customer}/sources", "/v1/customers/{customer}/cards")


# Built once: a strategy made inside a draw is looked up in Hypothesis' strategy cache (or, for
# sampled_from, built and validated anew) on every example; one built here draws the same values.
_TENTHS = st.integers(0, 9)
_COIN = st.booleans()
_CARD_INDEX = st.integers(0, 1)
_CURSOR = st.sampled_from((None, *CURSORS))


class SetupError(RuntimeError):
    """Creating an example's scratch objects failed: not a verdict on the operation under test.

    ``blocked`` is the precondition that failed (or the route the target lacks), reported once as
    the root cause of the requirements the operation's examples could not reach.
    """

    def __init__(self, blocked: Blocked | Unsupported) -> None:
        """Carry the failed precondition."""
        super().__init__(str(blocked))
        self.blocked = blocked


Deleted = Literal["card", "customer", "webhook_endpoint"]
"""Which kind of scratch object an accepted delete removed."""


class Scratch:
    """Objects one example works on, made on demand and deleted when the example ends."""

    def __init__(self, client: StripeClient, paths: CardPaths | None = None) -> None:
        """Work through ``client``; ``paths`` is the run's card-creation path (its root cause if none works)."""
        self._client = client
        self._paths = paths
        self.customer_id: str | None = None
        self.card_ids: list[str] = []
        self.webhook_id: str | None = None
        self.pick = 0
        """Which of the two cards the example addresses."""
        self.default: str | None = None
        """The card the customer's ``default_source`` names by seeds/004's rules, as its cards came and went."""
        self.deleted_default = False
        """Whether the last card deleted was the default (the one remaining card then took its place)."""
        self._cleanup: list[str] = []
        self._created: list[str] = []
        """What the calls under test created, deleted as soon as each call is judged."""
        self.made: list[Response] = []
        """The answers that made the scratch objects, oldest first (the start of a reproduction)."""
        self.reads: dict[str, Response] = {}
        """Per path, the last plain read of a scratch object, made after the last call that may have changed it."""

    def customer(self, *, cards: bool = True) -> str:
        """Create (once) a customer, with two cards if ``cards``, and return its id."""
        if self.customer_id is None:
            body = self._ok(
                self._client.post("/v1/customers", {"metadata": dict(SCRATCH_METADATA)}),
                CUSTOMER_PRECONDITION,
                "Creating a scratch customer",
            )
            self.customer_id, self.card_ids, self.default = str(body["id"]), [], None
            self._cleanup.append(f"/v1/customers/{self.customer_id}")
        if cards and len(self.card_ids) < len(SCRATCH_TOKENS):
            if self._paths is not None:
                try:
                    self._paths.resolve()  # the probe's root cause, when no card-creation path works
                except (Blocked, Unsupported) as exc:
                    raise SetupError(exc) from None
            made: list[str] = []
            for token in SCRATCH_TOKENS[len(self.card_ids):]:
                attached = attach_card(self._client, self.customer_id, token, dict(SCRATCH_METADATA))
                card = self._ok(attached, CARD_PRECONDITION, f"Attaching {token} to a scratch customer")
                made.insert(0, str(card["id"]))
            # Only a customer with both cards is usable: an example never addresses a card that is not there.
            self.card_ids = made + self.card_ids
            if self.default is None and made:
                self.default = made[-1]  # the first card attached to a customer without cards becomes its default
        return self.customer_id

    def webhook(self) -> str:
        """Create (once) a webhook endpoint and return its id."""
        if self.webhook_id is None:
            body = self._ok(
                self._client.post(
                    "/v1/webhook_endpoints",
                    {
                        "url": "https://example.com/hooks/scratch",
                        "enabled_events": ["customer.created"],
                        "metadata": dict(SCRATCH_METADATA),
                    },
                ),
                WEBHOOK_PRECONDITION,
                "Creating a scratch webhook endpoint",
            )
            self.webhook_id = str(body["id"])
            self._cleanup.append(f"/v1/webhook_endpoints/{self.webhook_id}")
        return self.webhook_id

    def forget_deleted(self, case: schemathesis.Case[Any], response_status: int) -> Deleted | None:
        """Forget a scratch object a call deleted (answered 200), and tell which kind it was (None: none).

        The next example that needs such an object gets a fresh one.
        """
        if case.method.upper() != "DELETE" or response_status != 200:
            return None
        params = {name: unquote(str(value)) for name, value in (case.path_parameters or {}).items()}
        self.reads.clear()
        if "id" in params:
            if params["id"] in self.card_ids:
                self.card_ids.remove(params["id"])
                self.deleted_default = params["id"] == self.default
                if self.deleted_default:  # at most one card remains: it is the most recently added one
                    self.default = self.card_ids[0] if self.card_ids else None
                return "card"
        elif params.get("customer") == self.customer_id and self.customer_id is not None:
            self._cleanup.remove(f"/v1/customers/{self.customer_id}")
            self.customer_id, self.card_ids, self.default = None, [], None
            return "customer"
        elif params.get("webhook_endpoint") == self.webhook_id and self.webhook_id is not None:
            self._cleanup.remove(f"/v1/webhook_endpoints/{self.webhook_id}")
            self.webhook_id = None
            return "webhook_endpoint"
        return None

    def adopt(self, case: schemathesis.Case[Any], response_status: int, body: Any) -> None:
        """Note an object the fuzzed call created, for :meth:`release_created`."""
        if response_status != 200 or not isinstance(body, dict) or not isinstance(body.get("id"), str):
            return
        if case.method.upper() == "POST" and case.path in ("/v1/customers", "/v1/webhook_endpoints"):
            self._created.append(f"{case.path}/{body['id']}")

    def release_created(self) -> None:
        """Delete what the call just judged created (teardown: no retries).

        At once rather than with the scratch objects: an account holds only so many webhook
        endpoints (the reference server allows 16, as Stripe's test mode does), and a large budget
        creates more than that in one operation's examples, so a valid create would be refused
        because of the suite's own leftovers. Deleting each at once costs the same requests.
        """
        if not self._created:
            return  # a teardown block would put the run tag back on the scratch objects: nothing to delete
        with teardown_of(self._client.transport):
            while self._created:
                self._client.delete(self._created.pop())
        self.reads.clear()  # the block put the run tag back on any scratch object that had lost it

    def close(self) -> None:
        """Delete everything made for the example, newest first (teardown: no retries)."""
        self.release_created()
        with teardown_of(self._client.transport):
            while self._cleanup:
                self._client.delete(self._cleanup.pop())

    def _ok(self, response: Response, precondition: str, what: str) -> dict[str, Any]:
        """The object made, or ``Blocked``/``Unsupported``: a failed setup is no verdict on the call under test."""
        self.made.append(response)
        try:
            return require_made(response, precondition, what)
        except (Blocked, Unsupported) as exc:
            raise SetupError(exc) from None


@dataclasses.dataclass(frozen=True)
class Draw:
    """One example: a generated case, how it is pointed at the scratch objects, what is injected."""

    case: schemathesis.Case[Any]
    use_scratch: bool
    card_index: int
    cursor: str | None
    injected: tuple[Injection, Any] | None


def examples(
    surface: LoadedSurface,
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    injection: Injection | None,
    today: datetime.date,
) -> st.SearchStrategy[Draw]:
    """Cases for ``operation`` with the choices that aim them at scratch objects.

    Without ``injection``: valid and invalid generated cases. With one: valid cases, each
    carrying one of the injection's invalid values. A valid case aimed at scratch objects is
    generated with placeholder path ids (replaced by :func:`aim`), which saves generating them.
    """
    fixed = {p.name: PLACEHOLDER for p in operation.path_parameters if p.name in SCRATCH_PATH_PARAMETERS}
    values = injection.values(today) if injection is not None else st.none()

    @st.composite
    def example(draw: st.DrawFn) -> Draw:
        use_scratch = draw(_TENTHS) < SCRATCH_SHARE * 10 or injection is not None
        negative = injection is None and draw(_COIN)
        mode = GenerationMode.NEGATIVE if negative else GenerationMode.POSITIVE
        placeholders = fixed if use_scratch and not negative else None
        case = draw(surface.strategy(operation, mode, placeholders))
        chosen = draw(values)
        return Draw(
            case=case,
            use_scratch=use_scratch,
            card_index=draw(_CARD_INDEX),
            cursor=draw(_CURSOR),
            injected=(injection, chosen) if injection is not None else None,
        )

    return example()


def aim(draw: Draw, scratch: Scratch) -> schemathesis.Case[Any]:
    """Point the case at the scratch objects: existing path ids and, for valid lists, cursors."""
    case = draw.case
    if not draw.use_scratch:
        return case
    _aim_paths(case, scratch)
    if _is_positive(case) and draw.cursor is not None and case.method.upper() == "GET":
        known = _cursor_ids(case, scratch)
        if known:
            query = {k: v for k, v in (case.query or {}).items() if k not in CURSORS}
            query[draw.cursor] = known[draw.card_index % len(known)]
            case.query = query
    # The new values are known valid: keep the generation metadata (positive stays positive).
    getattr(case, "_record_starting_state", lambda: None)()
    return case


def inject(draw: Draw) -> tuple[Injection, Any] | None:
    """Put the drawn invalid value into a valid case; return the injection, or None if none applies."""
    case = draw.case
    if draw.injected is None or not _is_positive(case):
        return None
    injection, value = draw.injected
    added = value if injection.field is None else {injection.field: value}
    if injection.location == "query":
        query = {k: v for k, v in (case.query or {}).items() if k not in injection.excludes}
        case.query = {**query, **added}
    else:
        body = case.body if isinstance(case.body, dict) else {}
        case.body = {**{k: v for k, v in body.items() if k not in injection.excludes}, **added}
    return draw.injected


def route_of(case: schemathesis.Case[Any]) -> str:
    """``METHOD /path`` of the case's operation, its path parameters spelled ``{id}`` like ``route_template``."""
    return f"{case.method.upper()} {re.sub(r'{[^}]+}', '{id}', case.path)}"


def _is_positive(case: schemathesis.Case[Any]) -> bool:
    return case.meta is None or case.meta.generation.mode.is_positive


def _aim_paths(case: schemathesis.Case[Any], scratch: Scratch) -> None:
    params = dict(case.path_parameters or {})
    if "customer" in params:
        cards = "id" in params or (case.path in CARD_LISTS and case.method.upper() == "GET")
        params["customer"] = quote(scratch.customer(cards=cards), safe="")
        if "id" in params:
            params["id"] = quote(scratch.card_ids[scratch.pick], safe="")
    if "webhook_endpoint" in params:
        params["webhook_endpoint"] = quote(scratch.webhook(), safe="")
    case.path_parameters = params


def _cursor_ids(case: schemathesis.Case[Any], scratch: Scratch) -> list[str]:
    if case.path in ("/v1/customers/{customer}/sources", "/v1/customers/{customer}/cards"):
        return list(scratch.card_ids)
    if case.path == "/v1/customers":
        return [scratch.customer(cards=False)]
    return []


def example_plan(operation_id: str, examples: int) -> list[tuple[Injection | None, int, str]]:
    """Return an operation's Hypothesis tests at budget ``examples``: (injection, examples, seed name) each.

    The budget's examples go to generated valid and invalid cases; then every injection that
    fits the operation gets a third of them (at least one), so each documented rule is tried
    whatever the budget.
    """
    share = max(1, math.ceil(examples / INJECTION_SHARE))
    return [
        (None, examples, operation_id),
        *((injection, share, f"{operation_id}:{injection.name}") for injection in injections_for(operation_id)),
    ]


def fuzz_operation(session: FuzzSession, ref: OperationRef) -> list[Failure]:
    """Fuzz one operation within the session's budget (:func:`example_plan`) and return what failed."""
    operation = session.surface.operation(ref.method, ref.path)
    shared = Scratch(session.client, session.card_paths)
    creates = CreateInvariants(session.client, session.observed)
    try:
        found: list[Failure] = []
        for injection, count, name in example_plan(ref.operation_id, session.budget.examples):
            found += _run(session, operation, injection, count, name, shared, creates)
        path_of = MERGE_PROBED.get(ref.operation_id)
        if path_of is not None and not found and session.blocked is None:
            try:
                found += metadata_merges(session, shared.reads, path_of(shared))
            except SetupError as exc:
                session.block(exc.blocked)
    finally:
        shared.close()
    return merge(found)


def _run(
    session: FuzzSession,
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    injection: Injection | None,
    count: int,
    name: str,
    shared: Scratch | None,
    creates: CreateInvariants | None = None,
) -> list[Failure]:
    """Run one Hypothesis test of ``count`` examples, seeded from the run seed and ``name``, on ``shared``."""

    @hypothesis.seed(session.budget.seed_for(name))
    @without_database_key
    @hypothesis.settings(hypothesis_settings(count, shrink=False))
    @hypothesis.given(draw=examples(session.surface, operation, injection, session.surface.view.today))
    def run(draw: Draw) -> None:
        _one_example(session, draw, shared, creates)

    with without_local_constants():
        return collect_failures(run)


def _one_example(
    session: FuzzSession, draw: Draw, shared: Scratch | None = None, creates: CreateInvariants | None = None
) -> None:
    """Send one example and judge it; ``shared`` scratch objects are used (and kept) if given.

    ``creates`` reads back what the operation's valid calls create (once per set of parameters)
    and resends an accepted forwarding request under one key.
    """
    if session.blocked is not None:
        return  # the objects every example needs cannot be made: the test reports that once
    scratch = shared or Scratch(session.client, session.card_paths)
    probes = UpdateInvariants(session.client, session.observed)
    try:
        with session.log.window() as calls:
            scratch.pick = draw.card_index
            try:
                case = aim(draw, scratch)
            except SetupError as exc:
                session.block(exc.blocked)
                return
            injection = inject(draw)
            updating = is_update(case) and draw.use_scratch
            path = unquote(case.formatted_path)
            before = scratch.reads.pop(path, None) if updating else None
            read_before = updating and before is None
            if read_before:
                before = session.client.get(path)
            attached = (
                default_follows(session, scratch, ATTACH_RULE) if draw.use_scratch and deletes_card(case) else []
            )
            setup = len(calls)
            response = send_case(session.client, case)
            if route_missing(response) and (draw.use_scratch or not case.path_parameters):
                # The target lacks the operation: nothing to judge.
                session.block(unsupported_route(response, route_of(case)))
                return
            scratch.adopt(case, response.status, response.json())
            deleted = scratch.forget_deleted(case, response.status) if draw.use_scratch else None
            refusable = before is not None and before.status == 200 and leaves_expiry_past(
                case.body, before.json(), session.surface.view.today
            )
            found = attached + session.judge.failures(
                case, response, to_schemathesis(response), injection=injection, refusal_documented=refusable
            )
            found += webhook_secret(case, response, session.observed)
            if creates is not None and injection is None:
                found += creates.read_back(case, response) + creates.forwarding_once_per_key(case, response)
            if deleted == "card":
                rule = DELETE_DEFAULT_RULE if scratch.deleted_default else DELETE_OTHER_RULE
                found += gone_after_delete(session, path, method="DELETE")
                found += default_follows(session, scratch, rule)
            elif deleted == "webhook_endpoint":
                found += gone_after_delete(session, path, method="GET")
            probes.last_read = None
            if updating and response.status == 200 and injection is None:
                found += probes.applies(case, response, before) + probes.read_back(case, response)
            elif before is not None and 400 <= response.status < 500:
                found += probes.refused_changes_nothing(case, before)
            if updating and probes.last_read is not None and probes.last_read.status == 200:
                scratch.reads[path] = probes.last_read  # the read after this update is the read before the next
            if found:
                seen = {id(call) for call in calls}
                earlier = [made for made in scratch.made if id(made) not in seen]  # shared, made before
                setup_calls = calls[: setup - 1 if read_before else setup]
                sequence = curl_sequence([*earlier, *setup_calls, *calls[setup:]])
                ending = session.sift([dataclasses.replace(f, curl=sequence) for f in merge(found)])
                if ending:
                    raise ConformanceError(ending)
    finally:
        scratch.release_created()
        if shared is None:
            scratch.close()
