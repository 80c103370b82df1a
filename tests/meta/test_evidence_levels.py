"""Evidence decides the level: no MUST without a seed, spec or docs citation; every observation says where."""

from __future__ import annotations

import re

import pytest

from conformance.requirements import load_catalogue
from conformance.requirements.catalogue import MUST_EVIDENCE, parse_catalogue

CATALOGUE = list(load_catalogue())
_WHERE = re.compile(r"(https?://|[a-z0-9-]+\.(com|org|dev|io)/|seeds/\d{3}|stripe-fixtures-\d{4}\.json)")


def must_without_evidence(requirements: list) -> list[str]:
    """Return the MUST requirements that no seed, spec or docs evidence founds."""
    return [r.id for r in requirements if r.level == "MUST" and not any(e.kind in MUST_EVIDENCE for e in r.evidence)]


def observed_without_place(requirements: list) -> list[str]:
    """Return the requirements with an ``observed`` (or ``fixture``) entry that does not say where."""
    return [
        r.id for r in requirements for e in r.evidence if e.kind in ("observed", "fixture") and not _WHERE.search(e.ref)
    ]


def test_every_requirement_says_how_we_know() -> None:
    assert [r.id for r in CATALOGUE if not r.evidence] == []


def test_no_must_without_seed_spec_or_docs_evidence() -> None:
    assert must_without_evidence(CATALOGUE) == []


def test_every_observation_says_where_it_was_seen() -> None:
    assert observed_without_place(CATALOGUE) == []


@pytest.mark.parametrize("kind", ["seed", "spec", "docs"])
def test_evidence_refs_have_the_form_of_their_kind(kind: str) -> None:
    prefix = {"seed": "seeds/", "spec": "openapi 2023-08-16", "docs": "https://docs.stripe.com/"}[kind]
    wrong = [(r.id, e.ref) for r in CATALOGUE for e in r.evidence if e.kind == kind and not e.ref.startswith(prefix)]
    assert wrong == []


def test_the_checks_fail_on_a_catalogue_breaking_the_rules() -> None:
    broken = parse_catalogue(
        """
[[requirement]]
id = "card.x.founded-on-nothing"
area = "create"
level = "MUST"
title = "t"
source = "s"
evidence = [{kind = "observed", ref = "seeds/004 example"}]

[[requirement]]
id = "card.x.nowhere"
area = "create"
level = "SHOULD"
title = "t"
source = "s"
evidence = [{kind = "observed", ref = "we saw it once"}]
"""
    )
    assert must_without_evidence(list(broken)) == ["card.x.founded-on-nothing"]
    assert observed_without_place(list(broken)) == ["card.x.nowhere"]
