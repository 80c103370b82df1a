"""Rewrite a target profile's ``[expectations]`` tables from a run's report.json."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.expectations import expectations_toml
from conformance.reporting.model import NOT_ASSESSED_STATUSES

_FIRST_ENTRY = "[expectations"


def refresh_profile_expectations(profile: Path, report: Path) -> None:
    """Replace the expectations in ``profile`` with those that make ``report``'s run pass.

    The profile's text before its first ``[expectations`` table is kept as written; entries the
    run confirmed keep their reason and link; new failures get an ``observed ...`` reason that
    must be confirmed with curl and rewritten by hand.
    """
    text = profile.read_text(encoding="utf-8")
    head = text.split("\n" + _FIRST_ENTRY, 1)[0].rstrip("\n")
    data = json.loads(report.read_text(encoding="utf-8"))
    for requirement in data.get("requirements", []):
        applied = requirement.get("expectation")
        unobserved = requirement.get("status") in NOT_ASSESSED_STATUSES
        if unobserved and applied and "skip" not in applied.get("expected", []):
            # Not exercised this time (a feature not claimed, a scenario not reached): no evidence
            # either way, and an entry nothing confirms is dropped rather than carried for ever.
            del requirement["expectation"]
    body = expectations_toml(data, source=f"the {profile.stem} peer run")
    body = body[body.find(_FIRST_ENTRY):] if _FIRST_ENTRY in body else body  # drop the run-specific header
    profile.write_text(head + "\n\n" + body.rstrip("\n") + "\n", encoding="utf-8")
