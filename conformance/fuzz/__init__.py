"""Property-based and stateful fuzzing of the documented surface (Schemathesis + Hypothesis).

A scenarios layer like ``conformance.suite``: ``stripe-conformance run`` collects it next to
the hand-written scenarios (``-m "not fuzz"`` deselects it, ``--fuzz-examples 0`` turns it off).
Calls are generated from ``schemas/openapi/stripe-surface.yaml``, sent through the suite's
client, judged by Schemathesis' checks adapted to Stripe and by the suite's own, and reported on
the ``fuzz.*`` requirements of the catalogue, with the shortest reproducing calls as ``curl``
lines.
"""

__all__: list[str] = []  # scenarios collected by pytest: nothing to import from here
