"""One fuzz test's working set: the loaded schema, the client, the judge and the call log."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.generation.feedback import NO_FEEDBACK

from conformance.checks import Failure
from conformance.checks.preconditions import Blocked, Unsupported
from conformance.fuzz.checks import Judge, Removed
from conformance.fuzz.config import FuzzBudget, schemathesis_config
from conformance.fuzz.features import unclaimed_operations
from conformance.fuzz.observations import Observations
from conformance.fuzz.reading import DocumentedSchemas
from conformance.fuzz.surface import operations
from conformance.fuzz.views import GenerationView, generation_view
from conformance.fuzz.wire import register_form_serializer
from conformance.http import StripeClient
from conformance.http.exchange import Response
from conformance.targets.card_paths import CardPaths
from conformance.targets.profile import TargetProfile


@dataclass(frozen=True)
class LoadedSurface:
    """The surface loaded into Schemathesis for one target (built once per run)."""

    schema: schemathesis.BaseSchema
    view: GenerationView
    documented: DocumentedSchemas
    _strategies: dict[tuple[str, str, tuple[tuple[str, str], ...]], Any] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def load(
        cls, base_url: str, today: datetime.date | None = None, profile: TargetProfile | None = None
    ) -> LoadedSurface:
        """Load the generation view of the surface for ``base_url``, without what ``profile`` does not claim."""
        register_form_serializer()
        view = generation_view(today=today)
        schema: schemathesis.BaseSchema = schemathesis.openapi.from_dict(
            view.document, config=schemathesis_config(base_url)
        )
        if profile is not None:
            ids = [ref.operation_id for ref in operations(view.document)]
            excluded = unclaimed_operations(ids, profile)
            if excluded:
                schema = schema.exclude(operation_id=excluded)
        memoize_generation_config(schema.config)
        memoize_checks_config(schema.config)
        return cls(schema, view, DocumentedSchemas())

    def strategy(
        self,
        operation: schemathesis.APIOperation[Any, Any, Any, Any],
        mode: GenerationMode,
        path_parameters: dict[str, str] | None,
    ) -> st.SearchStrategy[schemathesis.Case[Any]]:
        """Return (once built, then reused) the case strategy of ``operation`` in ``mode``."""
        key = (operation.label, mode.value, tuple(sorted((path_parameters or {}).items())))
        found = self._strategies.get(key)
        if found is None:
            found = operation.as_strategy(generation_mode=mode, feedback=NO_FEEDBACK, path_parameters=path_parameters)
            self._strategies[key] = found
        return found

    def operation(self, method: str, path: str) -> schemathesis.APIOperation[Any, Any, Any, Any]:
        """Return the operation ``method path`` of the loaded schema."""
        operation: schemathesis.APIOperation[Any, Any, Any, Any] = self.schema[path][method.upper()]
        return operation


def memoize_generation_config(config: Any) -> None:
    """Make ``config.generation_for`` build each operation's and phase's ``GenerationConfig`` once.

    Schemathesis merges the config hierarchy into a new ``GenerationConfig`` for every case it
    draws (≈ 1 ms each, about 0.6 s of a default run's CPU); a run's config never changes once
    the schema is loaded, so the merged result is the same every time.
    """
    _memoize_per_operation(config, "generation_for")


def memoize_checks_config(config: Any) -> None:
    """Make ``config.checks_config_for`` build each operation's and phase's ``ChecksConfig`` once.

    Schemathesis merges it anew for every answer it judges (``Case.validate_response``), and the
    merge depends only on the config, which a run never changes once the schema is loaded.
    """
    _memoize_per_operation(config, "checks_config_for")


def _memoize_per_operation(config: Any, method: str) -> None:
    """Replace ``config.<method>(operation=, phase=)`` by a version that builds once per operation and phase."""
    build = getattr(config, method)
    built: dict[tuple[str | None, str | None], Any] = {}

    def memoized(*, operation: Any = None, phase: str | None = None) -> Any:
        key = (None if operation is None else operation.label, phase)
        found = built.get(key)
        if found is None:
            found = built[key] = build(operation=operation, phase=phase)
        return found

    setattr(config, method, memoized)


class CallLog:
    """The responses a client received, newest last; ``window()`` scopes it to one example."""

    def __init__(self, client: StripeClient) -> None:
        """Start logging every response ``client`` receives."""
        self.responses: list[Response] = []
        client.observe(self.responses.append)

    @contextmanager
    def window(self) -> Iterator[list[Response]]:
        """Collect the responses received inside the block (cleared on entry)."""
        self.responses.clear()
        yield self.responses


class FuzzSession:
    """What a fuzz test needs: the surface, a client whose calls are logged, the judge, the budget.

    Every finding is noted once per requirement, as evidence, and ends nothing: the exploration
    (which calls are sent, in which order) is the same whatever the target's verdicts and whatever
    the run expects, so that an expectation adopted from one run (``expect --from``) meets the same
    findings on the next run with the same seed, and a deviation present in every answer (a
    missing header, say) does not hide everything else. ``known`` names the requirements the run
    expects the target to fail (its known deviations); it is kept for reporting only.
    """

    def __init__(
        self,
        surface: LoadedSurface,
        client: StripeClient,
        budget: FuzzBudget,
        *,
        removed: Removed | None = None,
        known: frozenset[str] = frozenset(),
        card_paths: CardPaths | None = None,
    ) -> None:
        """Bind the loaded surface to a client and a budget; ``card_paths`` is how the run attaches cards."""
        self.surface = surface
        self.client = client
        self.card_paths = card_paths
        self.budget = budget
        self.log = CallLog(client)
        self.observed = Observations()
        """What the test's checks observed, per requirement (a pass needs at least one)."""
        self.judge = Judge(surface.documented, removed, self.observed)
        self.known = known
        self._noted: dict[str, Failure] = {}
        self.stopped: str | None = None
        """Why the test could not spend its whole budget (None when it did)."""
        self.blocked: Blocked | Unsupported | None = None
        """The precondition that kept the test's examples from running (making their objects failed)."""

    def stop(self, reason: str) -> None:
        """Record that the test ended before its budget was spent, and why."""
        self.stopped = reason

    def block(self, cause: Blocked | Unsupported) -> None:
        """Record that a precondition of the examples failed; the first cause is kept."""
        if self.blocked is None:
            self.blocked = cause

    def sift(self, failures: list[Failure]) -> list[Failure]:
        """Note the first finding of each requirement; return the findings that end the example (none).

        Nothing ends an example, expected or not: ending on unexpected findings only would make the
        exploration depend on the expectations (see the class docstring).
        """
        for failure in failures:
            self._noted.setdefault(failure.requirement_id, failure)
        return []

    def noted(self) -> list[Failure]:
        """Return the first finding on each requirement, in the order they were seen."""
        return list(self._noted.values())

    def with_removed(self, removed: Removed) -> Judge:
        """Return a judge that knows which objects another call removed."""
        return Judge(self.surface.documented, removed, self.observed)
