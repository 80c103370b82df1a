"""The conformance scenarios: run with ``stripe-conformance run`` or ``pytest --pyargs conformance.suite``."""

__all__: list[str] = []  # scenarios collected by pytest: nothing to import from here
