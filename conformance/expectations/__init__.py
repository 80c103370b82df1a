"""Known deviations as data: expected outcomes per requirement, applied to a run's report.

An expectations file (TOML or YAML) names requirement IDs and what a target is expected to do
on them (``fail``, ``skip``, or a set such as ``[pass, fail]`` for an intermittent one), with a
reason, a link and an optional expiry date. ``apply_expectations`` turns an expected failure into
``xfailed`` and an unexpected pass into ``failed`` (strict), so a CI gate stays honest both ways.
"""

from conformance.expectations.adopt import expectations_toml
from conformance.expectations.apply import UNEXPECTED_PASS, apply_expectations
from conformance.expectations.loader import load_expectations, parse_expectations
from conformance.expectations.model import OUTCOMES, Expectation, Expectations, ExpectationsError

__all__ = [
    "OUTCOMES",
    "UNEXPECTED_PASS",
    "Expectation",
    "Expectations",
    "ExpectationsError",
    "apply_expectations",
    "expectations_toml",
    "load_expectations",
    "parse_expectations",
]
