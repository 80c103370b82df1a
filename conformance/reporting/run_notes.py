"""Sentences that say how a run ended and what it covered, the same in every report format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.reporting.json_report import report_to_dict
from conformance.reporting.model import RunReport

_OUTCOME_TEXT = {
    "interrupted": "interrupted (SIGINT) before every selected scenario had run",
    "terminated": "terminated (SIGTERM) before every selected scenario had run",
    "deadline": "stopped at the --deadline: the scenarios not started are not run",
    "max_failures": "stopped after --max-failures failed requirements: the rest are not run",
    "incomplete": "merged shard reports with shards missing: their requirements are not run",
}
_LISTED = 20


def document_notes(report: Mapping[str, Any]) -> list[str]:
    """Return the notes for a ``report.json`` document: outcome, selection, not run, failed deletes."""
    notes: list[str] = []
    outcome = str(report.get("outcome") or "completed")
    if outcome in _OUTCOME_TEXT:
        notes.append(f"outcome {outcome}: {_OUTCOME_TEXT[outcome]}")
    selection = report.get("selection") or {}
    if selection.get("shard"):
        notes.append(
            f"shard {selection['shard']} of a sharded run: PARTIAL; `stripe-conformance merge` the shards' report.json"
        )
    merged = selection.get("shards_merged") or []
    if merged:
        notes.append(f"merged shards: {', '.join(merged)}")
    if selection.get("not_recorded"):
        notes.append(
            f"replay: {len(selection['not_recorded'])} requirement(s) not recorded in the cassette set (not run)"
        )
    flags = (("keyword", "-k"), ("markexpr", "-m"))
    chosen = [f"{name} {selection[key]!r}" for key, name in flags if selection.get(key)]
    if selection.get("fuzz_examples") == 0:
        chosen.append("--fuzz-examples 0")
    if chosen:
        notes.append("selection: " + ", ".join(chosen))
    left_out = list(selection.get("left_out") or [])
    if left_out:
        total = len(left_out) + len(selection.get("requirements") or [])
        notes.append(
            f"PARTIAL: the selection leaves out {len(left_out)} of the catalogue's {total} requirements; "
            "only a run of the whole catalogue can CONFORM"
        )
    not_run = [str(r["id"]) for r in report.get("requirements", []) if r.get("status") == "not_run"]
    if not_run:
        shown = " ".join(not_run[:_LISTED]) + (f" … (+{len(not_run) - _LISTED})" if len(not_run) > _LISTED else "")
        notes.append(f"not run: {len(not_run)} requirement(s): {shown}")
    failures = list(report.get("teardown_failures") or [])
    if failures:
        shown = ", ".join(f"{f['type']} {f['id']} ({f['status']})" for f in failures[:_LISTED])
        more = f" … (+{len(failures) - _LISTED})" if len(failures) > _LISTED else ""
        notes.append(
            f"teardown: {len(failures)} object(s) could not be deleted: {shown}{more}; "
            "run `stripe-conformance cleanup --ledger` on the run ledger"
        )
    traffic = _traffic_note(report)
    if traffic:
        notes.append(traffic)
    return notes


def _traffic_note(report: Mapping[str, Any]) -> str | None:
    """Say how many requests the run cost, where they went, and how many the target rate-limited."""
    traffic = report.get("traffic")
    if not isinstance(traffic, Mapping):
        return None  # a report written before reports counted requests
    total, outside = int(traffic.get("requests") or 0), int(traffic.get("outside_scenarios") or 0)
    scenarios = len(report.get("scenarios") or [])
    if (report.get("selection") or {}).get("replay"):
        return f"requests: {total} answered from the cassette set, none sent to a target"
    where = f"{total - outside} by the {scenarios} scenarios, {outside} outside them (preflight, setup probe, clean-up)"
    limited = int(traffic.get("rate_limited") or 0)
    return f"requests: {total} sent to the target: {where}; {limited} answered 429 (rate limited)"


def run_notes(report: RunReport) -> list[str]:
    """Return the notes of ``report`` as console lines."""
    return [f"run: {note}" for note in document_notes(report_to_dict(report))]
