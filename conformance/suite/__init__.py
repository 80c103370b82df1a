"""The conformance scenarios: run with ``stripe-conformance run`` or ``pytest --pyargs conformance.suite``."""
